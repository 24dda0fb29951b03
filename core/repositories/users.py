from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.changes import mark_changed
from core.db.models.users import ApiKey, AuthToken, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email.lower()))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(User)) or 0)

    def add(self, user: User) -> None:
        self.session.add(user)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))


class CredentialRepository:
    """Login tokens and API keys, looked up by the hash of the secret."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, credential: AuthToken | ApiKey) -> None:
        self.session.add(credential)

    async def token_with_user(self, token_hash: str, now: datetime) -> tuple[AuthToken, User] | None:
        row = (
            await self.session.execute(
                select(AuthToken, User)
                .join(User, User.id == AuthToken.user_id)
                .where(
                    AuthToken.token_hash == token_hash,
                    AuthToken.revoked_at.is_(None),
                    AuthToken.expires_at > now,
                    User.is_active.is_(True),
                )
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def api_key_with_user(self, key_hash: str) -> tuple[ApiKey, User] | None:
        row = (
            await self.session.execute(
                select(ApiKey, User)
                .join(User, User.id == ApiKey.user_id)
                .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None), User.is_active.is_(True))
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def revoke_token(self, token_hash: str, now: datetime) -> None:
        mark_changed(self.session, f"token:{token_hash}")
        await self.session.execute(update(AuthToken).where(AuthToken.token_hash == token_hash).values(revoked_at=now))

    async def api_keys_of(self, user_id: str) -> list[ApiKey]:
        result = await self.session.scalars(
            select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at.desc())
        )
        return list(result)

    async def api_key_of(self, user_id: str, key_id: str) -> ApiKey | None:
        return await self.session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.user_id == user_id))

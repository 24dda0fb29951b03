"""Users, logins, API keys. Services flush but never commit: the caller owns the transaction."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.db.models.users import ApiKey, AuthToken, Role, User
from core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from core.repositories.users import CredentialRepository, UserRepository
from core.security.password_policy import check_password
from core.security.passwords import Passwords
from core.security.principal import Principal
from core.security.tokens import API_KEY_PREFIX, TOKEN_PREFIX, digest, new_secret

API_KEY_SCOPES = frozenset({"read", "write"})


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise InvalidInput("a valid email address is required")
    return email


@dataclass(frozen=True)
class IssuedSecret:
    """A token or key, returned once at creation; only its hash is stored."""

    id: str
    secret: str


async def new_password_hash(passwords: Passwords, password: str, email: str, name: str) -> str:
    """Check the password policy and hash, in a worker thread: argon2 takes tens of
    milliseconds of CPU, which must neither stall the event loop nor hold a transaction."""

    def work() -> str:
        check_password(password, email, name)
        return passwords.hash(password)

    return await asyncio.to_thread(work)


async def verify_login(passwords: Passwords, user: User | None, password: str) -> str | None:
    """Unauthenticated unless `user` is active and `password` is its password (in a worker
    thread); the password's new hash when the stored one uses older parameters."""

    def work() -> tuple[bool, str | None]:
        if user is None or not user.is_active:
            passwords.verify_nobody(password)  # uniform timing
            return False, None
        if not passwords.verify(user.password_hash, password):
            return False, None
        return True, passwords.hash(password) if passwords.needs_rehash(user.password_hash) else None

    ok, new_hash = await asyncio.to_thread(work)
    if not ok:
        raise Unauthenticated("wrong email or password")
    return new_hash


class AuthService:
    def __init__(self, session: AsyncSession, passwords: Passwords) -> None:
        self.passwords = passwords
        self.users = UserRepository(session)
        self.credentials = CredentialRepository(session)

    async def create_user(self, email: str, password: str, name: str, role: Role) -> User:
        """A new account. The password is checked and hashed before the first query, so on
        a fresh session no transaction is open meanwhile."""
        email = normalise_email(email)
        name = name.strip()
        password_hash = await new_password_hash(self.passwords, password, email, name)
        if await self.users.get_by_email(email):
            raise Conflict(f"a user with email {email} already exists")
        user = User(email=email, password_hash=password_hash, name=name or email, role=role)
        self.users.add(user)
        await self.users.session.flush()
        return user

    async def find_login(self, email: str) -> User | None:
        """The account an email logs into (a read: call it on a read-only session)."""
        return await self.users.get_by_email(email.strip().lower())

    async def open_session(self, user: User, ttl_seconds: int, new_hash: str | None = None) -> IssuedSecret:
        """A login token for a verified user (and its rehashed password, if any)."""
        if new_hash is not None:
            await self.users.set_password_hash(user.id, new_hash)
        now = utcnow()
        secret = new_secret(TOKEN_PREFIX)
        token = AuthToken(
            user_id=user.id,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
        self.credentials.add(token)
        await self.users.session.flush()
        return IssuedSecret(token.id, secret)

    async def logout(self, secret: str) -> None:
        await self.credentials.revoke_token(digest(secret), utcnow())

    async def principal_for_token(self, secret: str) -> Principal:
        found = await self.credentials.token_with_user(digest(secret), utcnow())
        if found is None:
            raise Unauthenticated("the session has expired or is invalid: log in again")
        token, user = found
        return Principal(user.id, user.role, user.email, user.name, "token", frozenset(), token.id)

    async def principal_for_api_key(self, secret: str) -> Principal:
        found = await self.credentials.api_key_with_user(digest(secret))
        if found is None:
            raise Unauthenticated("the API key is invalid or revoked")
        key, user = found
        return Principal(user.id, user.role, user.email, user.name, "api_key", frozenset(key.scopes), key.id)

    async def create_api_key(self, user_id: str, name: str, scopes: list[str]) -> tuple[ApiKey, IssuedSecret]:
        unknown = set(scopes) - API_KEY_SCOPES
        if unknown or not scopes:
            raise InvalidInput(f"scopes must be a non-empty subset of {sorted(API_KEY_SCOPES)}")
        secret = new_secret(API_KEY_PREFIX)
        key = ApiKey(
            user_id=user_id,
            name=name.strip() or "API key",
            prefix=secret[:12],
            key_hash=digest(secret),
            scopes=sorted(set(scopes)),
            created_at=utcnow(),
        )
        self.credentials.add(key)
        await self.users.session.flush()
        return key, IssuedSecret(key.id, secret)

    async def list_api_keys(self, user_id: str) -> list[ApiKey]:
        return await self.credentials.api_keys_of(user_id)

    async def revoke_api_key(self, user_id: str, key_id: str) -> ApiKey:
        key = await self.credentials.api_key_of(user_id, key_id)
        if key is None:
            raise NotFound("API key not found")
        if key.revoked_at is None:
            key.revoked_at = utcnow()
        return key

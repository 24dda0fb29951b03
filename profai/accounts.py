"""Account bootstrap used by the CLI: the first admin or teacher, and the demo users."""

from __future__ import annotations

import secrets
from pathlib import Path

from core.db.engine import create_engine, create_session_factory
from core.db.models.users import Role, User
from core.errors import DomainError
from core.repositories.users import UserRepository
from core.security.passwords import Passwords
from core.services.auth import AuthService
from core.settings import Settings


async def create_user(settings: Settings, email: str, password: str, name: str, role: Role) -> User:
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            try:
                user = await AuthService(session, Passwords()).create_user(email, password, name, role)
            except DomainError as exc:
                raise SystemExit(f"error: {exc.message}") from exc
            await session.commit()
            return user
    finally:
        await engine.dispose()


async def ensure_demo_users(settings: Settings) -> list[tuple[str, str, str]]:
    """On an empty database, create a demo teacher and student; their credentials are kept
    in DATA_DIR/demo-credentials.txt so that `profai up` can print them every time."""
    path: Path = settings.data_dir / "demo-credentials.txt"
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            if await UserRepository(session).count() == 0:
                rows = []
                for role, email in ((Role.TEACHER, "teacher@example.com"), (Role.STUDENT, "student@example.com")):
                    password = secrets.token_urlsafe(12)  # 16 characters: well past the password policy
                    await AuthService(session, Passwords()).create_user(email, password, f"Demo {role.value}", role)
                    rows.append((role.value, email, password))
                await session.commit()
                path.write_text("".join(f"{r}\t{e}\t{p}\n" for r, e, p in rows), encoding="utf-8")
                path.chmod(0o600)
    finally:
        await engine.dispose()
    if not path.exists():
        return []
    return [tuple(line.split("\t")) for line in path.read_text(encoding="utf-8").splitlines() if line]  # type: ignore[misc]

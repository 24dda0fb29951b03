from __future__ import annotations

from dataclasses import dataclass, field

from core.db.models.users import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: a logged-in user, or a partner's API key acting for its user."""

    user_id: str
    role: Role
    email: str = ""
    name: str = ""
    via: str = "token"  # "token" | "api_key"
    scopes: frozenset[str] = field(default_factory=frozenset)
    credential_id: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_teacher(self) -> bool:
        return self.role in (Role.TEACHER, Role.ADMIN)

    def can_write(self) -> bool:
        return self.via != "api_key" or "write" in self.scopes

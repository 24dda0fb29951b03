from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from backend.schemas.common import Input
from core.db.models.users import ApiKey, User


class LoginIn(Input):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class UserOut(msgspec.Struct):
    id: str
    email: str
    name: str
    role: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(user.id, user.email, user.name, user.role.value)


class TokenOut(msgspec.Struct):
    token: str
    token_type: str
    user: UserOut


class UserIn(Input):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    # The full policy (core/security/password_policy.py) answers with advice.
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    role: Literal["admin", "teacher", "student"] = "student"


class ApiKeyIn(Input):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    scopes: list[Literal["read", "write"]] = msgspec.field(default_factory=lambda: ["read", "write"])


class ApiKeyOut(msgspec.Struct):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(key.id, key.name, key.prefix, list(key.scopes), key.created_at, key.last_used_at, key.revoked_at)


class NewApiKeyOut(msgspec.Struct):
    key: str  # shown once
    api_key: ApiKeyOut

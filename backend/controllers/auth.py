from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post

from backend.auth import admins_only, forget_credential, forget_credential_id
from backend.db import ServicesDep, SessionDep
from backend.schemas.auth import ApiKeyIn, ApiKeyOut, LoginIn, NewApiKeyOut, TokenOut, UserIn, UserOut
from core.db.models.users import Role
from core.errors import Forbidden
from core.security.principal import Principal
from core.security.tokens import digest
from core.services.auth import AuthService


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/login", summary="Log in with email and password; returns a bearer token", status_code=200)
    async def login(self, data: LoginIn, session: SessionDep, svc: ServicesDep) -> TokenOut:
        user, issued = await AuthService(session).login(data.email, data.password, svc.settings.token_ttl_seconds)
        return TokenOut(issued.secret, "bearer", UserOut.of(user))

    @post(
        "/auth/register",
        summary="Create a student account (public), returns a token",
        status_code=201,
        exclude_from_auth=True,
    )
    async def register(self, data: UserIn, session: SessionDep, svc: ServicesDep) -> TokenOut:
        if data.role != "student":
            raise Forbidden("self-registration creates student accounts only")
        auth = AuthService(session)
        await auth.create_user(data.email, data.password, data.name, Role.STUDENT)
        user, issued = await auth.login(data.email, data.password, svc.settings.token_ttl_seconds)
        return TokenOut(issued.secret, "bearer", UserOut.of(user))

    @post("/auth/logout", status_code=204, summary="Revoke the current bearer token")
    async def logout(self, request: Request[Principal, Any, Any], session: SessionDep, svc: ServicesDep) -> None:
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        if token:
            await AuthService(session).logout(token)
            forget_credential(svc, digest(token))

    @get("/auth/me", summary="The calling user")
    async def me(self, request: Request[Principal, Any, Any]) -> UserOut:
        p = request.user
        return UserOut(p.user_id, p.email, p.name, p.role.value)

    @post("/users", guards=[admins_only], status_code=201, summary="Create a user (admin)")
    async def create_user(self, data: UserIn, session: SessionDep) -> UserOut:
        user = await AuthService(session).create_user(data.email, data.password, data.name, Role(data.role))
        return UserOut.of(user)

    @get("/api-keys", summary="My API keys (without their secrets)")
    async def list_keys(self, request: Request[Principal, Any, Any], session: SessionDep) -> list[ApiKeyOut]:
        return [ApiKeyOut.of(k) for k in await AuthService(session).list_api_keys(request.user.user_id)]

    @post("/api-keys", status_code=201, summary="Create an API key; the key is shown only in this response")
    async def create_key(
        self, data: ApiKeyIn, request: Request[Principal, Any, Any], session: SessionDep
    ) -> NewApiKeyOut:
        if request.user.via == "api_key":
            raise Forbidden("API keys cannot create API keys: log in")
        key, issued = await AuthService(session).create_api_key(request.user.user_id, data.name, list(data.scopes))
        return NewApiKeyOut(issued.secret, ApiKeyOut.of(key))

    @delete("/api-keys/{key_id:str}", status_code=200, summary="Revoke an API key")
    async def revoke_key(
        self, key_id: str, request: Request[Principal, Any, Any], session: SessionDep, svc: ServicesDep
    ) -> ApiKeyOut:
        key = await AuthService(session).revoke_api_key(request.user.user_id, key_id)
        forget_credential_id(svc, key.id)
        return ApiKeyOut.of(key)

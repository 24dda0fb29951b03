from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, delete, get, post

from backend.auth import admins_only, forget_credential, forget_credential_id
from backend.db import ServicesDep, SessionDep
from backend.rate_limits import account_key, acquire, client_ip, ensure_not_blocked
from backend.schemas.auth import ApiKeyIn, ApiKeyOut, LoginIn, NewApiKeyOut, TokenOut, UserIn, UserOut
from core.db.models.users import Role
from core.errors import Forbidden, Unauthenticated
from core.security.password_policy import check_password
from core.security.principal import Principal
from core.security.rate_limits import Rule
from core.security.tokens import digest
from core.services.auth import AuthService, normalise_email, verify_login


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/login", summary="Log in with email and password; returns a bearer token", status_code=200)
    async def login(
        self, data: LoginIn, request: Request[Any, Any, Any], session: SessionDep, svc: ServicesDep
    ) -> TokenOut:
        account, ip = account_key(data.email), client_ip(request)
        # Every try on an account counts, atomically (parallel guesses cannot slip past), and
        # a success clears the count: so only failures add up. Past the limit even the right
        # password gets 429 until the window moves on. Per address, failures count.
        await ensure_not_blocked(svc, Rule.LOGIN_IP, ip)
        await acquire(svc, Rule.LOGIN_ACCOUNT, account)
        async with svc.read_sessions() as reads:  # no write transaction while argon2 runs
            user = await AuthService(reads, svc.passwords).find_login(data.email)
        try:
            new_hash = await verify_login(svc.passwords, user, data.password)
        except Unauthenticated:
            await svc.limits.record(Rule.LOGIN_IP, ip)
            raise
        if user is None:  # verify_login refuses a missing user: never here
            raise Unauthenticated("wrong email or password")
        await svc.limits.reset(Rule.LOGIN_ACCOUNT, account)
        issued = await AuthService(session, svc.passwords).open_session(user, svc.settings.token_ttl_seconds, new_hash)
        return TokenOut(issued.secret, "bearer", UserOut.of(user))

    @post(
        "/auth/register",
        summary="Create a student account (public), returns a token",
        status_code=201,
        exclude_from_auth=True,
    )
    async def register(
        self, data: UserIn, request: Request[Any, Any, Any], session: SessionDep, svc: ServicesDep
    ) -> TokenOut:
        if data.role != "student":
            raise Forbidden("self-registration creates student accounts only")
        email = normalise_email(data.email)
        # A rejected password is not a registration: fix it and try again.
        await asyncio.to_thread(check_password, data.password, email, data.name)
        await acquire(svc, Rule.REGISTER_IP, client_ip(request))
        await acquire(svc, Rule.REGISTER_ACCOUNT, account_key(email))
        auth = AuthService(session, svc.passwords)
        user = await auth.create_user(email, data.password, data.name, Role.STUDENT)
        issued = await auth.open_session(user, svc.settings.token_ttl_seconds)
        return TokenOut(issued.secret, "bearer", UserOut.of(user))

    @post("/auth/logout", status_code=204, summary="Revoke the current bearer token")
    async def logout(self, request: Request[Principal, Any, Any], session: SessionDep, svc: ServicesDep) -> None:
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        if token:
            await AuthService(session, svc.passwords).logout(token)
            forget_credential(svc, digest(token))

    @get("/auth/me", summary="The calling user")
    async def me(self, request: Request[Principal, Any, Any]) -> UserOut:
        p = request.user
        return UserOut(p.user_id, p.email, p.name, p.role.value)

    @post("/users", guards=[admins_only], status_code=201, summary="Create a user (admin)")
    async def create_user(self, data: UserIn, session: SessionDep, svc: ServicesDep) -> UserOut:
        auth = AuthService(session, svc.passwords)
        user = await auth.create_user(data.email, data.password, data.name, Role(data.role))
        return UserOut.of(user)

    @get("/api-keys", summary="My API keys (without their secrets)")
    async def list_keys(
        self, request: Request[Principal, Any, Any], session: SessionDep, svc: ServicesDep
    ) -> list[ApiKeyOut]:
        keys = await AuthService(session, svc.passwords).list_api_keys(request.user.user_id)
        return [ApiKeyOut.of(k) for k in keys]

    @post("/api-keys", status_code=201, summary="Create an API key; the key is shown only in this response")
    async def create_key(
        self, data: ApiKeyIn, request: Request[Principal, Any, Any], session: SessionDep, svc: ServicesDep
    ) -> NewApiKeyOut:
        if request.user.via == "api_key":
            raise Forbidden("API keys cannot create API keys: log in")
        auth = AuthService(session, svc.passwords)
        key, issued = await auth.create_api_key(request.user.user_id, data.name, list(data.scopes))
        return NewApiKeyOut(issued.secret, ApiKeyOut.of(key))

    @delete("/api-keys/{key_id:str}", status_code=200, summary="Revoke an API key")
    async def revoke_key(
        self, key_id: str, request: Request[Principal, Any, Any], session: SessionDep, svc: ServicesDep
    ) -> ApiKeyOut:
        key = await AuthService(session, svc.passwords).revoke_api_key(request.user.user_id, key_id)
        forget_credential_id(svc, key.id)
        return ApiKeyOut.of(key)

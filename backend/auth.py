"""Authentication (bearer token or X-API-Key) and role guards."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from backend.state import Services
from core.errors import Unauthenticated
from core.security.principal import Principal
from core.security.tokens import digest
from core.services.auth import AuthService

PUBLIC_PATHS = [
    "^/health",
    "^/metrics",
    "^/schema",
    "^/api/v1/auth/login$",
    "^/favicon.ico$",
    "^/$",
]


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        svc: Services = connection.app.state.services
        api_key = connection.headers.get("x-api-key")
        token = _bearer(connection.headers.get("authorization"))
        if token is None and connection.scope["type"] == "websocket":
            # Browsers cannot set headers on a websocket: accept the token as a query parameter.
            token = connection.query_params.get("token")
        if api_key:
            principal = await _resolve(svc, api_key, via_key=True)
        elif token:
            principal = await _resolve(svc, token, via_key=False)
        else:
            raise NotAuthorizedException("log in, or send an API key in the X-API-Key header")
        return AuthenticationResult(user=principal, auth=principal.credential_id)


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def _resolve(svc: Services, secret: str, *, via_key: bool) -> Principal:
    key = digest(secret)
    cached = svc.principals.get(key)
    if cached is not None:
        return cached
    async with svc.sessions() as session:
        auth = AuthService(session)
        try:
            principal = await (auth.principal_for_api_key(secret) if via_key else auth.principal_for_token(secret))
        except Unauthenticated as exc:
            raise NotAuthorizedException(exc.message) from exc
    svc.principals[key] = principal
    return principal


def forget_credential(svc: Services, secret_digest: str) -> None:
    svc.principals.pop(secret_digest, None)


def forget_credential_id(svc: Services, credential_id: str) -> None:
    for key, principal in list(svc.principals.items()):
        if principal.credential_id == credential_id:
            svc.principals.pop(key, None)


def teachers_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.user.is_teacher:
        raise PermissionDeniedException("this needs a teacher account")


def admins_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.user.is_admin:
        raise PermissionDeniedException("this needs an admin account")


def writes_allowed(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A read-only API key may only read."""
    principal = connection.scope.get("user")  # absent on public routes
    method = connection.scope.get("method", "GET")  # websockets have none
    if principal is not None and method not in ("GET", "HEAD", "OPTIONS") and not principal.can_write():
        raise PermissionDeniedException("this API key is read-only (scope 'write' is missing)")

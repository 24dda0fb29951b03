"""Authentication (bearer token or X-API-Key) and role guards."""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from typing import Any
from urllib.parse import parse_qs

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.state import Services
from core.errors import Unauthenticated
from core.security.principal import Principal
from core.security.tokens import digest
from core.services.auth import AuthService

log = logging.getLogger(__name__)
PUBLIC = re.compile(r"^(/health|/metrics|/schema|/api/v1/auth/login$|/favicon\.ico$|/$)")


class AuthMiddleware:
    """Puts the caller's Principal in scope["user"], or answers 401.

    A plain ASGI middleware (it runs after routing, so the route's opt is known): on a
    cached credential it costs a header scan and one dictionary lookup.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            scope["type"] == "lifespan"
            or (handler is not None and handler.opt.get("exclude_from_auth"))
            or (PUBLIC.match(scope["path"]))
        ):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket" and credential(scope)[0] is None:
            # Browsers cannot set headers on a websocket: the handler takes the token from
            # the first message instead (backend/controllers/chat.py), never from the URL.
            scope["user"] = None
            await self.app(scope, receive, send)
            return
        principal = await self.authenticate(scope)
        if not principal.can_write() and scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
            raise PermissionDeniedException("this API key is read-only (scope 'write' is missing)")
        scope["user"] = principal
        scope["auth"] = principal.credential_id
        await self.app(scope, receive, send)

    async def authenticate(self, scope: Scope) -> Principal:
        svc: Services = scope["litestar_app"].state.services
        secret, via_key = credential(scope)
        if secret is None:
            raise NotAuthorizedException("log in, or send an API key in the X-API-Key header")
        return await _resolve(svc, secret, via_key=via_key)


def credential(scope: Scope) -> tuple[str | None, bool]:
    """The request's secret and whether it is an API key (which wins over a token)."""
    api_key = token = None
    for name, value in scope["headers"]:
        if name == b"x-api-key":
            api_key = value.decode("latin-1").strip()
        elif name == b"authorization":
            token = _bearer(value.decode("latin-1"))
    if token is None and scope["type"] == "websocket":
        # Deprecated: a token in the URL ends up in access logs (ours redact it, a proxy's may
        # not). Clients send {"token": ...} as the first message instead.
        token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
        if token:
            _warn_query_token()
    if api_key:
        return api_key, True
    return token or None, False


class QueryTokenWarning(UserWarning):
    """A websocket client put its token in the URL."""


def _warn_query_token() -> None:
    # Python's warning registry says it once per process (the default filter), without a
    # flag of our own.
    warnings.warn(
        "a websocket client sent its token in the URL (?token=), which is deprecated: "
        'send {"token": ...} as the first message instead',
        QueryTokenWarning,
        stacklevel=1,
    )


def credential_digest(scope: Scope) -> str | None:
    """The key of the request's credential in the principal cache."""
    secret, _ = credential(scope)
    return digest(secret) if secret is not None else None


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def resolve_secret(svc: Services, secret: str, *, via_key: bool = False) -> Principal:
    """The principal of a token (or API key) given in a message rather than a header."""
    return await _resolve(svc, secret, via_key=via_key)


async def _resolve(svc: Services, secret: str, *, via_key: bool) -> Principal:
    key = digest(secret)
    cached = svc.principals.get(key)
    if cached is not None:
        return cached
    pending = svc.inflight_principals.get(key)
    if pending is not None:
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            if not pending.cancelled():
                raise  # this request was cancelled
        # The request doing the lookup went away (its client left): look up ourselves.
        return await _lookup(svc, secret, via_key)
    pending = asyncio.get_running_loop().create_future()
    svc.inflight_principals[key] = pending
    try:
        principal = await _lookup(svc, secret, via_key)
    except asyncio.CancelledError:
        pending.cancel()
        raise
    except Exception as exc:
        pending.set_exception(exc)
        pending.exception()  # marked retrieved: no warning when nobody waited
        raise
    else:
        svc.principals[key] = principal
        pending.set_result(principal)
        return principal
    finally:
        svc.inflight_principals.pop(key, None)


async def _lookup(svc: Services, secret: str, via_key: bool) -> Principal:
    async with svc.read_sessions() as session:
        auth = AuthService(session, svc.passwords)
        try:
            return await (auth.principal_for_api_key(secret) if via_key else auth.principal_for_token(secret))
        except Unauthenticated as exc:
            raise NotAuthorizedException(exc.message) from exc


def forget_credential(svc: Services, secret_digest: str) -> None:
    svc.principals.pop(secret_digest, None)


def forget_credential_id(svc: Services, credential_id: str) -> None:
    for key, principal in list(svc.principals.items()):
        if principal.credential_id == credential_id:
            svc.principals.pop(key, None)


async def teachers_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.user.is_teacher:
        raise PermissionDeniedException("this needs a teacher account")


async def admins_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.user.is_admin:
        raise PermissionDeniedException("this needs an admin account")

"""Every error leaves the API in one JSON shape: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response, WebSocket
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    TooLarge,
    Unauthenticated,
    UnsupportedMedia,
)
from core.outages import RETRY_AFTER_SECONDS, classify

log = logging.getLogger(__name__)

STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedMedia: 415,
    ServiceUnavailable: 503,
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    503: "service_unavailable",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def _response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> Response[Any]:
    return Response(error_body(code, message, details), status_code=status, media_type=MediaType.JSON, headers=headers)


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)
    headers = {"WWW-Authenticate": 'Bearer realm="profai"'} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return _response(status, exc.code, exc.message, exc.details, headers)


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s: %s", status, exc.detail)
    details = exc.extra if isinstance(exc, ValidationException) else None
    message = exc.detail
    if isinstance(exc, ValidationException) and details:
        message = "the request is invalid: " + "; ".join(_describe(item) for item in details)  # type: ignore[union-attr]
    return _response(status, HTTP_CODES.get(status, "error"), message, details, exc.headers)


def _describe(item: Any) -> str:
    if isinstance(item, dict):
        key = item.get("key")
        return f"{key}: {item.get('message')}" if key else str(item.get("message"))
    return str(item)


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    outage = classify(exc)
    if outage is not None:
        # A component is down or restarting (core/outages.py): not a bug, and the
        # client may simply try again. The driver's words stay in the log.
        log.warning("%s %s: %s unavailable (%s)", request.method, request.url.path, outage.component, outage.detail)
        return _response(
            503,
            "service_unavailable",
            outage.message,
            {"component": outage.component.value},
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _response(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}


# "Try again later" (RFC 6455 registry): what a socket gets when a component is down.
WS_TRY_AGAIN_LATER = 1013


def outage_event(exc: BaseException) -> dict[str, Any] | None:
    """The error event a socket or stream client gets for an outage, or None for other errors."""
    outage = classify(exc)
    if outage is None:
        return None
    log.warning("stream or socket: %s unavailable (%s)", outage.component, outage.detail)
    return {
        "type": "error",
        "code": "service_unavailable",
        "message": outage.message,
        "retry_after": RETRY_AFTER_SECONDS,
    }


async def close_for_outage(socket: WebSocket[Any, Any, Any], exc: BaseException) -> bool:
    """Tell the client and close with 1013 when `exc` is an outage; False (nothing done) otherwise."""
    event = outage_event(exc)
    if event is None:
        return False
    try:
        await socket.send_json(event)
        await socket.close(code=WS_TRY_AGAIN_LATER, reason=str(event["message"])[:120])
    except Exception:
        log.debug("socket closed before the outage could be reported", exc_info=True)
    return True

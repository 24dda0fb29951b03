from __future__ import annotations

import msgspec


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields: a typo gets a 400, not silence."""


class ErrorDetail(msgspec.Struct):
    code: str
    message: str
    details: object | None = None


class ErrorOut(msgspec.Struct):
    error: ErrorDetail

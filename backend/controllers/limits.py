"""GET /api/v1/limits: what the API accepts, so that clients state the real limits, not a copy.

Public (no credentials): the numbers are the same for everyone and say nothing about anyone.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from backend.db import ServicesDep
from core.ingestion.filetypes import EXTENSIONS, SUPPORTED

MB = 1024 * 1024


class Limits(msgspec.Struct, kw_only=True):
    max_file_bytes: int
    max_file_mb: float
    max_files_per_request: int
    max_request_bytes: int
    max_pages: int
    file_types: list[str]
    extensions: list[str]


class LimitsController(Controller):
    path = "/api/v1/limits"
    tags = ["limits"]

    @get("", summary="Upload limits and accepted file types (no authentication)", exclude_from_auth=True)
    async def limits(self, svc: ServicesDep) -> Limits:
        s = svc.settings
        return Limits(
            max_file_bytes=int(s.max_file_mb * MB),
            max_file_mb=s.max_file_mb,
            max_files_per_request=s.max_files_per_request,
            max_request_bytes=int(s.max_request_mb * MB),
            max_pages=s.max_pages,
            file_types=list(SUPPORTED),
            extensions=list(EXTENSIONS),
        )

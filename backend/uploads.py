"""Turning a multipart request into the domain's IncomingFile stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from core.errors import InvalidInput
from core.services.documents import IncomingFile

READ_SIZE = 1024 * 1024


async def files_from_form(
    request: Request[Any, Any, Any], field: str = "files"
) -> tuple[list[IncomingFile], dict[str, str]]:
    """The uploaded files under `field` (several allowed) and the plain text fields."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidInput("send the files as multipart/form-data in the field 'files'")
    form = await request.form()
    uploads = [v for v in form.getall(field) if isinstance(v, UploadFile)] if field in form else []
    strays = [k for k, v in form.multi_items() if isinstance(v, UploadFile) and k != field]
    if strays:
        raise InvalidInput(f"files must be sent in the field '{field}', not {sorted(set(strays))}")
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    return [IncomingFile(u.filename or "unnamed", _chunks(u)) for u in uploads], fields


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while True:
        data = await upload.read(READ_SIZE)
        if not data:
            break
        yield data

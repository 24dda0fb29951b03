"""Input the database or the parsers cannot take is a 400 before any handler sees it.

PostgreSQL refuses NUL in text, and other control characters have no business in a title, an
id or a search term: text in paths, query strings, form fields, file names and JSON bodies
(`backend/schemas/common.py` `Input`) is checked against one rule, `control_character`.
Bodies the decoders choke on (JSON nested past the recursion limit, a form part without a
file name holding binary data) are client errors too, not crashes.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.exceptions import ClientException
from litestar.types import ASGIApp, Receive, Scope, Send

# C0 controls and DEL; tab, line feed and carriage return are ordinary in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a path, a query string or a file name not even those.
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")


def control_character(text: str, *, multiline: bool = True) -> str | None:
    """The first forbidden character of `text` as U+XXXX, or None when it is clean."""
    found = (_CONTROL if multiline else _CONTROL_OR_NEWLINE).search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def check_text(text: str, where: str, *, multiline: bool = True) -> None:
    bad = control_character(text, multiline=multiline)
    if bad is not None:
        raise ClientException(f"{where} holds a control character ({bad})")


class GuardedRequest(Request[Any, Any, Any]):
    """Litestar's request whose body decoders fail as client errors."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("the JSON body is nested too deeply") from None

    async def form(self) -> FormMultiDict:
        try:
            form = await super().form()
        except UnicodeDecodeError:
            # Litestar decodes a part without a file name as text: binary content there is a file
            # sent without its name (filename="" is how a browser sends "no file chosen").
            raise ClientException(
                "a form part without a file name holds binary data: send files with filename=\"...\""
            ) from None
        for name, value in form.multi_items():
            check_text(name, "a form field name", multiline=False)
            if isinstance(value, UploadFile):
                check_text(value.filename or "", f"the file name in '{name}'", multiline=False)
            else:
                check_text(value, f"the form field '{name}'")
        return form


class InputGuardMiddleware:
    """Refuses control characters in the path and the query string (before auth and handlers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            if _CONTROL_OR_NEWLINE.search(scope["path"]):
                raise ClientException("the URL path holds a control character")
            query = scope.get("query_string", b"")
            if query and _CONTROL_BYTES.search(unquote_to_bytes(query)):
                raise ClientException("the query string holds a control character")
        await self.app(scope, receive, send)

"""Decide what a file really is from its bytes; the name only chooses among text formats.

A teacher's "notes.pdf" may be anything. Binary formats are recognised by their signature
(and DOCX/PPTX by the members of the ZIP), text by decoding; everything else is refused
before a parser sees it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import puremagic

from core.ingestion.types import ParseError

SUPPORTED = ("pdf", "docx", "pptx", "md", "txt", "html")
# The names clients offer in a file picker. The bytes decide (a text file under any name is
# read as text); these are the usual names of the formats above.
EXTENSIONS = (".pdf", ".docx", ".pptx", ".md", ".markdown", ".txt", ".html", ".htm")
_HEAD_BYTES = 8192
_EXECUTABLES = {
    b"\x7fELF": "an ELF executable",
    b"MZ": "a Windows executable",
    b"\xfe\xed\xfa\xce": "a Mach-O executable",
    b"\xfe\xed\xfa\xcf": "a Mach-O executable",
    b"\xcf\xfa\xed\xfe": "a Mach-O executable",
    b"\xca\xfe\xba\xbe": "a Mach-O or Java class file",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.ppt/.xls
_MARKDOWN_EXT = {".md", ".markdown", ".mdown", ".mkd"}
_HTML_EXT = {".html", ".htm", ".xhtml"}


def detect_type(path: Path, filename: str) -> str:
    """Return one of SUPPORTED for the file at `path`, or raise ParseError("unsupported file type ...")."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head:
        raise ParseError("unsupported file type: the file is empty")
    # the PDF spec lets readers accept junk before the header within the first KB
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    if head.startswith(_OLE2):
        raise ParseError("unsupported file type: legacy Office format (.doc/.ppt); save it as DOCX or PPTX")
    text = _decode_text(head)
    if text is None:
        raise ParseError(f"unsupported file type: {_describe(head)}")
    ext = Path(filename).suffix.lower()
    start = text.lstrip("\ufeff \t\r\n")[:512].lower()
    if ext in _HTML_EXT or start.startswith(("<!doctype html", "<html")):
        return "html"
    if ext in _MARKDOWN_EXT:
        return "md"
    return "txt"


def _zip_type(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        raise ParseError("unsupported file type: a damaged ZIP archive") from None
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    raise ParseError("unsupported file type: a ZIP archive that is neither DOCX nor PPTX")


def _decode_text(head: bytes) -> str | None:
    """The head as text, or None when it is binary. UTF-8 first (a multi-byte char may be cut
    at the end of the head); other 8-bit text is accepted when nearly all of it is printable."""
    if b"\x00" in head:
        return None
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                break
    text = head.decode("latin-1")
    printable = sum(ch.isprintable() or ch in "\t\r\n\f" for ch in text)
    return text if printable >= 0.97 * len(text) else None


def _describe(head: bytes) -> str:
    for magic, what in _EXECUTABLES.items():
        if head.startswith(magic):
            return what
    try:
        guess = puremagic.from_string(head, mime=True)
    except puremagic.PureError:
        guess = ""
    return guess or "binary data"

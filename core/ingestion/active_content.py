"""Active content in an uploaded file: what would run if the original were opened as it is.

Nothing here blocks an upload: the text is still taught, the original is only ever served as
an attachment under a sandboxing CSP (backend/controllers/documents.py) and students see
rendered page images. The findings are told to the teacher as the ingest job's warnings, so
that a file carrying scripts does not go unnoticed.

Looked for: PDF JavaScript (said to run on opening when the PDF has an OpenAction: most
PDFs have one that only opens a page, which is harmless alone), Launch actions and embedded
files (by pdfium and by the PDF's names, `#xx` escapes decoded); a file that is also an HTML
page or a ZIP archive (polyglots: a browser or an unzipper would see another file); SVG or
HTML scripts inside a text file.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_ACTIONS = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": "a Launch action (starts a program)",
    b"EmbeddedFile": "embedded files",
    b"EmbeddedFiles": "embedded files",
    b"RichMedia": "rich media (Flash)",
    b"XFA": "an XFA form (scriptable)",
}
_HTML = re.compile(rb"<\s*(html|script|iframe|body|svg)[\s>/]", re.IGNORECASE)
_SCRIPT = re.compile(rb"<\s*script[\s>/]|\bon(load|error|click|mouseover)\s*=|javascript:", re.IGNORECASE)
_ZIP_END = b"PK\x05\x06"  # end of a ZIP's central directory: unzippers read from the end
MAX_SCAN_BYTES = 64 * 1024 * 1024  # a name scan beyond this costs more than it tells


def scan(path: Path, kind: str) -> list[str]:
    """What in the file at `path` (detected as `kind`) could run; [] when nothing."""
    with path.open("rb") as fh:
        data = fh.read(MAX_SCAN_BYTES)
    findings: list[str] = []
    if kind == "pdf":
        findings += _pdf_findings(path, data)
    if kind in ("pdf", "docx", "pptx") and _HTML.search(data[:4096] + data[-4096:]):
        findings.append(f"it is also an HTML page (a {kind.upper()}/HTML polyglot)")
    if kind not in ("docx", "pptx") and _ZIP_END in data[-66_000:]:
        findings.append(f"it is also a ZIP archive (a {kind.upper()}/ZIP polyglot)")
    if kind in ("md", "txt", "html") and _SCRIPT.search(data):
        what = "SVG" if re.search(rb"<\s*svg[\s>]", data, re.IGNORECASE) else "HTML"
        findings.append(f"it holds {what} script")
    return findings


def _pdf_findings(path: Path, data: bytes) -> list[str]:
    found: dict[str, None] = {}
    for match in _PDF_NAME.finditer(data):
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _PDF_ACTIONS:
            found[_PDF_ACTIONS[name]] = None
    try:  # what pdfium itself sees, compressed object streams included
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return list(found)
    try:
        raw = ctypes.cast(pdf.raw, pdfium_c.FPDF_DOCUMENT)
        if pdfium_c.FPDFDoc_GetJavaScriptActionCount(raw) > 0:
            found["JavaScript"] = None
        if pdfium_c.FPDFDoc_GetAttachmentCount(raw) > 0:
            found["embedded files"] = None
    finally:
        pdf.close()
    automatic = b"/OpenAction" in data or b"/AA" in data
    return [
        f"it holds {what}" + (" that may run when it is opened" if automatic and what != "embedded files" else "")
        for what in found
    ]

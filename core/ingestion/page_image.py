"""A PDF page as a PNG, so that a cited page can be shown where the citation is read."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium

from core.ingestion.types import ParseError

MAX_WIDTH_PX = 1400


def render_page(path: Path, page: int, width_px: int = 1000) -> bytes:
    """PNG of 1-based `page`; ParseError if the page does not exist or the file can't render."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ParseError("the file is not a readable PDF") from exc
    try:
        if not 1 <= page <= len(pdf):
            raise ParseError(f"the document has no page {page} (it has {len(pdf)})")
        target = pdf[page - 1]
        scale = min(width_px, MAX_WIDTH_PX) / max(1.0, target.get_width())
        image = target.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        pdf.close()

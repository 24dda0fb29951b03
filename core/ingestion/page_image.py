"""A PDF page as a PNG, so that a cited page can be shown where the citation is read.

A page's size is whatever the file says (a 1 x 14,400 pt strip is valid PDF), so the render
is bounded by its total pixels and its longest side, not only its width: one request never
allocates more than `max_pixels` x 4 bytes of bitmap (16 MB at the 4 MP default).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pypdfium2 as pdfium

from core.ingestion.types import ParseError

MAX_WIDTH_PX = 1400
DEFAULT_MAX_PIXELS = 4_000_000
DEFAULT_MAX_SIDE_PX = 8000


def render_scale(
    width_pt: float, height_pt: float, width_px: int, max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side_px: int = DEFAULT_MAX_SIDE_PX,
) -> float:
    """Pixels per point: the asked width, scaled down until both the area and the sides fit."""
    width_pt, height_pt = max(1.0, width_pt), max(1.0, height_pt)
    scale = min(width_px, MAX_WIDTH_PX) / width_pt
    scale = min(scale, math.sqrt(max_pixels / (width_pt * height_pt)), max_side_px / max(width_pt, height_pt))
    return scale


def render_page(
    path: Path, page: int, width_px: int = 1000, *, max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side_px: int = DEFAULT_MAX_SIDE_PX,
) -> bytes:
    """PNG of 1-based `page`; ParseError if the page does not exist or the file can't render."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ParseError("the file is not a readable PDF") from exc
    try:
        if not 1 <= page <= len(pdf):
            raise ParseError(f"the document has no page {page} (it has {len(pdf)})")
        target = pdf[page - 1]
        width, height = target.get_size()
        scale = render_scale(width, height, width_px, max_pixels, max_side_px)
        try:
            image = target.render(scale=scale).to_pil()
        except pdfium.PdfiumError as exc:
            raise ParseError(f"page {page} cannot be rendered") from exc
        out = io.BytesIO()
        # optimize=True costs seconds on a large page for a few percent: level 6 is the default.
        image.save(out, format="PNG")
        return out.getvalue()
    finally:
        pdf.close()

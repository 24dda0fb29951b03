"""Page renders are bounded whatever the page's shape; the page cache stays under its size."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core.ingestion.page_cache import PageCache
from core.ingestion.page_image import render_scale


@pytest.mark.parametrize(
    ("width", "height"), [(1, 14_400), (100, 14_400), (14_400, 1), (612, 792), (14_400, 14_400), (0, 0)]
)
def test_render_scale_bounds_pixels_and_sides(width: float, height: float) -> None:
    scale = render_scale(width, height, 1000, max_pixels=4_000_000, max_side_px=8000)
    w, h = max(1.0, width) * scale, max(1.0, height) * scale
    assert w * h <= 4_000_000 * 1.0001 and max(w, h) <= 8000 * 1.0001 and w <= 1000.0001


def test_an_ordinary_page_keeps_the_asked_width() -> None:
    assert render_scale(612, 792, 1000) == pytest.approx(1000 / 612)


def test_page_cache_trims_least_recently_used(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    folder.mkdir()
    cache = PageCache(tmp_path, max_bytes=100_000)
    source = folder / "doc"
    source.write_bytes(b"%PDF-")
    for page in range(1, 11):
        cache.put(source, page, b"x" * 20_000)
        past = time.time() - 1000 + page  # older pages were used longer ago
        os.utime(cache.path(source, page), (past, past))
    cache.trim()
    kept = sorted(int(p.name.split("page")[1].split(".")[0]) for p in folder.glob("*.page*.png"))
    assert sum(p.stat().st_size for p in folder.glob("*.page*.png")) <= 90_000
    assert kept and kept == list(range(11 - len(kept), 11))  # the most recently used stay
    assert cache.get(source, 10) == b"x" * 20_000 and cache.get(source, 1) is None
    assert source.exists()  # the PDF itself is never a page image

"""Active content is found in the files that carry it, and not in the fixtures' ordinary ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from core.ingestion.active_content import scan
from core.ingestion.filetypes import detect_type
from tests.fixtures_path import FIXTURES


def plain_pdf() -> bytes:
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(612, 792)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_with(catalog_extra: str, objects: str = "") -> bytes:
    """A small hand-written PDF whose catalog carries `catalog_extra` (pdfium repairs the xref)."""
    return (
        "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R " + catalog_extra + " >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n"
        + objects
        + "trailer << /Root 1 0 R >>\n%%EOF\n"
    ).encode()


def write(tmp_path: Path, name: str, data: bytes) -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, detect_type(path, name)


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("js.pdf", pdf_with("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript that may run"),
        ("escaped.pdf", pdf_with("/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"), "JavaScript"),
        ("launch.pdf", pdf_with("/OpenAction << /S /Launch /F (calc.exe) >>"), "Launch action"),
        (
            "attached.pdf",
            pdf_with(
                "/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>", "4 0 obj << /Type /Filespec >> endobj\n"
            ),
            "embedded files",
        ),
        ("page.pdf", plain_pdf() + b"\n<html><body><script>alert(1)</script></body></html>\n", "HTML page"),
        ("archive.pdf", plain_pdf() + zip_bytes(), "ZIP archive"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG script"),
        ("notes.md", b"# Notes\n\n<img src=x onerror=alert(1)>\n", "HTML script"),
    ],
)
def test_active_content_is_found(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path, kind = write(tmp_path, name, data)
    findings = scan(path, kind)
    assert any(expected in f for f in findings), findings


def test_ordinary_files_have_none(tmp_path: Path) -> None:
    # Most PDFs have an OpenAction that only opens a page: not active content by itself.
    path, kind = write(tmp_path, "goto.pdf", pdf_with("/OpenAction [3 0 R /Fit]"))
    assert scan(path, kind) == []
    for fixture in sorted(FIXTURES.iterdir()):
        if fixture.suffix in (".pdf", ".docx", ".pptx", ".md"):
            assert scan(fixture, detect_type(fixture, fixture.name)) == [], fixture.name

"""Parsing the real fixture documents, and refusing bad files with the documented messages."""

from __future__ import annotations

import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from core.ingestion.filetypes import detect_type
from core.ingestion.parser import parse_document, parse_document_inline
from core.ingestion.types import ParsedDocument, ParseError, Section
from tests.fixtures_path import FIXTURES

TUTORIAL = FIXTURES / "python-tutorial-3.11.pdf"


def parse(name: str, max_pages: int = 2000) -> ParsedDocument:
    return parse_document_inline(FIXTURES / name, name, max_pages=max_pages)


def by_title(doc: ParsedDocument, title: str) -> Section:
    """The section with this title that has text (a table of contents may repeat the title)."""
    return next(s for s in doc.sections if s.title == title and s.paragraphs)


@pytest.fixture(scope="module")
def tutorial() -> ParsedDocument:
    return parse(TUTORIAL.name)


# --- PDFs ------------------------------------------------------------------------------


def test_tutorial_pages_and_chapters(tutorial: ParsedDocument) -> None:
    assert tutorial.page_count == 125 and len(tutorial.pages) == 125
    assert tutorial.has_outline
    assert tutorial.title == "The Python Tutorial"
    chapters = [s.title for s in tutorial.sections if s.level == 1]
    assert "8. Errors and Exceptions" in chapters
    assert "5. Data Structures" in chapters
    assert "14. Interactive Input Editing and History Substitution" in chapters
    assert not any(s.title.startswith("8.1.") for s in tutorial.sections if s.level == 1)
    # nested bookmarks keep their depth and their chain of parents
    syntax = by_title(tutorial, "8.1. Syntax Errors")
    assert syntax.level == 2
    assert syntax.path == ("8. Errors and Exceptions", "8.1. Syntax Errors")
    deep = by_title(tutorial, "4.8.3.1. Positional-or-Keyword Arguments")
    assert deep.level == 4 and len(deep.path) == 4 and deep.path[0] == "4. More Control Flow Tools"


def test_tutorial_sections_start_mid_page_at_their_heading(tutorial: ParsedDocument) -> None:
    # "8. Errors and Exceptions" starts part-way down a page that ends chapter 7
    errors = by_title(tutorial, "8. Errors and Exceptions")
    page_text = tutorial.pages[errors.page_start - 1]
    assert errors.paragraphs[0].text.startswith("Until now error messages")
    before = page_text[: page_text.index("Until now error messages")]
    assert "8. Errors and Exceptions" in before  # the heading is on that page, just above
    # the heading line itself is the title, not a paragraph
    assert all(p.text != "8. Errors and Exceptions" for p in errors.paragraphs)


def test_tutorial_text_is_clean(tutorial: ParsedDocument) -> None:
    text = "\n".join(tutorial.pages)
    assert "\ufffe" not in text and "\x02" not in text and "\u00ad" not in text
    assert "ﬁ" not in text and "ﬂ" not in text
    assert "write/compile/test/recompile" in text  # soft hyphen at a line break: word rejoined
    # bare page numbers at the foot of each page are gone
    assert all(not page.rstrip().endswith(f"\n{i}") for i, page in enumerate(tutorial.pages, 1))


def test_pdflatex_outline_splits_sections_within_a_page() -> None:
    doc = parse("pdflatex-outline.pdf")
    assert doc.has_outline and doc.page_count == 4
    outlined = [s for s in doc.sections if s.level >= 1]
    # this file's outline is flat: nine top-level bookmarks, three of them on page 2
    assert [s.title for s in outlined] == ["Foo", "Bar", "Baz"] * 3
    assert [s.page_start for s in outlined[:3]] == [2, 2, 2]
    for section in outlined:
        assert section.paragraphs[0].text.startswith("Hello, here is some text without a meaning.")


def test_multicolumn_pdf_uses_font_sizes_for_headings() -> None:
    doc = parse("multicolumn.pdf")
    assert doc.page_count == 3 and not doc.has_outline
    titles = {s.title: s for s in doc.sections}
    assert "Abstract" in titles
    assert titles["Two-Column Document with Lorem Ipsum"].level < titles["Abstract"].level
    assert "Lorem ipsum dolor sit amet" in " ".join(doc.pages)


def test_slides_pdf() -> None:
    doc = parse("nlp_11-transformers.pdf")
    assert doc.page_count == 39 and doc.has_outline
    elmo = by_title(doc, "ELMo (Allen Institute for AI, 2018)")
    assert elmo.page_start == 8 and elmo.path == ("Contextual embeddings", elmo.title)
    # slide counters ("8 / 39") and the navigation sidebar are not text of the page
    assert "8 / 39" not in doc.pages[7]
    assert "KV-attention" not in doc.pages[7]


# --- office formats --------------------------------------------------------------------


def test_docx_headings_become_sections() -> None:
    doc = parse("errors-and-exceptions.docx")
    chapter = by_title(doc, "8. Errors and Exceptions")
    syntax = by_title(doc, "8.1. Syntax Errors")
    assert syntax.level == chapter.level + 1
    assert syntax.path == ("8. Errors and Exceptions", "8.1. Syntax Errors")
    assert syntax.paragraphs[0].text.startswith("Syntax errors, also known as parsing errors")
    assert doc.page_count >= 2  # no page breaks in the file: virtual pages of ~3000 chars


def test_site_navigation_saved_with_a_web_page_is_dropped() -> None:
    """A table of contents and navigation bar would become lessons and tutor citations."""
    for name in ("errors-and-exceptions.docx", "input-output.md", "data-structures.pptx"):
        doc = parse(name)
        titles = [s.title for s in doc.sections]
        for chrome in ("Table of Contents", "Navigation", "Previous topic", "This Page"):
            assert chrome not in titles, (name, chrome)
    assert by_title(parse("errors-and-exceptions.docx"), "8.10. Enriching Exceptions with Notes").paragraphs


def test_pptx_slides_are_pages_and_titles_sections() -> None:
    doc = parse("data-structures.pptx")
    assert doc.page_count == 2  # the fixture has two slides
    first = doc.sections[0]
    assert first.title == "5. Data Structures — Python 3.11.2 documentation" and first.level == 1
    lists = by_title(doc, "5.1. More on Lists")
    assert lists.page_start == 2 and lists.level > 1
    assert {p.page for s in doc.sections for p in s.paragraphs} <= {1, 2}


def test_markdown_headings_with_levels() -> None:
    doc = parse("input-output.md")
    chapter = by_title(doc, "7. Input and Output")
    fancy = by_title(doc, "7.1. Fancier Output Formatting")
    literals = by_title(doc, "7.1.1. Formatted String Literals")
    assert (chapter.level, fancy.level, literals.level) == (1, 2, 3)
    assert literals.path == (chapter.title, fancy.title, literals.title)
    assert fancy.paragraphs[0].text.startswith("So far we’ve encountered two ways of writing values")


def test_html_and_text(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"  # the name says text, the content says HTML
    page.write_text(
        "<!DOCTYPE html><html><body><h1>Intro</h1><p>First words here.</p>"
        "<h2>Details</h2><p>More words follow.</p></body></html>"
    )
    doc = parse_document_inline(page, page.name, max_pages=10)
    assert by_title(doc, "Details").path == ("Intro", "Details")
    notes = tmp_path / "notes.txt"
    notes.write_text("Loops\n=====\n\nA loop repeats.\n\nAnother paragraph.\n")
    doc = parse_document_inline(notes, notes.name, max_pages=10)
    assert [p.text for p in by_title(doc, "Loops").paragraphs] == ["A loop repeats.", "Another paragraph."]


# --- bad files -------------------------------------------------------------------------


def _encrypted_pdf() -> bytes:
    """A one-page PDF with a standard-security /Encrypt dictionary whose user password is not
    empty (the /U entry matches no key), which is what a password-protected upload looks like."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _blank_pdf(path: Path) -> None:
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(612, 792)
    pdf.new_page(612, 792)
    pdf.save(str(path))
    pdf.close()


def _expect(path: Path, message: str, max_pages: int = 2000) -> None:
    with pytest.raises(ParseError) as err:
        parse_document_inline(path, path.name, max_pages=max_pages)
    assert str(err.value) == message or str(err.value).startswith(message)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf())
    _expect(path, "the PDF is password-protected")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(TUTORIAL.read_bytes()[:20_000])
    _expect(path, "the file is not a readable PDF (corrupt?)")


def test_pdf_without_text(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _blank_pdf(path)
    _expect(path, "no extractable text (scanned?)")


def test_too_many_pages() -> None:
    _expect(TUTORIAL, "too many pages: 125 (limit 3)", max_pages=3)


def test_executable_renamed_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    shutil.copyfile(sys.executable, path)  # an ELF (or Mach-O) binary
    _expect(path, "unsupported file type")
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200))
    _expect(path, "unsupported file type")


def test_random_bytes_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "essay.docx"
    path.write_bytes(os.urandom(4096))
    _expect(path, "unsupported file type")


def test_zip_that_is_not_office(tmp_path: Path) -> None:
    path = tmp_path / "slides.pptx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    _expect(path, "unsupported file type")


def test_type_comes_from_content_not_name(tmp_path: Path) -> None:
    assert detect_type(FIXTURES / "data-structures.pptx", "lecture.docx") == "pptx"
    assert detect_type(FIXTURES / "errors-and-exceptions.docx", "noext") == "docx"
    assert detect_type(FIXTURES / "multicolumn.pdf", "paper.txt") == "pdf"
    assert detect_type(FIXTURES / "input-output.md", "input-output.md") == "md"
    assert detect_type(FIXTURES / "input-output.md", "input-output.txt") == "txt"


# --- isolation in a child process -------------------------------------------------------


def test_parse_in_child_process() -> None:
    doc = parse_document(TUTORIAL, TUTORIAL.name, max_pages=2000, timeout_seconds=60)
    assert doc.page_count == 125 and any(s.title == "8. Errors and Exceptions" for s in doc.sections)


def test_parse_in_child_reports_parse_errors() -> None:
    with pytest.raises(ParseError, match=r"^too many pages: 125 \(limit 3\)$"):
        parse_document(TUTORIAL, TUTORIAL.name, max_pages=3, timeout_seconds=60)


def test_timeout() -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError, match=r"^parsing took longer than 0.01s$"):
        parse_document(TUTORIAL, TUTORIAL.name, max_pages=2000, timeout_seconds=0.01)
    assert time.perf_counter() - start < 10


def test_memory_cap() -> None:
    with pytest.raises(ParseError, match=r"^the file needs too much memory to parse$"):
        parse_document(TUTORIAL, TUTORIAL.name, max_pages=2000, timeout_seconds=60, max_memory_mb=1)

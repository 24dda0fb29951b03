"""The outline is the material's structure (core/generation/outline.py): a module per chapter,
however many; no front or back matter in a lesson; no lesson under 40 words; one copy of a
chapter two documents hold. On the fixture documents and on books built here."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from core.generation.outline import Outline, clean_title, plan_outline
from core.ingestion.chunking import chunk_document
from core.ingestion.parser import _finish_sections, parse_document_inline
from core.ingestion.types import Chunk, Paragraph, ParsedDocument, Section
from core.pipeline.generation import duplicate_warnings
from tests.fixtures_path import FIXTURES

Doc = tuple[str, ParsedDocument, list[Chunk]]
# What a reader calls front or back matter (this test's own list, not the product's).
MATTER_TITLE = re.compile(
    r"^(?:(?:table of )?contents|index|bibliography|references|acknowledge?ments|copyright|title page"
    r"|list of (?:figures|tables)|about the authors?|colophon|thank you!?|inhaltsverzeichnis|literaturverzeichnis"
    r"|stichwortverzeichnis|further reading)$",
    re.I,
)
PROSE = re.compile(r"[^\W\d_]{2,}")
FIXTURE_NAMES = (
    "python-tutorial-3.11.pdf",
    "nlp_11-transformers.pdf",
    "lshort-6.4.pdf",  # a book with front and back matter (added with the fixtures of issue 17)
    "discrete-maths-notes.pdf",  # lecture notes full of formulas, ending in "Further Reading" (same)
    "pdflatex-outline.pdf",
    "multicolumn.pdf",
    "errors-and-exceptions.docx",
    "data-structures.pptx",
    "input-output.md",
)


@cache
def load(name: str) -> Doc:
    path = FIXTURES / name
    doc = parse_document_inline(Path(path), name, max_pages=1500)
    return name, doc, chunk_document(doc, document_id=name, course_id="course")


@cache
def outline_of(*names: str) -> Outline:
    return plan_outline([load(name) for name in names])


def words(chunks: list[Chunk]) -> int:
    return sum(1 for c in chunks for token in c.text.split() if PROSE.search(token))


def level_one_bookmarks(name: str) -> list[str]:
    pdf = pdfium.PdfDocument(str(FIXTURES / name))
    try:
        return [" ".join(bm.get_title().split()) for bm in pdf.get_toc(max_depth=1)]
    finally:
        pdf.close()


# ---- the fixture documents -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "chapters"),
    [
        ("python-tutorial-3.11.pdf", 16),
        ("nlp_11-transformers.pdf", 3),
        ("lshort-6.4.pdf", 7),
        ("discrete-maths-notes.pdf", 7),
    ],
)
def test_every_level_one_bookmark_chapter_is_a_module(name: str, chapters: int) -> None:
    _, doc, _ = load(name)
    marks = level_one_bookmarks(name)
    after_preface = marks[marks.index("Preface") + 1 :] if "Preface" in marks else marks
    expected = [clean_title(t) for t in after_preface if t != doc.title and not MATTER_TITLE.search(t)]
    modules = outline_of(name).modules
    assert [m.title for m in modules] == expected
    assert len(modules) == chapters


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_no_module_or_lesson_is_front_or_back_matter(name: str) -> None:
    modules = outline_of(name).modules
    titles = [m.title for m in modules] + [lesson.title for m in modules for lesson in m.lessons]
    assert not [t for t in titles if MATTER_TITLE.search(t)]
    for module in modules:
        for lesson in module.lessons:
            for chunk in lesson.chunks:
                top = chunk.section.split(" > ")[0]
                assert not MATTER_TITLE.search(clean_title(top)), (lesson.title, chunk.section)
                assert len(re.findall(r"(?:\. ){4,}\.? ?\d+", chunk.text)) < 3, (lesson.title, chunk.text[:200])


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_no_lesson_under_40_words(name: str) -> None:
    for module in outline_of(name).modules:
        assert module.lessons
        for lesson in module.lessons:
            assert words(lesson.chunks) >= 40, (module.title, lesson.title)


def test_a_book_keeps_its_preface_and_loses_contents_bibliography_and_index() -> None:
    chunks = load("lshort-6.4.pdf")[2]
    modules = outline_of("lshort-6.4.pdf").modules
    preface = modules[0].lessons[0]
    assert preface.title == "Preface" and len(preface.chunks) <= 6
    assert all(c.section == "Preface" for c in preface.chunks)
    taught = {c.id for m in modules for lesson in m.lessons for c in lesson.chunks}
    back = [c for c in chunks if c.section.split(" > ")[0] in ("Bibliography", "Index")]
    assert back and not any(c.id in taught for c in back)
    # a section that teaches how to make a bibliography is course material, not back matter
    specialities = next(m for m in modules if m.title == "Specialities")
    sections = {c.section for lesson in specialities.lessons for c in lesson.chunks}
    assert "Specialities > Bibliography" in sections
    # the title page, the copyright page and the contents (pages 1-2, 7-14) teach nothing
    pages = {p for m in modules for lesson in m.lessons for c in lesson.chunks for p in (c.page_start, c.page_end)}
    assert not pages & {1, 2, *range(8, 15)}


def test_slides_references_are_left_out() -> None:
    modules = outline_of("nlp_11-transformers.pdf").modules
    assert [m.title for m in modules][-1] == "Transformer-based contextual embeddings"
    assert not any("Natural Language Processing" in c.text for m in modules for x in m.lessons for c in x.chunks)


# ---- one chapter in two documents ---------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ("errors-and-exceptions.docx", "python-tutorial-3.11.pdf"),
        ("python-tutorial-3.11.pdf", "errors-and-exceptions.docx"),
    ],
)
def test_a_chapter_in_two_documents_is_taught_once_and_reported(names: tuple[str, str]) -> None:
    """Two copies of one text: the copy of the document uploaded first stays (what the course had)."""
    first, second = names
    plan = outline_of(*names)
    titles = [m.title for m in plan.modules]
    assert titles.count("Errors and Exceptions") == 1
    assert len(titles) == len(outline_of("python-tutorial-3.11.pdf").modules)
    kept = [
        c.document_id for m in plan.modules if m.title == "Errors and Exceptions" for x in m.lessons for c in x.chunks
    ]
    assert set(kept) == {first}
    [dup] = plan.duplicates
    assert (dup.title, dup.kept_document_id, dup.dropped_document_id) == ("Errors and Exceptions", first, second)
    [warning] = duplicate_warnings(plan.duplicates, {"python-tutorial-3.11.pdf": "tutorial.pdf"})
    assert "“Errors and Exceptions”" in warning and "tutorial.pdf" in warning
    assert "errors-and-exceptions.docx" in warning


def test_a_document_with_part_of_a_chapter_gives_way_to_the_whole_chapter() -> None:
    sections = [(2, f"1.{i} Section {i}", prose(f"sec{i}", 400)) for i in range(1, 5)]
    part = book([(1, "1 Kernels", prose("k", 100)), *sections[:2]], title="Handout", doc_id="handout")
    whole = book([(1, "1 Kernels", prose("k", 100)), *sections, (1, "2 Images", prose("i", 800))], doc_id="notes")
    plan = plan_outline([part, whole])
    assert [m.title for m in plan.modules] == ["Kernels", "Images"]
    assert {c.document_id for x in plan.modules[0].lessons for c in x.chunks} == {"notes"}
    assert [(d.kept_document_id, d.dropped_document_id) for d in plan.duplicates] == [("notes", "handout")]


def test_different_documents_on_different_chapters_are_not_duplicates() -> None:
    plan = outline_of("errors-and-exceptions.docx", "input-output.md", "nlp_11-transformers.pdf")
    assert not plan.duplicates
    assert len(plan.modules) == sum(len(outline_of(n).modules) for n in plan_names(plan))


def plan_names(plan: Outline) -> set[str]:
    return {c.document_id for m in plan.modules for lesson in m.lessons for c in lesson.chunks}


# ---- books built here ----------------------------------------------------------------------


def prose(seed: str, n: int) -> str:
    rng = random.Random(seed)
    vocabulary = [
        *("matrix", "vector", "space", "linear", "map", "basis", "dimension", "kernel", "image", "rank"),
        *("theorem", "proof", "field", "scalar", "eigenvalue", "polynomial", "determinant", "inner"),
        *("product", "norm", "orthogonal", "projection", "subspace", "sum"),
    ]
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < n:
        sentences.append(" ".join(rng.choice(vocabulary) for _ in range(9)).capitalize() + ".")
    return " ".join(sentences)


def book(entries: list[tuple[int, str, str]], title: str = "", doc_id: str = "book") -> Doc:
    """(level, heading, text) -> a parsed and chunked document, one page per entry."""
    sections, pages = [], []
    for level, heading, text in entries:
        pages.append(f"{heading}\n{text}")
        sections.append(Section(heading, level, [Paragraph(text, len(pages))] if text else []))
    _finish_sections(sections, title)
    doc = ParsedDocument(title, len(pages), pages, sections, has_outline=True)
    return doc_id, doc, chunk_document(doc, document_id=doc_id, course_id="course")


CONTENTS = "\n".join(f"{i} Chapter title number {i} . . . . . . . {10 * i}" for i in range(1, 20))


def textbook() -> Doc:
    """Like the teacher's 244-page book: front matter, a preface, 19 chapters, 2 appendices, back matter."""
    entries = [
        (0, "", "Linear Algebra Done Here"),
        (0, "", "Copyright © 2024 The Author. All rights reserved. ISBN 978-0-00-000000-0"),
        (0, "", CONTENTS),
        (1, "Preface", prose("preface", 300)),
        (1, "Contents", CONTENTS),
    ]
    for i in range(1, 20):
        entries += [(1, f"{i} Chapter {i}", prose(f"c{i}", 60)), (2, f"{i}.1 First part", prose(f"c{i}a", 400))]
        entries += [(2, f"{i}.2 Second part", prose(f"c{i}b", 400))]
    entries += [(1, "Appendix A Sets", prose("a", 500)), (1, "Appendix B Logic", prose("b", 500))]
    entries += [(1, "Bibliography", "[1] A. Author. A book. Press, 1999.\n" * 30)]
    entries += [(1, "Index", "\n".join(f"term {i}, {i}, {i + 40}" for i in range(80)))]
    entries += [(1, "About the Author", prose("about", 120))]
    return book(entries, title="Linear Algebra Done Here")


def test_twenty_one_chapters_are_twenty_one_modules() -> None:
    modules = plan_outline([textbook()]).modules
    expected = [f"Chapter {i}" for i in range(1, 20)] + ["Appendix A Sets", "Appendix B Logic"]
    assert [m.title for m in modules] == expected
    assert modules[0].lessons[0].title == "Preface"
    for module in modules:
        for lesson in module.lessons:
            assert words(lesson.chunks) >= 40
            assert not any(c.section.split(" > ")[0] in ("Contents", "Bibliography", "Index") for c in lesson.chunks)
            assert not any("ISBN" in c.text or ". . . ." in c.text for c in lesson.chunks)


def test_chapters_inside_parts_are_modules_and_a_parts_opening_text_opens_its_first_chapter() -> None:
    entries = [(1, "Part I Foundations", prose("p1", 80))]
    entries += [(2, "1 Sets", prose("s", 500)), (3, "1.1 Finite sets", prose("fs", 300))]
    entries += [(2, "2 Maps", prose("m", 500))]
    entries += [(1, "Part II Structures", prose("p2", 80))]
    entries += [(2, "3 Groups", prose("g", 500)), (2, "4 Rings", prose("r", 500))]
    doc = book(entries, title="Algebra")
    modules = plan_outline([doc]).modules
    assert [m.title for m in modules] == ["Sets", "Maps", "Groups", "Rings"]
    opening = {c.section for c in modules[2].lessons[0].chunks}
    assert "Part II Structures" in opening


def test_a_short_section_joins_its_neighbour_in_the_same_module() -> None:
    entries = [(1, "1 Vectors", prose("v", 100)), (2, "1.1 Adding", prose("add", 700))]
    entries += [(2, "1.2 A remark", "Vectors add componentwise."), (2, "1.3 Scaling", prose("sc", 700))]
    entries += [(1, "2 Matrices", prose("ma", 100)), (2, "2.1 Products", prose("pr", 700))]
    entries += [(2, "2.2 Note", "Products do not commute.")]
    modules = plan_outline([book(entries, title="Notes")]).modules
    assert [m.title for m in modules] == ["Vectors", "Matrices"]
    for module, remark in zip(modules, ("1.2 A remark", "2.2 Note"), strict=True):
        assert all(words(lesson.chunks) >= 40 for lesson in module.lessons)
        assert any(c.section.endswith(remark) for lesson in module.lessons for c in lesson.chunks)


def test_german_lecture_notes_lose_their_directories() -> None:
    entries = [(1, "Inhaltsverzeichnis", CONTENTS)]
    entries += [(1, f"{i} Kapitel {i}", prose(f"k{i}", 600)) for i in range(1, 5)]
    entries += [(1, "Literaturverzeichnis", "[1] B. Autor. Ein Buch. Verlag, 2001.\n" * 20)]
    entries += [(1, "Abbildungsverzeichnis", CONTENTS), (1, "Stichwortverzeichnis", CONTENTS)]
    modules = plan_outline([book(entries, title="Analysis")]).modules
    assert [m.title for m in modules] == [f"Kapitel {i}" for i in range(1, 5)]


def test_a_chapters_closing_reference_list_is_left_out() -> None:
    references = " ".join(f"[{i}] A. Author and B. Author. A paper. Journal, {1990 + i}." for i in range(12))
    entries = [(1, "1 Kernels", prose("k", 600)), (2, "1.1 Definitions", prose("d", 600))]
    entries += [(2, "1.2 References", references), (1, "2 Images", prose("i", 600))]
    modules = plan_outline([book(entries, title="Notes")]).modules
    sections = {c.section for m in modules for lesson in m.lessons for c in lesson.chunks}
    assert "1 Kernels > 1.2 References" not in sections and "1 Kernels > 1.1 Definitions" in sections


# ---- without bookmarks: headings by font size and numbering -------------------------------


@pytest.mark.parametrize("name", ["python-tutorial-3.11.pdf", "lshort-6.4.pdf", "discrete-maths-notes.pdf"])
def test_without_bookmarks_the_headings_give_the_same_chapters(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_bookmarks = [m.title.lower() for m in outline_of(name).modules]
    monkeypatch.setattr("core.ingestion.pdf._bookmarks", lambda pdf: [])
    doc = parse_document_inline(FIXTURES / name, name, max_pages=1500)
    assert not doc.has_outline
    modules = plan_outline([(name, doc, chunk_document(doc, document_id=name, course_id="course"))]).modules
    titles = [m.title.lower().removeprefix("appendix a ") for m in modules]
    assert titles == with_bookmarks
    assert all(words(lesson.chunks) >= 40 for m in modules for lesson in m.lessons)
    if name == "python-tutorial-3.11.pdf":  # sections are found by their numbers ("4.1. if Statements")
        lessons = [lesson.title for m in modules for lesson in m.lessons]
        assert "Handling Exceptions" in lessons and "Python Scopes and Namespaces" in lessons


def test_an_index_without_a_heading_of_its_own_is_left_out() -> None:
    index = " ".join(f"term{i}, {i}, {i + 40}–{i + 42}" for i in range(120))
    entries = [(1, "1 Kernels", prose("k", 600)), (1, "2 Images", prose("i", 600)), (2, "2.1 Ranks", prose("r", 300))]
    entries += [(2, "2.2 Last words", prose("l", 200) + "\n" + index)]
    _, doc, chunks = book(entries, title="Notes")
    modules = plan_outline([("book", doc, chunks)]).modules
    taught = [c for m in modules for lesson in m.lessons for c in lesson.chunks]
    assert not any("term7, 7" in c.text for c in taught)
    assert any(c.section == "2 Images > 2.2 Last words" for c in taught)  # the prose before it stays


def test_a_short_deck_of_slides_is_packed_into_few_modules() -> None:
    entries = [(1, f"Slide title {i}", prose(f"slide{i}", 60)) for i in range(12)]
    modules = plan_outline([book(entries, title="Deck")]).modules
    assert 1 <= len(modules) <= 3
    assert sum(len(m.lessons) for m in modules) < 12
    assert all(words(lesson.chunks) >= 40 for m in modules for lesson in m.lessons)


def test_text_before_the_first_bookmark_keeps_only_its_prose_as_an_introduction() -> None:
    """Bookmarks that start at chapter 1: the pages before hold a title page, a copyright
    notice, the contents and an untitled foreword; only the foreword is taught."""
    entries = [
        (0, "", "Linear Algebra\nA. Author"),
        (0, "", "Copyright © 2024 A. Author. All rights reserved.\nISBN 978-0-00-000000-0"),
        (0, "", CONTENTS),
        (0, "", prose("foreword", 250)),
        (1, "1 Vectors", prose("v", 700)),
        (1, "2 Matrices", prose("m", 700)),
    ]
    _, doc, chunks = book(entries, title="Linear Algebra")
    modules = plan_outline([("book", doc, chunks)]).modules
    assert [m.title for m in modules] == ["Vectors", "Matrices"]
    intro = modules[0].lessons[0]
    assert intro.title == "Introduction"
    assert {c.page_start for c in intro.chunks} == {4}
    taught = " ".join(c.text for m in modules for lesson in m.lessons for c in lesson.chunks)
    assert "ISBN" not in taught and ". . . ." not in taught and "A. Author" not in taught

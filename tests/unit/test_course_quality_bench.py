"""The course-quality benchmark's metrics on tiny hand-made inputs: a broken metric fails here."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from bench.course_quality import (
    body_words,
    chapter_coverage,
    distractors_matching,
    fenced_blocks,
    headings,
    is_matter,
    matter_pages,
    phrase_type,
    question_kind,
    quote_on_page,
    runs,
    source_code_blocks,
    top_chapters,
)
from core.ingestion.types import Citation, Paragraph, ParsedDocument, QuestionDraft, Section


def _question(prompt: str, options: list[str], answer: int = 0) -> QuestionDraft:
    return QuestionDraft(prompt, options, answer, "", Citation("d", 1, "q"))


def test_front_and_back_matter_by_title() -> None:
    for title in (
        "Contents",
        "Table of Contents",
        "Index",
        "7 Bibliography",
        "Acknowledgements",
        "Thank you!",
        "List of Figures",
        "References",
        "Copyright",
    ):
        assert is_matter(title), title
    for title in ("Functions", "Indexing", "Referencing cells", "Introduction"):
        assert not is_matter(title), title
    assert is_matter("My Book", doc_title="My Book")


def test_chapter_coverage_counts_chapters_with_their_own_module() -> None:
    chapters = ["Preface", "1 Sets", "2 Logic", "3 Relations", "Index"]
    modules = ["Sets", "Logic and Relations", "Index"]
    assert chapter_coverage(chapters, modules) == (1, 3)
    assert chapter_coverage(chapters, ["Sets", "Logic (1/2)", "Logic (2/2)", "Relations"]) == (3, 3)
    assert chapter_coverage(["Sets", "Sets and maps"], ["Sets and maps"]) == (1, 2)


def test_lesson_words_skip_code_citations_and_heading_marks() -> None:
    body = (
        "### Loops\n\nA loop repeats a block. [1] It stops when told. [2]\n\n```python\nfor i in x:\n    pass\n```\n[3]"
    )
    assert body_words(body) == 10  # "Loops" + 9 words of prose
    assert fenced_blocks(body) == 1
    assert fenced_blocks(body + "\n\n```\nprint(1)\n```") == 2


def test_runs_count_consecutive_code_lines_as_one_block() -> None:
    assert runs([False, True, True, False, True, False, False, True]) == 3
    assert runs([]) == 0


def test_question_kinds_from_the_prompt() -> None:
    assert question_kind("Fill in the blank: A _____ is a sequence.") == "blank"
    assert question_kind("Which term is described as: “an ordered pair”?") == "definition"
    assert question_kind("What does print(2 ** 3) output?") == "code-output"
    assert question_kind("Which statement is true?") == "true-statement"
    assert question_kind("Why?") == "other"


def test_distractors_match_the_answers_phrase_type() -> None:
    assert phrase_type("str.format()") == ("code", "", "")
    assert phrase_type("equivalence relation") == ("phrase", "", "")
    assert phrase_type("tuples") == ("word", "", "s")
    assert phrase_type("looping") == ("word", "", "ing")
    assert phrase_type("these packages") == ("phrase", "det", "s")
    assert phrase_type("too long") == ("phrase", "", "non-noun")
    # a verb phrase, a determiner phrase and an adverb phrase are no options for "math mode"
    assert distractors_matching(_question("?", ["math mode", "make sure", "two words", "input file"])) == (1, 3)
    assert distractors_matching(_question("?", ["lists", "tuples", "sets", "arrays"])) == (3, 3)
    assert distractors_matching(_question("?", ["lists", "tuples", "sets", "dictionaries"])) == (2, 3)  # too long
    # a phrase, a code name and a word of another class do not pass for a plain noun
    assert distractors_matching(_question("?", ["set", "every element", "f.close()", "bar"], 0)) == (1, 3)
    assert distractors_matching(_question("?", ["set", "quickly", "proposition", "map"], 3)) == (1, 3)


def test_quotes_are_compared_whitespace_normalised() -> None:
    page = "A set is an unordered\ncollection with no dupli\ufffecate elements."
    assert quote_on_page("an unordered collection with no dupli-cate elements", page)
    assert not quote_on_page("an ordered collection", page)
    assert not quote_on_page("  ", page)


def _pdf_with_lines(path: Path, lines: list[tuple[str, str]]) -> None:
    """One page, one text line per (font, text), top to bottom."""
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(595, 842)
    for i, (font, text) in enumerate(lines):
        obj = pdfium_c.FPDFPageObj_NewTextObj(doc.raw, font.encode(), 11.0)
        wide = (text + "\0").encode("utf-16-le")
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(wide), ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 72, 780 - 16 * i)
        pdfium_c.FPDFPage_InsertObject(page.raw, obj)
    pdfium_c.FPDFPage_GenerateContent(page.raw)
    doc.save(path)


def test_code_blocks_in_a_pdf_are_runs_of_monospace_lines(tmp_path: Path) -> None:
    pdf = tmp_path / "code.pdf"
    _pdf_with_lines(
        pdf,
        [
            ("Times-Roman", "A list is written in square brackets."),
            ("Courier", ">>> squares = [1, 4, 9]"),
            ("Courier", ">>> squares[0]"),
            ("Times-Roman", "Indexing starts at zero, as the session shows."),
            ("Courier", "print(squares)"),
        ],
    )
    assert source_code_blocks(pdf) == 2


def test_code_blocks_in_markdown_are_its_code_elements(tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text("# T\n\nText.\n\n```python\nx = 1\n```\n\nMore.\n\n    indented = True\n\nEnd `inline`.\n")
    assert source_code_blocks(md) == 2


def test_chapters_skip_the_documents_title_matter_and_empty_headings(tmp_path: Path) -> None:
    def section(title: str, level: int, words: int) -> Section:
        return Section(title, level, [Paragraph("word " * words, 1)] if words else [])

    sections = [
        section("Book — online documentation", 1, 0),  # a title heading with nothing under it
        section("Book", 1, 0),  # the document's title, over all of it
        section("One", 2, 50),
        section("Two", 2, 10),
        section("Two A", 3, 35),  # Two holds 45 words with its subsection
        section("Noise", 2, 5),
        section("Index", 2, 60),
    ]
    parsed = ParsedDocument("book", 1, ["text"], sections)
    marks = headings(tmp_path / "book.md", parsed)
    assert [t for _, t, _ in marks] == ["Book", "One", "Two", "Index"]
    assert top_chapters(marks, parsed.title) == ["One", "Two"]
    one_chapter = [(1, "Book", 1), (2, "Only chapter", 2), (3, "A", 2), (3, "B", 3)]
    assert top_chapters(one_chapter, "book") == ["Only chapter"]
    assert top_chapters([(1, "Book", 1), (1, "Index", 2)], "book") == []


def test_matter_pages_cover_front_and_back_matter() -> None:
    marks = [(1, "Preface", 3), (1, "1 Sets", 5), (2, "1.1 Members", 6), (1, "2 Maps", 9), (1, "Index", 12)]
    assert matter_pages(marks, "Book", 14) == {1, 2, 3, 4, 12, 13, 14}

"""Offline course generation: outline, extractive lessons, text-built quizzes."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from core.generation.lesson_text import write_structured_lesson as write_lesson
from core.generation.matter import Matter, title_matter
from core.generation.outline import build_outline
from core.generation.quiz import balance_positions, extract_terms, make_questions
from core.generation.writer import CourseWriter, OfflineWriter
from core.ingestion.types import Chunk, ModuleDraft, Paragraph, ParsedDocument, QuestionDraft, Section
from tests.fixtures_path import FIXTURES

Course = list[tuple[str, ParsedDocument, list[Chunk]]]


def norm(text: str) -> str:
    """Whitespace/case-normalised text (and the PDF hyphen marks a page may carry)."""
    return " ".join(text.replace("\ufffe", "-").replace("\u00ad", "").lower().split())


def _sample() -> Course:
    """A small in-memory document: two chapters with subsections, one page per section."""
    texts = {
        ("Tuples",): "A tuple is an immutable sequence of values separated by commas. "
        "Tuples are often used to return several values from one function. "
        "You can unpack a tuple into variables with a single assignment statement.",
        ("Tuples", "Packing"): "Packing puts several values into one tuple without any brackets. "
        "The reverse operation is called sequence unpacking and works for any sequence on the right. "
        "Sequence unpacking requires as many variables on the left as there are elements.",
        ("Sets",): "A set is an unordered collection with no duplicate elements at all. "
        "Basic uses of a set include membership testing and eliminating duplicate entries. "
        "Curly braces or the set() function can be used to create a new set.",
        ("Sets", "Operations"): "Set objects support mathematical operations like union and intersection. "
        "The union of two sets contains every element that is in either of the sets. "
        "A dictionary is a mapping from unique keys to values stored in a hash table.",
    }
    sections, chunks, pages = [], [], []
    for i, (path, text) in enumerate(texts.items()):
        pages.append(f"Header line\n{path[-1]}\n{text}\n{i + 1}")
        sections.append(Section(path[-1], len(path), [Paragraph(text, i + 1)], path))
        chunks.append(Chunk(f"c{i}", "d1", "k", i, " > ".join(path), i + 1, i + 1, text))
    doc = ParsedDocument("Sample", len(pages), pages, sections, has_outline=True)
    return [("d1", doc, chunks)]


@cache
def _load(name: str) -> Course:
    from core.ingestion import chunking, parser  # a missing module is a failure, never a skip

    path = FIXTURES / name
    assert path.exists(), f"fixture {name} is missing from tests/fixtures"
    doc = parser.parse_document_inline(Path(path), name, max_pages=1500)
    return [(name, doc, chunking.chunk_document(doc, document_id=name, course_id="course"))]


def _pages(course: Course) -> dict[str, list[str]]:
    return {doc_id: doc.pages for doc_id, doc, _ in course}


COURSES: dict[str, Callable[[], Course]] = {
    "sample": _sample,
    "tutorial": lambda: _load("python-tutorial-3.11.pdf"),
    "pptx": lambda: _load("data-structures.pptx"),
    "docx": lambda: _load("errors-and-exceptions.docx"),
}


@pytest.fixture(params=list(COURSES))
def course(request: pytest.FixtureRequest) -> Course:
    return COURSES[request.param]()


def _check_outline(course: Course, modules: list[ModuleDraft]) -> None:
    seen = Counter(c.id for m in modules for lesson in m.lessons for c in lesson.chunks)
    assert all(n == 1 for n in seen.values()), "a chunk is in more than one lesson"
    for _, doc, chunks in course:
        taught = [c.ordinal for c in chunks if c.id in seen]
        assert taught, doc.title
        for chunk in chunks:
            # left out: front or back matter by its heading, or the title page before the first heading
            left_out = chunk.id not in seen
            assert not left_out or _is_matter_heading(chunk.section) or chunk.ordinal < min(taught), chunk
    for module in modules:
        assert module.title and 1 <= len(module.lessons) <= 12
        assert all(lesson.title and lesson.chunks for lesson in module.lessons)


def _is_matter_heading(section: str) -> bool:
    return any(title_matter(title) is not Matter.CONTENT for title in section.split(" > "))


def test_outline_every_chunk_once_and_deterministic(course: Course) -> None:
    modules = build_outline(course)
    _check_outline(course, modules)
    assert build_outline(course) == modules


def test_outline_follows_sample_chapters() -> None:
    modules = build_outline(_sample())
    assert [m.title for m in modules] == ["Tuples", "Sets"]


def test_one_chapter_is_one_module_with_a_lesson_per_section() -> None:
    """A document holding a single chapter: its sections are lessons, not modules each."""
    modules = build_outline(_load("errors-and-exceptions.docx"))
    assert [m.title for m in modules] == ["Errors and Exceptions"]
    titles = [lesson.title for lesson in modules[0].lessons]
    assert titles[0] == "Syntax Errors" and titles[-1] == "Enriching Exceptions with Notes"
    assert "Handling Exceptions" in titles and len(titles) >= 8


def test_outline_follows_tutorial_chapters() -> None:
    modules = build_outline(_load("python-tutorial-3.11.pdf"))
    titles = [m.title for m in modules]
    assert 14 <= len(titles) <= 17, titles
    for chapter in ("Errors and Exceptions", "Data Structures", "Classes", "Modules"):
        assert any(chapter in t for t in titles), (chapter, titles)
    assert not any(t.lower() in ("contents", "the python tutorial") for t in titles)


SAMPLE_POOL = ["tuple", "set", "dictionary", "sequence unpacking", "hash table", "set()", "list()", "dict()", "len()"]


def _questions(course: Course, seed: str = "s1") -> list[list[QuestionDraft]]:
    pages = _pages(course)
    pool = SAMPLE_POOL if course == _sample() else extract_terms([c for _, _, chunks in course for c in chunks])
    modules = build_outline(course)
    return [
        make_questions([c for lesson in m.lessons for c in lesson.chunks], pages, n=10, seed=seed, term_pool=pool)
        for m in modules
    ]


def test_lessons_cite_pages_that_contain_each_sentence(course: Course) -> None:
    pages = _pages(course)
    lessons = [write_lesson(lesson, pages=pages) for m in build_outline(course) for lesson in m.lessons]
    assert sum(len(lesson.citations) for lesson in lessons) > 0
    for lesson in lessons:
        prose = re.sub(r"(?ms)^(`{3,})\w*\n.*?\n\1$", "", lesson.body)  # code is shown verbatim: no markers in it
        markers = [int(n) for n in re.findall(r"(?:^|(?<=\s))\[(\d+)\](?=\s|$)", prose, re.M)]
        assert markers == list(range(1, len(lesson.citations) + 1))
        for citation in lesson.citations:
            assert norm(citation.quote) in norm(pages[citation.document_id][citation.page - 1])
        assert "\ufffe" not in lesson.body and "•" not in lesson.body


def test_quizzes_are_well_formed_balanced_and_grounded(course: Course) -> None:
    pages = _pages(course)
    quizzes = _questions(course)
    assert sum(map(len, quizzes)) > 0
    for quiz in quizzes:
        counts = Counter(q.answer_index for q in quiz)
        if quiz:
            assert max(counts[i] for i in range(4)) - min(counts[i] for i in range(4)) <= 1
        # "Which statement is true?" repeats as a prompt; a question (prompt and options) never does.
        assert len({(q.prompt, *sorted(q.options)) for q in quiz}) == len(quiz)
        for q in quiz:
            assert len(q.options) == 4 and len({o.lower() for o in q.options}) == 4
            answer = q.options[q.answer_index]
            if q.kind != "code_output":  # a session may print the answer at an earlier step too
                assert not re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", q.prompt, re.I)
            quoted = re.search(r'On page (\d+): "(.*)"$', q.explanation)
            assert quoted and int(quoted.group(1)) == q.citation.page
            assert norm(quoted.group(2)) in norm(pages[q.citation.document_id][q.citation.page - 1])
    assert _questions(course) == quizzes


def test_tutorial_quiz_volume() -> None:
    quizzes = _questions(_load("python-tutorial-3.11.pdf"))
    assert sum(map(len, quizzes)) >= 60


def test_balance_positions_spreads_answers() -> None:
    from core.ingestion.types import Citation

    qs = [QuestionDraft(f"q{i}", ["a", "b", "c", "d"], 0, "", Citation("d", 1, "x")) for i in range(10)]
    out = balance_positions(qs, "seed")
    counts = Counter(q.answer_index for q in out)
    assert max(counts.values()) - min(counts.values()) <= 1 and len(counts) == 4
    assert all(q.options[q.answer_index] == "a" for q in out)
    assert balance_positions(qs, "seed") == out


def test_offline_writer_implements_protocol() -> None:
    course = _sample()
    writer = OfflineWriter()
    assert isinstance(writer, CourseWriter)
    lesson = build_outline(course)[0].lessons[0]
    text = asyncio.run(writer.write_lesson(lesson, _pages(course)))
    assert text.citations and text.summary
    chunks = course[0][2]
    qs = asyncio.run(writer.write_questions(chunks, _pages(course), 3, extract_terms(chunks)))
    assert len(qs) <= 3

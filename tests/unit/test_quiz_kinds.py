"""Offline quizzes on the fixture documents: every course with enough text gets quizzes (slides,
DOCX and PPTX included), of several kinds, with options of one kind, no trivia, answers grounded
on the cited page, and wrong options that the course never states."""

from __future__ import annotations

import ast
import re
from collections import Counter
from functools import cache

import pytest

from core.generation.outline import build_outline
from core.generation.quiz import extract_terms, make_questions
from core.ingestion.types import QuestionDraft
from tests.unit.test_generation import Course, _load, _pages, norm

FIXTURE_COURSES = (
    "python-tutorial-3.11.pdf",
    "nlp_11-transformers.pdf",
    "data-structures.pptx",
    "errors-and-exceptions.docx",
    "input-output.md",
)
KINDS = {"cloze", "definition", "true_statement", "code_output"}
# URLs, references to people, figures and pages, version numbers, file names.
TRIVIA = re.compile(
    r"://|www\.|\bet al\b|\bfigure\b|\bpage \d|\bv?\d+\.\d+(?:\.\d+)?\b|\.(?:html?|pdf|txt|org|com)\b", re.I
)


@cache
def quizzes(name: str) -> tuple[list[list[QuestionDraft]], list[QuestionDraft]]:
    """Module quizzes and the final quiz, as the pipeline asks for them (10 and 20 questions)."""
    course: Course = _load(name)
    chunks = [c for _, _, cs in course for c in cs]
    pages, terms = _pages(course), extract_terms(chunks)
    modules = [
        make_questions([c for lesson in m.lessons for c in lesson.chunks], pages, n=10, seed="q", term_pool=terms)
        for m in build_outline(course)
    ]
    return modules, make_questions(chunks, pages, n=20, seed="q", term_pool=terms)


def every_quiz(name: str) -> list[list[QuestionDraft]]:
    modules, final = quizzes(name)
    return [*modules, final]


@pytest.mark.parametrize("name", FIXTURE_COURSES)
def test_every_course_with_text_gets_quizzes(name: str) -> None:
    modules, final = quizzes(name)
    assert sum(map(len, modules)) >= 5, [len(q) for q in modules]
    assert len(final) >= 5
    assert all(q.kind in KINDS for quiz in every_quiz(name) for q in quiz)


def test_the_lecture_slides_get_a_quiz_per_topic() -> None:
    modules, final = quizzes("nlp_11-transformers.pdf")
    teaching = [q for q, m in zip(modules, build_outline(_load("nlp_11-transformers.pdf")), strict=True)
                if m.title != "References"]
    assert sum(1 for q in teaching if q) >= 2, [len(q) for q in modules]
    assert len(final) >= 8


def test_the_tutorial_mixes_kinds() -> None:
    questions = [q for quiz in quizzes("python-tutorial-3.11.pdf")[0] for q in quiz]
    kinds = Counter(q.kind for q in questions)
    assert set(kinds) == KINDS, kinds
    assert all(kinds[k] >= 5 for k in KINDS), kinds
    assert kinds["cloze"] <= 0.5 * len(questions), kinds
    assert len(questions) >= 100


def _option_kind(question: QuestionDraft, option: str) -> str:
    if question.kind == "code_output":
        try:
            return type(ast.literal_eval(option)).__name__
        except (ValueError, SyntaxError):
            return "text"
    if question.kind == "true_statement" or option.endswith("."):
        return "sentence"
    if re.search(r"\(\)$", option):
        return "call"
    if re.search(r"[._]", option):
        return "identifier"
    if " " not in option and re.search(r"[A-Z]", option[1:]):
        return "name"  # ELMo, BERT, TypeError
    return "words"


@pytest.mark.parametrize("name", FIXTURE_COURSES)
def test_options_share_a_kind_and_are_never_trivia(name: str) -> None:
    for quiz in every_quiz(name):
        for q in quiz:
            assert len(q.options) == 4 and len({" ".join(o.lower().split()) for o in q.options}) == 4, q
            assert len({_option_kind(q, o) for o in q.options}) == 1, q
            if q.kind in ("cloze", "definition"):
                assert not any(TRIVIA.search(o) for o in q.options), q
            if q.kind == "cloze":
                assert q.prompt.count("_____") == 1, q


@pytest.mark.parametrize("name", FIXTURE_COURSES)
def test_answers_are_balanced_and_cited_verbatim(name: str) -> None:
    pages = _pages(_load(name))
    for quiz in every_quiz(name):
        counts = Counter(q.answer_index for q in quiz)
        assert max(counts[i] for i in range(4)) - min(counts[i] for i in range(4)) <= 1, counts
        for q in quiz:
            page = norm(pages[q.citation.document_id][q.citation.page - 1])
            assert norm(q.citation.quote) in page, q
            assert q.explanation.endswith(f'On page {q.citation.page}: "{q.citation.quote}"')


@pytest.mark.parametrize("name", FIXTURE_COURSES)
def test_true_statements_are_said_and_false_ones_are_not(name: str) -> None:
    pages = _pages(_load(name))
    everything = " ".join(norm(p) for texts in pages.values() for p in texts)
    seen = 0
    for quiz in every_quiz(name):
        for q in (q for q in quiz if q.kind == "true_statement"):
            seen += 1
            answer = norm(q.options[q.answer_index]).rstrip(".")
            assert answer in norm(pages[q.citation.document_id][q.citation.page - 1]), q
            for wrong in (o for i, o in enumerate(q.options) if i != q.answer_index):
                assert norm(wrong).rstrip(".") not in everything, wrong
    assert seen or name == "nlp_11-transformers.pdf"


def test_code_questions_show_an_example_the_course_prints() -> None:
    pages = _pages(_load("python-tutorial-3.11.pdf"))
    code = [q for quiz in every_quiz("python-tutorial-3.11.pdf") for q in quiz if q.kind == "code_output"]
    assert len(code) >= 10
    for q in code:
        shown = q.prompt.split("\n", 1)[1]
        page = norm(pages[q.citation.document_id][q.citation.page - 1])
        assert shown.lstrip().startswith(">>>")
        assert norm(f"{shown}\n{q.options[q.answer_index]}") in page, q
        for wrong in (o for i, o in enumerate(q.options) if i != q.answer_index):
            assert norm(f"{shown}\n{wrong}") not in page


def test_quizzes_are_deterministic() -> None:
    course = _load("data-structures.pptx")
    chunks = [c for _, _, cs in course for c in cs]
    run = lambda: make_questions(chunks, _pages(course), n=12, seed="x", term_pool=extract_terms(chunks))  # noqa: E731
    assert run() == run()

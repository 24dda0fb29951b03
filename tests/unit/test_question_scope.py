"""Question kinds and the scope rule of the offline tutor."""

from __future__ import annotations

import json

import pytest

from core.generation.extractive import Sentence
from core.ingestion.types import Chunk
from core.services.question_kinds import DEFINITION, FACT, HOW, WHY, code_after, question_kind, shape_bonus
from core.services.scope import course_subject, other_language, out_of_scope, unknown_names
from tests.fixtures_path import FIXTURES

VOCABULARY = frozenset(
    {"python", "function", "list", "tuple", "the", "a", "is", "how", "do", "i", "file", "open", "read", "pointer",
     "integer", "c", "java", "data", "module", "csv", "set"}
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What is a tuple?", DEFINITION),
        ("Was ist ein Tupel?", DEFINITION),
        ("How do I open a file for reading?", HOW),
        ("Wie öffne ich eine Datei?", HOW),
        ("फ़ाइल कैसे खोलें?", HOW),
        ("Why should I use the with keyword?", WHY),
        ("Warum heißt die Sprache Python?", WHY),
        ("Does range(10) include the number 10?", FACT),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def sentence(text: str, chunk_text: str) -> Sentence:
    return Sentence(text, Chunk("c1", "d1", "course", 0, "Files", 1, 1, chunk_text), 0, True)


def test_a_how_answer_brings_the_code_that_follows_its_steps() -> None:
    chunk = ("To open a file for reading, call open() with the mode 'r':\n"
             "f = open('workfile', 'r', encoding='utf-8')\nf.read()\n\nThe next paragraph is prose again.")
    s = sentence("To open a file for reading, call open() with the mode 'r':", chunk)
    assert code_after(s) == "f = open('workfile', 'r', encoding='utf-8')\nf.read()"
    prose = sentence("The next paragraph is prose again.", chunk)
    assert code_after(prose) == ""
    assert shape_bonus(HOW, s, True) > shape_bonus(HOW, prose, False)
    defining = sentence("A tuple is an immutable sequence of values.", "A tuple is an immutable sequence of values.")
    assert shape_bonus(DEFINITION, defining, False) > shape_bonus(DEFINITION, prose, False)
    because = sentence("Use with because the file is closed for you.", "")
    assert shape_bonus(WHY, because, False) > shape_bonus(WHY, prose, False)


def test_names_the_course_never_prints_are_out_of_scope() -> None:
    assert unknown_names("How do I plot a bar chart with matplotlib?", VOCABULARY, False) == ["matplotlib"]
    assert unknown_names("How do I open a file for reading?", VOCABULARY, False) == []
    # Ordinary English words are not names, even when the course lacks them.
    assert unknown_names("Why should I deliberately close it?", VOCABULARY, False) == []
    # In a German question only identifier-like names count: its ordinary words are not English.
    assert unknown_names("Wie verbinde ich mich mit psycopg2?", VOCABULARY, True) == ["psycopg2"]
    assert unknown_names("Wie öffne ich eine Datei zum Lesen?", VOCABULARY, True) == []


def test_another_programming_language_is_out_of_scope() -> None:
    subject = course_subject({"python": 400, "java": 3})
    assert subject == "python" and course_subject({"python": 5}) is None and course_subject({}) is None
    assert other_language("How do I declare a pointer to an integer in C?", subject) == "c"
    assert other_language("What does for c in s do?", subject) is None
    assert other_language("How do lists work in Python?", subject) is None
    assert other_language("C में integer का पॉइंटर कैसे घोषित करें?", subject) == "c"
    assert other_language("Rust-এ borrow checker কী?", subject) == "rust"
    assert other_language("Python में सूची क्या है?", subject) is None
    assert other_language("Wie deklariere ich in C einen Zeiger?", subject) == "c"
    assert out_of_scope("How do templates work in C++?", VOCABULARY, subject, False)
    assert out_of_scope("How do I read a file in Python?", VOCABULARY, subject, False) is None


def test_no_fixture_question_names_something_unknown_to_the_tutorial() -> None:
    """Every answerable fixture question passes the names rule against the tutorial's words."""
    from core.ingestion.parser import parse_document_inline
    from core.services.passages import _WORDS

    parsed = parse_document_inline(FIXTURES / "python-tutorial-3.11.pdf", "python-tutorial-3.11.pdf", max_pages=500)
    vocabulary = frozenset(w for page in parsed.pages for w in _WORDS.findall(page.lower()))
    questions = [q["question"] for q in json.loads((FIXTURES / "python-tutorial-qa.json").read_text())["questions"]]
    assert [q for q in questions if unknown_names(q, vocabulary, False)] == []
    fixture = json.loads((FIXTURES / "python-tutorial-qa-multilingual.json").read_text())
    for item in fixture["translations"]:
        for language, question in item.items():
            assert not unknown_names(question, vocabulary, language in ("de", "fr", "es")), question

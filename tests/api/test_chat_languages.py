"""The tutor across languages, through the real server: a course built with the multilingual
step (TUTOR_MULTILINGUAL=1, off in the rest of the suite), asked in Hindi, Tamil and German."""

from __future__ import annotations

from typing import Any

import pytest

from core.languages import SUPPORTED
from core.pipeline.multilingual_vectors import SUFFIX as E5_SUFFIX
from core.services.tutor_phrases import lead_line, not_covered
from tests.api.test_auth import error_of
from tests.api.tutor_course import SMALL, Course, built_course
from tests.conftest import StackFactory
from tests.harness import Stack


@pytest.fixture
def multilingual(stack_factory: StackFactory) -> tuple[Stack, Course]:
    stack = stack_factory(env={"TUTOR_MULTILINGUAL": "1"})
    return stack, built_course(stack, SMALL, "Input and output")


def ask(course: Course, question: str, **extra: Any) -> dict[str, Any]:
    reply = course.student.post(f"/api/v1/courses/{course.id}/chat", json={"question": question, **extra})
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def quotes(body: dict[str, Any]) -> str:
    return " ".join(c["quote"] for c in body["citations"]).lower()


@pytest.mark.parametrize("stack_factory", ["embedded"], indirect=True)
def test_questions_in_other_languages_find_the_english_pages(multilingual: tuple[Stack, Course]) -> None:
    stack, course = multilingual
    # The job's last step kept the multilingual vectors beside the upload.
    assert list((stack.data_dir / "uploads" / course.id).glob(f"*{E5_SUFFIX}"))

    # Hindi, with no `language`: detected; the quotes are English, and the lead line says so in Hindi.
    hindi = ask(course, "पढ़ने के लिए फ़ाइल कैसे खोलें?")
    assert hindi["mode"] == "extractive" and hindi["citations"], hindi
    assert hindi["material_language"] == "en" and hindi["language"] == "en"
    assert hindi["answer"].startswith(lead_line("hi", "en")), hindi["answer"]
    assert "open(" in hindi["answer"] or "open(" in quotes(hindi) or "file" in quotes(hindi), hindi

    german = ask(course, "Wie speichere ich verschachtelte Listen und Dictionaries als Text in einer Datei?")
    assert german["mode"] == "extractive" and "json" in (german["answer"] + quotes(german)).lower(), german
    assert german["answer"].startswith(lead_line("de", "en"))

    tamil = ask(course, "ஒரு கோப்பைப் படிக்க எப்படித் திறப்பது?", language="ta")
    assert tamil["mode"] == "extractive" and tamil["citations"] and tamil["answer"].startswith(lead_line("ta", "en"))

    # English stays as it was: no lead line about languages.
    english = ask(course, "How do I open a file for reading?")
    assert english["answer"].startswith(lead_line("en", "en")) and english["material_language"] == "en"

    # Off-topic in Hindi is declined in Hindi.
    declined = ask(course, "ऑस्ट्रेलिया की राजधानी क्या है?")
    assert declined["mode"] == "not_covered" and declined["citations"] == []
    assert declined["answer"].startswith(not_covered("hi")), declined


def test_an_unsupported_language_is_a_400_listing_the_supported_ones(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Languages")
    url = f"/api/v1/courses/{course.id}/chat"
    reply = course.student.post(url, json={"question": "What is a list?", "language": "sw"})
    assert reply.status_code == 400, reply.text
    error = error_of(reply)
    details = error["details"]
    assert error["code"] == "unsupported_language" and isinstance(details, dict) and details["supported"] == SUPPORTED
    for code in ("de", "fr", "es", "od", "or"):
        ok = course.student.post(url, json={"question": "What is a list?", "language": code})
        assert ok.status_code == 200, (code, ok.text)

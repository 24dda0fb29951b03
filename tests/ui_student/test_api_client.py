"""The student app's HTTP client and formatting, without a server."""

from __future__ import annotations

import httpx
import pytest

from core.vectors.lite_server import free_port
from ui_student.api import Api, ApiError, error_of, parse_sse
from ui_student.views.chat import message_text, speakable
from ui_student.views.common import citations_html
from ui_student.views.pages import has_page_image, page_choices
from ui_student.views.quiz import result_markdown


def test_sse_events_are_parsed_with_their_names() -> None:
    lines = [
        "event: token",
        'data: {"type": "token", "text": "Hi "}',
        "",
        ": a comment",
        "event: citations",
        'data: {"citations": [{"n": 1}]}',
        "",
        "event: done",
        'data: {"type": "done", "session_id": "s1"}',
    ]
    events = list(parse_sse(iter(lines)))
    assert [e["type"] for e in events] == ["token", "citations", "done"]
    assert events[0]["text"] == "Hi " and events[1]["citations"] == [{"n": 1}] and events[2]["session_id"] == "s1"


def test_api_errors_keep_the_server_message_and_status() -> None:
    body = {"error": {"code": "not_found", "message": "course not found", "details": None}}
    error = error_of(httpx.Response(404, json=body))
    assert (error.message, error.status, error.code) == ("Course not found", 404, "not_found")
    plain = error_of(httpx.Response(502, text="<html>bad gateway</html>"))
    assert plain.status == 502 and "error (502)" in plain.message


def test_an_unreachable_api_is_a_clear_message() -> None:
    with pytest.raises(ApiError, match="Cannot reach the ProfessorAI server") as caught:
        Api(f"http://127.0.0.1:{free_port()}").courses()
    assert caught.value.status == 0


def test_citations_are_escaped_disclosures() -> None:
    rendered = citations_html([{"number": 1, "document_name": "<b>x</b>.pdf", "page": 3, "quote": "a < b"}])
    assert "<details class='citation' id='cite-1' open>" in rendered and "&lt;b&gt;x&lt;/b&gt;.pdf, page 3" in rendered
    assert "a &lt; b" in rendered and "<b>x</b>" not in rendered
    assert "No citations" in citations_html([])


def test_answers_are_read_without_markers() -> None:
    parts = [{"type": "text", "text": "Use **open** [1]."}, {"type": "text", "text": "Then read [2]."}]
    assert speakable(message_text(parts)) == "Use open. Then read."


def test_quiz_result_shows_score_answers_explanations_and_sources() -> None:
    attempt = {
        "score": 50.0,
        "correct": 1,
        "total": 2,
        "results": [
            {
                "prompt": "Q1?",
                "options": ["a", "b", "c", "d"],
                "chosen_index": 1,
                "correct_index": 1,
                "correct": True,
                "explanation": "Because.",
                "citation": {"document_name": "f.md", "page": 2, "quote": "b is right"},
            },
            {
                "prompt": "Q2?",
                "options": ["a", "b", "c", "d"],
                "chosen_index": None,
                "correct_index": 3,
                "correct": False,
                "explanation": "",
                "citation": None,
            },
        ],
    }
    text = result_markdown(attempt)
    assert "Your score: 50% (1 of 2 correct)" in text
    assert "✓ Correct" in text and "B. b" in text and "Because." in text and "f.md, page 2" in text
    assert "✗ Not quite" in text and "*no answer*" in text and "Correct answer: D. d" in text


def test_the_file_type_decides_which_cited_pages_have_images() -> None:
    doc = "d" * 32
    cited = [
        {"n": 1, "document_id": doc, "document_name": "handout", "page": 2, "quote": "q", "file_type": "pdf"},
        {"n": 2, "document_id": "e" * 32, "document_name": "notes.pdf", "page": 1, "quote": "q", "file_type": "md"},
        {"n": 3, "document_id": doc, "document_name": "handout", "page": 2, "quote": "q", "file_type": "pdf"},
    ]
    assert page_choices(cited) == [("[1, 3] handout, page 2", f"{doc}:2")]
    # Answers stored before citations carried a file type: the name is all there is.
    assert has_page_image({"document_name": "slides.PDF"}) and not has_page_image({"document_name": "notes.md"})
    assert has_page_image({"document_name": "notes.md", "file_type": None}) is False
    assert not has_page_image({"document_name": "scan.pdf", "file_type": "docx"})

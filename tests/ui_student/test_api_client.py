"""The student app's HTTP client and formatting, without a server."""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest

from core.vectors.lite_server import free_port
from ui_student.api import Api, ApiError, connect, error_of
from ui_student.views.citations import citations_html, has_page_image, link_markers
from ui_student.views.common import failed, inline
from ui_student.views.outline import outline_of
from ui_student.views.pages import page_choices
from ui_student.views.quiz import result_markdown
from ui_student.views.voice import message_text, speakable


def test_sse_events_are_parsed_with_their_names() -> None:
    """The tutor's stream as the API writes it (CRLF lines, a comment), read by httpx-sse."""
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
        "",
    ]
    stream = "\r\n".join(lines).encode() + b"\r\n"  # every event ends with a blank line
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=stream, headers={"content-type": "text/event-stream"})

    api = Api("http://api.test", "tok", http=connect("http://api.test", httpx.MockTransport(answer)))
    events = list(api.ask_stream("c1", "Why?"))
    assert seen[0].headers["authorization"] == "Bearer tok" and seen[0].url.path == "/api/v1/courses/c1/chat/stream"
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
    assert "<details class='citation' data-n='1'>" in rendered and "&lt;b&gt;x&lt;/b&gt;.pdf, page 3" in rendered
    assert "a &lt; b" in rendered and "<b>x</b>" not in rendered
    assert "No citations" in citations_html([])


def test_one_source_row_per_page_with_its_quotes_and_a_page_button_for_pdfs() -> None:
    doc = "d" * 32
    cited = [
        {"number": 1, "document_id": doc, "document_name": "a.pdf", "file_type": "pdf", "page": 2, "quote": "one"},
        {"number": 2, "document_id": "m" * 32, "document_name": "b.md", "page": 1, "quote": "two"},
        {"number": 3, "document_id": doc, "document_name": "a.pdf", "file_type": "pdf", "page": 2, "quote": "three"},
        {"number": 4, "document_id": doc, "document_name": "a.pdf", "file_type": "pdf", "page": 2, "quote": "one"},
    ]
    rendered = citations_html(cited, "chat", open_first=True)
    assert rendered.count("<details") == 2
    assert "<details class='citation' data-n='1 3 4' open><summary><b>[1] [3] [4]</b> a.pdf, page 2" in rendered
    assert "<b>[1] [4]</b> one</blockquote><blockquote><b>[3]</b> three" in rendered  # a quote once
    assert rendered.count("data-page=") == 1 and f"data-page='{doc}:2'>Show page 2</button>" in rendered
    assert "<details class='citation' data-n='2'><summary><b>[2]</b> b.md, page 1" in rendered


def test_markers_link_to_their_source_rows() -> None:
    text = "Use open [1][2]. A [link](https://x.org) and [3](not a marker)."
    assert link_markers(text, "lesson") == (
        "Use open [[1]](#cite-lesson-1)[[2]](#cite-lesson-2). A [link](https://x.org) and [3](not a marker)."
    )
    assert speakable(link_markers("Use open [1].", "chat")) == "Use open."


def test_an_error_is_the_status_output_and_leaves_the_others() -> None:
    @inline(at=1, count=3)
    def refused() -> tuple[str, str, str]:
        raise ApiError("Wrong email or password", 401)

    first, status, last = refused()
    assert "Wrong email or password" in status and "role='alert'" in status
    assert first == last == failed("x", 0, 2)[1]  # gr.skip(): left as it is


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


class OutlineApi:
    """The two API answers the outline is made of (shapes as the API returns them)."""

    def outline(self, course_id: str) -> dict[str, Any]:
        lessons = [[("l1", "Intro"), ("l2", "Files <b>")], [("l3", "Errors"), ("l4", "Classes")]]
        return {
            "course_title": "Python",
            "modules": [
                {"title": f"M{i}", "lessons": [{"id": lid, "title": t} for lid, t in group]}
                for i, group in enumerate(lessons, start=1)
            ],
        }

    def course_progress(self, course_id: str) -> dict[str, Any]:
        return {"completed_lessons": {"l1": "2026-01-01", "l2": "2026-01-02"}}


def test_the_outline_opens_the_first_unfinished_lesson_and_marks_the_finished() -> None:
    outline = outline_of(cast(Api, OutlineApi()), "c1")
    assert outline.current == "l3" and outline.lesson_ids == ["l1", "l2", "l3", "l4"]
    assert outline.header == "**Course:** Python · 2/4 lessons done (50%)"
    assert "<details class='module'><summary>Module 1: M1 <span class='muted'>2/2</span>" in outline.html
    assert "<details class='module' open><summary>Module 2: M2" in outline.html  # the open lesson's module
    assert "class='lesson done' data-lesson='l2'><span class='mark'>✓</span> 1.2 Files &lt;b&gt;" in outline.html
    assert "class='lesson current' data-lesson='l3'><span class='mark'>○</span> 2.1 Errors" in outline.html
    assert outline.after("l3") == "l4" and outline.after("l4") == ""
    reading = outline_of(cast(Api, OutlineApi()), "c1", "l1")
    assert reading.current == "l1" and "class='lesson done current' data-lesson='l1'" in reading.html
    assert outline_of(cast(Api, OutlineApi()), "c1", "not-in-this-course").current == "l3"


def test_one_client_reuses_its_connections_across_users() -> None:
    """Both UIs' client (ui_common/http.py): one connection pool per app, the token per call."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json=[])

    http = connect("http://api.test", httpx.MockTransport(answer))
    for token in ("a", "b"):
        assert Api("http://api.test", token, http=http).courses() == []
    assert seen == ["Bearer a", "Bearer b"]
    error = httpx.Response(404, json={"error": {"code": "not_found", "message": "course not found"}})
    failing = connect("http://api.test", httpx.MockTransport(lambda _r: error))
    with pytest.raises(ApiError, match="Course not found"):
        Api("http://api.test", "a", http=failing).courses()

"""The tutor's answer language, and cited PDF pages shown as images (lesson and tutor), through gradio_client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.services.llm_chat import LANGUAGES as API_LANGUAGES
from core.services.tutor_phrases import lead_line
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, wait_job
from tests.ui_student.conftest import Course, Student, choices_of, enter_course, text_of, update_of
from tests.ui_student.test_voice_language import api_speech, shown_audio
from ui_student.views import languages
from ui_student.views.voice import speakable

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The offline answer's lead line when Hindi is asked for and the material is English.
ENGLISH_ONLY_NOTE = lead_line("hi", "en")


def component(student_ui: str, elem_id: str) -> dict[str, Any]:
    """A component's initial properties, as the app describes itself to a browser."""
    config = httpx.get(f"{student_ui}/config", timeout=30).json()
    return next(c["props"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)


def last_session_messages(student: Student, course_id: str) -> list[dict[str, Any]]:
    sessions = student.api.get(f"/api/v1/courses/{course_id}/chat/sessions").json()
    latest = max(sessions, key=lambda s: str(s.get("updated_at") or ""))
    return list(student.api.get(f"/api/v1/chat/sessions/{latest['id']}").json()["messages"])


def test_language_choices_are_the_api_languages_english_first(student_ui: str) -> None:
    props = component(student_ui, "chat-language")
    codes = [str(value) for _, value in props["choices"]]
    assert codes == [code for _, code in languages.LANGUAGES]
    assert codes == ["en", "hi", "bn", "mr", "ta", "te", "kn", "ml", "gu", "pa", "od", "de", "fr", "es"]
    assert props["value"] == "en" and props["allow_custom_value"] is False
    assert set(codes) <= set(API_LANGUAGES), "every language offered is one the API answers in"


def test_the_chosen_language_goes_with_the_question(ui: Client, course: Course, student: Student) -> None:
    enter_course(ui, course, student)
    history, *_ = ui.predict("How do formatted string literals work?", [], "hi", api_name="/ask")
    # The offline answerer quotes the English material and says so, in Hindi.
    assert ENGLISH_ONLY_NOTE in text_of(history[-1])
    asked, answered = last_session_messages(student, course.id)[-2:]
    assert (asked["role"], asked["language"]) == ("user", "hi")
    assert answered["language"] == "en"  # what the answer is written in
    # So "Read aloud" speaks it with an English voice, though Hindi is still picked.
    spoken = shown_audio(ui.predict(history, "hi", api_name="/read_aloud")[0])
    assert spoken == api_speech(student, speakable(text_of(history[-1])), "en")

    history, *_ = ui.predict("And how do I print a table?", history, "en", api_name="/ask")
    assert ENGLISH_ONLY_NOTE not in text_of(history[-1])
    assert last_session_messages(student, course.id)[-1]["language"] == "en"


def test_english_is_the_default_and_other_values_are_refused(ui: Client, course: Course, student: Student) -> None:
    enter_course(ui, course, student)
    history, *_ = ui.predict("How do formatted string literals work?", [], api_name="/ask")
    assert ENGLISH_ONLY_NOTE not in text_of(history[-1])
    assert last_session_messages(student, course.id)[-1]["language"] == "en"
    stored = len(last_session_messages(student, course.id))
    for bad in ("xx", "sw", "EN", "en; drop table"):
        with pytest.raises(AppError, match="not in the list of choices"):
            ui.predict("What does print do?", history, bad, api_name="/ask")
    assert len(last_session_messages(student, course.id)) == stored, "a refused language reached the API"


def fetch_image(update: dict[str, Any]) -> bytes:
    """The bytes the browser would show: the image file as the student app serves it."""
    assert update.get("visible") is True, update
    reply = httpx.get(update_of(update)["value"]["url"], timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.content


def api_page(student: Student, course: Course, document_id: str, page: int) -> bytes:
    reply = student.api.get(f"/api/v1/courses/{course.id}/documents/{document_id}/pages/{page}")
    assert reply.status_code == 200, reply.text
    return reply.content


def assert_is_page(png: bytes, student: Student, course: Course, choice: str) -> None:
    """A real PNG, the API's rendering of the chosen page, and not of the page next to it."""
    document_id, _, page = choice.rpartition(":")
    assert png.startswith(PNG_MAGIC)
    assert png == api_page(student, course, document_id, int(page)), f"not page {page}"
    neighbour = int(page) + 1 if int(page) < 4 else int(page) - 1  # the fixture PDF has 4 pages
    assert png != api_page(student, course, document_id, neighbour)


def test_a_lesson_shows_a_cited_page_on_request(ui: Client, pdf_course: Course, student: Student) -> None:
    lessons = enter_course(ui, pdf_course, student)
    _, _, citations, *_, picker, image, _, _ = ui.predict(lessons[0][1], api_name="/open_lesson")
    assert "pdflatex-outline.pdf" in citations
    choices = choices_of(picker)
    assert choices and update_of(picker)["visible"] is True and update_of(picker)["value"] is None
    assert all("pdflatex-outline.pdf, page " in label for label, _ in choices)
    assert update_of(image)["visible"] is False, "no page is fetched before one is asked for"

    choice = choices[-1][1]
    assert_is_page(fetch_image(ui.predict(choice, api_name="/lesson_page")[0]), student, pdf_course, choice)
    assert f"data-page='{choice}'" in citations, "its source row has a Show page button"

    with pytest.raises(AppError, match="not in the list of choices"):
        ui.predict(f"{choice.partition(':')[0]}:99", api_name="/lesson_page")


def test_the_tutor_shows_a_cited_page_on_request(ui: Client, pdf_course: Course, student: Student) -> None:
    enter_course(ui, pdf_course, student)
    history, _, citations, _, picker, image, _, _ = ui.predict(
        "Is there a difference between this text and some nonsense?", [], api_name="/ask"
    )
    assert "pdflatex-outline.pdf" in citations, text_of(history[-1])
    choices = choices_of(picker)
    assert choices and update_of(image)["visible"] is False
    pages = {int(choice.rpartition(":")[2]) for _, choice in choices}
    assert pages and pages <= {1, 2, 3, 4}

    for _, choice in choices:
        assert_is_page(fetch_image(ui.predict(choice, api_name="/chat_page")[0]), student, pdf_course, choice)

    # A new conversation has no citations: nothing to pick, and an old choice is refused.
    *_, picker, image, _, _ = ui.predict(api_name="/new_conversation")
    assert choices_of(picker) == [] and update_of(picker)["visible"] is False
    with pytest.raises(AppError, match="not in the list of choices"):
        ui.predict(choices[0][1], api_name="/chat_page")


@pytest.fixture(scope="module")
def unnamed_pdf_course(stack: Stack) -> Course:
    """The 4-page PDF uploaded as "handout" and a Markdown file as "notes.pdf": only the content says which is which."""
    _, teacher = stack.user("teacher")
    created = teacher.post("/api/v1/courses", json={"title": "Misnamed files"}).json()
    files = [
        ("files", ("handout", (FIXTURES / "pdflatex-outline.pdf").read_bytes())),
        ("files", ("notes.pdf", (FIXTURES / "input-output.md").read_bytes())),
    ]
    reply = teacher.post(f"/api/v1/courses/{created['id']}/documents", files=files)
    assert reply.status_code == 202, reply.text
    assert wait_job(teacher, reply.json()["job"]["id"], timeout=420)["status"] == "succeeded"
    published = teacher.post(f"/api/v1/courses/{created['id']}/publish")
    assert published.status_code == 200, published.text
    body: dict[str, Any] = published.json()
    return Course(body["id"], body["title"], str(body["enrollment_code"]), teacher)


def test_pages_are_offered_by_file_type_not_by_name(ui: Client, unnamed_pdf_course: Course, student: Student) -> None:
    lessons = enter_course(ui, unnamed_pdf_course, student)
    offered: set[str] = set()
    cited: set[str] = set()
    for _, lesson_id in lessons:
        _, _, citations, *_, picker, _, _, _ = ui.predict(lesson_id, api_name="/open_lesson")
        cited |= {name for name in ("handout", "notes.pdf") if f"{name}, page" in citations}
        offered |= {label.partition("] ")[2].rpartition(",")[0] for label, _ in choices_of(picker)}
    assert cited == {"handout", "notes.pdf"}, "both files are cited somewhere"
    assert offered == {"handout"}, offered

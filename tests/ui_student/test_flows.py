"""Every student flow through gradio_client: the launched app, a real API server and worker behind it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from tests.harness import PASSWORD
from tests.ui_student.conftest import Course, Student, choices_of, enter_course, text_of, update_of

SHORT_LESSON = "## Files\n\nA program opens a file with the open function [1]. Then it reads the text.\n"


def lesson_about(choices: list[tuple[str, str]], word: str) -> str:
    return next(lesson_id for label, lesson_id in choices if word.lower() in label.lower())


def test_login_errors_are_messages(ui: Client, student: Student) -> None:
    with pytest.raises(AppError, match=r"(?i)wrong email or password"):
        ui.predict(student.email, "not-the-password", api_name="/login")
    with pytest.raises(AppError, match="Enter your email and your password"):
        ui.predict("", "", api_name="/login")
    with pytest.raises(AppError, match=r"(?i)log in first"):
        ui.predict("ABCDEF", api_name="/join")
    with pytest.raises(AppError, match=r"(?i)log in first"):
        ui.predict(api_name="/my_progress")


def test_register_then_log_out(ui: Client) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@test.io"
    with pytest.raises(AppError, match="at least 10 characters"):
        ui.predict("Ada", email, "short", api_name="/register")
    with pytest.raises(AppError, match=r"(?i)too easy to guess"):  # the API's password policy
        ui.predict("Ada", email, "password-123", api_name="/register")
    signed_in, picker, hint, *_ = ui.predict("Ada Lovelace", email, PASSWORD, api_name="/register")
    assert "Ada Lovelace" in signed_in and choices_of(picker) == [] and "join one" in hint
    with pytest.raises(AppError, match=r"(?i)already exists"):
        ui.predict("Ada", email, PASSWORD, api_name="/register")  # the token stays; the API refuses
    outputs = ui.predict(api_name="/logout")
    assert "logged out" in outputs[-1]
    with pytest.raises(AppError, match=r"(?i)log in first"):
        ui.predict(api_name="/my_courses")


def test_join_outline_lesson_complete_progress(ui: Client, course: Course, student: Student) -> None:
    choices = enter_course(ui, course, student)
    with pytest.raises(AppError, match="Enter the enrollment code"):
        ui.predict("ab", api_name="/join")
    with pytest.raises(AppError, match=r"(?i)not found|code"):
        ui.predict("NOSUCH99", api_name="/join")
    lesson_id = lesson_about(choices, "Formatted String")

    title, body, citations, *_rest = ui.predict(lesson_id, api_name="/open_lesson")
    assert "Formatted String" in title and len(body) > 200
    assert re.search(r"\[\d+\]", body), "the lesson text carries citation markers"
    assert "input-output.md" in citations and "page" in citations and "<blockquote>" in citations

    status, header, outline, picker = ui.predict(api_name="/mark_complete")
    assert "marked complete" in status
    assert f"1/{len(choices)} lessons done" in header and "✓ **" in outline and "*done*" in outline
    assert update_of(picker)["value"] == lesson_id and any(label.endswith("✓") for label, _ in choices_of(picker))

    report = ui.predict(api_name="/my_progress")
    assert course.title in report and f"1 of {len(choices)} lessons done" in report
    assert student.api.get(f"/api/v1/courses/{course.id}/progress").json()["lessons_completed"] == 1


def test_tutor_chat_streams_an_answer_with_citations(ui: Client, course: Course, student: Student) -> None:
    enter_course(ui, course, student)
    sessions, *_ = ui.predict(api_name="/chat_sessions")
    assert choices_of(sessions) == []
    with pytest.raises(AppError, match="Type a question"):
        ui.predict("   ", [], api_name="/ask")
    history, question_box, citations, sessions, page_picker, page_image = ui.predict(
        "How do formatted string literals work?", [], api_name="/ask"
    )
    assert question_box == ""
    # A Markdown course has no page images: the page picker stays hidden.
    assert choices_of(page_picker) == [] and update_of(page_picker)["visible"] is False
    assert update_of(page_image)["visible"] is False
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = text_of(history[-1])
    assert re.search(r"\[\d+\]", answer), answer
    assert "input-output.md" in citations and "page" in citations
    session_choices = choices_of(sessions)
    assert len(session_choices) == 1 and update_of(sessions)["value"] == session_choices[0][1]

    # A follow-up stays in the same session.
    history, _, _, sessions, *_ = ui.predict("And how do I print a table?", history, api_name="/ask")
    assert len(history) == 4 and len(choices_of(sessions)) == 1

    ui.predict(api_name="/new_conversation")
    restored, restored_citations, *_ = ui.predict(session_choices[0][1], api_name="/load_session")
    assert text_of(restored[0]) == "How do formatted string literals work?"
    assert len(restored) == 4 and "input-output.md" in restored_citations


def test_quiz_take_score_and_retake(ui: Client, course: Course, student: Student) -> None:
    enter_course(ui, course, student)
    picker = ui.predict(api_name="/quizzes")
    quizzes = choices_of(picker)
    assert quizzes, "the course has approved quizzes"
    with pytest.raises(AppError, match="Start a quiz first"):
        ui.predict(*([None] * 30), api_name="/submit_quiz")
    quiz_id = quizzes[0][1]
    heading, *radios = ui.predict(quiz_id, api_name="/start_quiz")
    shown = [update_of(r) for r in radios[:30] if update_of(r).get("visible")]
    assert shown and "questions" in heading
    assert all(len(r["choices"]) == 4 and r["label"][0].isdigit() for r in shown)

    first_options = [str(r["choices"][0][1]) for r in shown]
    answers: list[str | None] = [*first_options, *([None] * (30 - len(shown)))]
    result, *_ = ui.predict(*answers, api_name="/submit_quiz")
    assert "Your score" in result and f"of {len(shown)} correct" in result
    assert "Source:" in result and "page" in result
    assert "✓ Correct" in result or "✗ Not quite" in result

    result, *_ = ui.predict(api_name="/retake")
    assert result == ""
    partial = [first_options[0], *([None] * 29)]
    result, *_ = ui.predict(*partial, api_name="/submit_quiz")
    assert "Your score" in result

    report = ui.predict(api_name="/my_progress")
    assert "| Quiz | Best score | Attempts |" in report and "| 2 |" in report
    attempts = student.api.get(f"/api/v1/quizzes/{quiz_id}/attempts").json()
    assert len(attempts) == 2


def test_listen_teach_me_read_aloud_and_voice_question(
    ui: Client, course: Course, student: Student, tmp_path: Path
) -> None:
    choices = enter_course(ui, course, student)
    # Whole lessons read aloud would only burn shared CPU: the teacher shortens the last lesson first.
    lesson_id = choices[-1][1]
    edit = course.teacher.patch(f"/api/v1/lessons/{lesson_id}", json={"body": SHORT_LESSON})
    assert edit.status_code == 200, edit.text
    ui.predict(lesson_id, api_name="/open_lesson")

    audio, note = ui.predict(api_name="/listen")
    assert Path(update_of(audio)["value"]["path"]).suffix == ".mp3" and note == ""

    script, lecture_audio, status = ui.predict(api_name="/teach_me")
    assert "open" in script.lower() and status == ""
    assert update_of(lecture_audio)["value"]["path"]

    answer = [{"type": "text", "text": "Files are opened with the open function [1]."}]
    spoken = ui.predict([{"role": "assistant", "content": answer}], api_name="/read_aloud")
    path = spoken["path"] if isinstance(spoken, dict) else spoken
    assert str(path).endswith(".mp3")

    speech = student.api.post("/api/v1/tts", json={"text": "How do I open a file?", "format": "wav"})
    assert speech.status_code == 200, speech.text
    wav = tmp_path / "question.wav"
    wav.write_bytes(speech.content)
    text = ui.predict(handle_file(str(wav)), api_name="/transcribe")
    assert "open" in text.lower() and "file" in text.lower()

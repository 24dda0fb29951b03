"""Every student flow through gradio_client: the launched app, a real API server and worker behind it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
from gradio_client import Client, handle_file

from tests.harness import PASSWORD
from tests.ui_student.conftest import Course, Student, choices_of, enter_course, text_of, update_of

SHORT_LESSON = "## Files\n\nA program opens a file with the open function [1]. Then it reads the text.\n"


def lesson_about(choices: list[tuple[str, str]], word: str) -> str:
    return next(lesson_id for label, lesson_id in choices if word.lower() in label.lower())


def test_login_errors_are_messages(ui: Client, student: Student) -> None:
    """Errors are the last output (the form's status), never an exception: the form stays usable."""
    wrong = ui.predict(student.email, "not-the-password", api_name="/login")[-1]
    assert re.search(r"(?i)wrong email or password", wrong)
    assert "Enter your email and your password" in ui.predict("", "", api_name="/login")[-1]
    assert re.search(r"(?i)log in first", ui.predict("ABCDEF", api_name="/join")[-1])
    assert re.search(r"(?i)log in first", ui.predict(api_name="/my_progress"))
    signed_in, *_, status = ui.predict(student.email, student.password, api_name="/login")
    assert student.email in signed_in and status == ""


def test_register_then_log_out(ui: Client) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@test.io"
    assert "at least 10 characters" in ui.predict("Ada", email, "short", api_name="/register")[-1]
    # The API's password policy
    assert re.search(r"(?i)too easy to guess", ui.predict("Ada", email, "password-123", api_name="/register")[-1])
    signed_in, picker, hint, *_ = ui.predict("Ada Lovelace", email, PASSWORD, api_name="/register")
    assert "Ada Lovelace" in signed_in and choices_of(picker) == [] and "join one" in hint
    # The token stays; the API refuses
    assert re.search(r"(?i)already exists", ui.predict("Ada", email, PASSWORD, api_name="/register")[-1])
    outputs = ui.predict(api_name="/logout")
    assert "logged out" in outputs[-1]
    assert re.search(r"(?i)log in first", ui.predict(api_name="/my_courses")[-1])


def test_join_outline_lesson_complete_progress(ui: Client, course: Course, student: Student) -> None:
    choices = enter_course(ui, course, student)
    assert "Enter the enrollment code" in ui.predict("ab", api_name="/join")[-1]
    assert re.search(r"(?i)not found|code", ui.predict("NOSUCH99", api_name="/join")[-1])
    lesson_id = lesson_about(choices, "Formatted String")

    title, body, citations, *_rest = ui.predict(lesson_id, api_name="/open_lesson")
    assert "Formatted String" in title and len(body) > 200
    # Markers link to their source rows, one row per cited page.
    assert re.search(r"\[\[(\d+)\]\]\(#cite-lesson-\1\)", body), "the lesson text carries clickable markers"
    assert "input-output.md" in citations and "page" in citations and "<blockquote>" in citations
    rows = re.findall(r"<summary>.*?</summary>", citations)
    assert len(rows) == len(set(re.sub(r"<b>.*?</b>", "", r) for r in rows)), "one row per cited page"

    status, header, outline = ui.predict(api_name="/mark_complete")
    assert "marked complete" in status
    assert f"1/{len(choices)} lessons done" in header
    assert re.search(rf"class='lesson done current' data-lesson='{lesson_id}'><span class='mark'>✓", outline)

    # Next lesson opens the one after it in the outline.
    following = choices[[lid for _, lid in choices].index(lesson_id) + 1]
    _, outline, title, *_ = ui.predict(api_name="/next_lesson")
    assert following[0] in title and f"class='lesson current' data-lesson='{following[1]}'" in outline

    report = ui.predict(api_name="/my_progress")
    assert course.title in report and f"1 of {len(choices)} lessons done" in report
    assert student.api.get(f"/api/v1/courses/{course.id}/progress").json()["lessons_completed"] == 1


def test_tutor_chat_streams_an_answer_with_citations(ui: Client, course: Course, student: Student) -> None:
    enter_course(ui, course, student)
    sessions, *_ = ui.predict(api_name="/chat_sessions")
    assert choices_of(sessions) == []
    assert "Type a question" in ui.predict("   ", [], api_name="/ask")[-1]
    history, question_box, citations, sessions, page_picker, page_image, _, status = ui.predict(
        "How do formatted string literals work?", [], api_name="/ask"
    )
    assert question_box == "" and status == ""
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
    picker, _ = ui.predict(api_name="/quizzes")
    quizzes = choices_of(picker)
    assert quizzes, "the course has approved quizzes"
    assert "Start a quiz first" in ui.predict(*([None] * 30), api_name="/submit_quiz")[0]
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

    # Listen and Teach me show a player of the API's stream: it starts at the first sentence.
    audio, note = ui.predict(api_name="/listen")
    assert note == "" and update_of(audio)["visible"] is True
    listened = played(ui, update_of(audio)["value"])
    assert listened.headers["content-type"] == "audio/mpeg" and is_mp3(listened.content)
    lesson_mp3 = student.api.get(f"/api/v1/lessons/{lesson_id}/audio", params={"format": "mp3"})
    assert listened.content == lesson_mp3.content  # the API's audio, byte for byte
    assert played(ui, update_of(audio)["value"]).content == listened.content  # a replay asks the API again
    # Only a ticket the app gave out plays: the route is no way around the bearer token.
    assert httpx.get(f"{ui.src.rstrip('/')}/profai-audio/not-a-ticket", timeout=30).status_code == 404

    script, lecture_audio, status = ui.predict(api_name="/teach_me")
    assert "open" in script.lower() and status == ""
    lecture = played(ui, update_of(lecture_audio)["value"])
    assert is_mp3(lecture.content) and lecture.content != listened.content

    answer = [{"type": "text", "text": "Files are opened with the open function [1]."}]
    spoken, _ = ui.predict([{"role": "assistant", "content": answer}], api_name="/read_aloud")
    path = spoken["path"] if isinstance(spoken, dict) else spoken
    assert str(path).endswith(".mp3")

    speech = student.api.post("/api/v1/tts", json={"text": "How do I open a file?", "format": "wav"})
    assert speech.status_code == 200, speech.text
    wav = tmp_path / "question.wav"
    wav.write_bytes(speech.content)
    text, _ = ui.predict(handle_file(str(wav)), api_name="/transcribe")
    assert "open" in text.lower() and "file" in text.lower()


def played(ui: Client, player: str) -> httpx.Response:
    """What the browser gets from a player's source: the app's stream of the API's audio."""
    src = re.search(r'<audio [^>]*src="(profai-audio/[^"]+)"', player)
    assert src, player
    reply = httpx.get(f"{ui.src.rstrip('/')}/{src.group(1)}", timeout=120)
    assert reply.status_code == 200, reply.text
    return reply


def is_mp3(data: bytes) -> bool:
    return len(data) > 1000 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0  # an MPEG audio frame header

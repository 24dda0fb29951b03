"""Listening and voice questions follow the answer-language picker, through gradio_client.

What the app sends is proven by what comes back: the API caches speech by text, voice and
language, so audio the app shows is byte for byte the API's audio for the language it asked for.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from tests.ui_student.conftest import Course, Student, enter_course
from tests.ui_student.test_flows import SHORT_LESSON

ANSWER = [{"role": "assistant", "content": [{"type": "text", "text": "Files are opened with the open function [1]."}]}]
SPOKEN_ANSWER = "Files are opened with the open function."  # as the app reads it: no citation marker


def shown_audio(value: Any, ui: Client | None = None) -> bytes:
    """The bytes of the audio the app shows (an update or a plain file value), as a browser fetches them.

    A lesson or lecture is a streaming player (`<audio src="profai-audio/...">`, relative to the
    app `ui`): its bytes are the API's, passed through as they are made."""
    if isinstance(value, dict) and value.get("__type__") == "update":
        value = value["value"]
    if isinstance(value, str):
        src = re.search(r'<audio [^>]*src="(profai-audio/[^"]+)"', value)
        assert src and ui is not None, value
        reply = httpx.get(f"{ui.src.rstrip('/')}/{src.group(1)}", timeout=120)
        assert reply.status_code == 200, reply.text
        return reply.content
    assert isinstance(value, dict) and value.get("url"), value
    reply = httpx.get(value["url"], timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.content


def api_speech(student: Student, text: str, language: str | None) -> bytes:
    body = {"text": text, "format": "mp3", **({"language": language} if language else {})}
    reply = student.api.post("/api/v1/tts", json=body)
    assert reply.status_code == 200, reply.text
    return reply.content


def short_lesson(ui: Client, course: Course, student: Student) -> str:
    lesson_id = enter_course(ui, course, student)[-1][1]
    edit = course.teacher.patch(f"/api/v1/lessons/{lesson_id}", json={"body": SHORT_LESSON})
    assert edit.status_code == 200, edit.text
    ui.predict(lesson_id, api_name="/open_lesson")
    return lesson_id


def test_an_answer_is_read_aloud_in_the_chosen_language(ui: Client, course: Course, student: Student) -> None:
    enter_course(ui, course, student)
    hindi = shown_audio(ui.predict(ANSWER, "hi", api_name="/read_aloud")[0])
    assert hindi == api_speech(student, SPOKEN_ANSWER, "hi")
    english = shown_audio(ui.predict(ANSWER, api_name="/read_aloud")[0])  # the picker's default
    assert english == api_speech(student, SPOKEN_ANSWER, "en") and english != hindi
    with pytest.raises(AppError, match="not in the list of choices"):
        ui.predict(ANSWER, "sw", api_name="/read_aloud")


def test_a_lesson_in_another_language_is_read_as_written_and_the_student_is_told(
    ui: Client, course: Course, student: Student
) -> None:
    """Offline there is no model to translate an English lesson: a Tamil voice would only
    mispronounce it, so the app plays it in English and says why."""
    lesson_id = short_lesson(ui, course, student)
    url = f"/api/v1/lessons/{lesson_id}/audio"
    audio, note = ui.predict("ta", api_name="/listen")
    asked = student.api.get(url, params={"format": "mp3", "language": "ta"})
    assert asked.headers["content-language"] == "en"
    assert shown_audio(audio, ui) == asked.content == student.api.get(url, params={"format": "mp3"}).content
    assert "Read in English" in note and "Tamil" in note and "language model" in note
    audio, note = ui.predict("en", api_name="/listen")  # English, the default: the course's own language
    assert shown_audio(audio, ui) == asked.content and note == ""

    _, lecture_audio, status = ui.predict("ta", api_name="/teach_me")
    assert "Read in English" in status and "Tamil" in status
    lecture = student.api.get(f"/api/v1/lessons/{lesson_id}/lecture/audio", params={"language": "ta"})
    assert shown_audio(lecture_audio, ui) == lecture.content and lecture.headers["content-language"] == "en"


def test_a_voice_question_in_a_language_the_server_cannot_hear_says_so(
    ui: Client, course: Course, student: Student, tmp_path: Path
) -> None:
    enter_course(ui, course, student)
    wav = tmp_path / "question.wav"
    speech = student.api.post("/api/v1/tts", json={"text": "How do I open a file?", "format": "wav"})
    wav.write_bytes(speech.content)
    # The bundled offline model understands English only: the student is told, in words, beside the recorder.
    _, said = ui.predict(handle_file(str(wav)), "hi", api_name="/transcribe")
    assert re.search(r"(?s)Hindi.*English only.*Type your question instead", said)
    text, said = ui.predict(handle_file(str(wav)), "en", api_name="/transcribe")
    assert said == ""
    assert "open" in text.lower() and "file" in text.lower()


def test_the_picker_sits_above_the_tabs(student_ui: str) -> None:
    """One picker for the tutor, the lesson's Listen and voice questions, so it is outside every tab."""
    config = httpx.get(f"{student_ui}/config", timeout=30).json()
    by_id = {c["id"]: c for c in config["components"]}
    picker = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "chat-language")
    tabs = {c["id"] for c in config["components"] if c.get("type") == "tabitem"}
    parents: dict[int, int] = {}

    def walk(node: dict[str, Any], parent: int | None) -> None:
        if parent is not None:
            parents[node["id"]] = parent
        for child in node.get("children") or []:
            walk(child, node["id"])

    walk(config["layout"], None)
    ancestors, node = set(), picker["id"]
    while node in parents:
        node = parents[node]
        ancestors.add(node)
    assert not ancestors & tabs, [by_id[a].get("type") for a in ancestors]
    assert "voice" in str(picker["props"].get("info") or "").lower()

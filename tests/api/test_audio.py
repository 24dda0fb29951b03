"""Audio through the real server: lessons read aloud (and who may hear them), TTS, STT, lectures."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.api.test_auth import error_of
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job
from tests.unit.test_audio import av_duration

MD = FIXTURES / "input-output.md"


SHORT_LESSON = (
    "## Files\n\nA program opens a file with the **open** function [1]. "
    "Then it prints formatted output to the screen [2, 3].\n\n```python\nprint(value)\n```\n"
)


@pytest.fixture(scope="module")
def lesson(stack: Stack) -> dict[str, Any]:
    """A course built from a fixture document: its owner, a generated lesson, and a lesson the
    teacher rewrote to two sentences (audio of a whole lesson would only burn shared CPU)."""
    _, teacher = stack.user("teacher")
    course = teacher.post("/api/v1/courses", json={"title": "Input and output"}).json()
    job = wait_job(teacher, upload(teacher, course["id"], MD)["job"]["id"])
    assert job["status"] == "succeeded", job
    outline = teacher.get(f"/api/v1/courses/{course['id']}/outline").json()
    ids = [item["id"] for module in outline["modules"] for item in module["lessons"]]
    lessons = [teacher.get(f"/api/v1/lessons/{i}").json() for i in ids[:8]]
    generated = next(item for item in lessons if len(item["body"]) > 300)
    short = next(item for item in lessons if item["id"] != generated["id"])
    edit = teacher.patch(f"/api/v1/lessons/{short['id']}", json={"title": "Files", "body": SHORT_LESSON})
    assert edit.status_code == 200, edit.text
    return {"teacher": teacher, "course_id": course["id"], "lesson_id": generated["id"], "short_id": short["id"]}


def test_lesson_audio_streams_and_is_cached(stack: Stack, lesson: dict[str, Any]) -> None:
    teacher: httpx.Client = lesson["teacher"]
    url = f"/api/v1/lessons/{lesson['short_id']}/audio"
    started = time.monotonic()
    first = teacher.get(url, params={"format": "mp3"})
    cold = time.monotonic() - started
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("audio/mpeg")
    assert av_duration(first.content) > 3
    started = time.monotonic()
    again = teacher.get(url, params={"format": "mp3"})
    assert again.content == first.content
    assert time.monotonic() - started < max(1.0, cold / 2)  # served from the cache
    bad = teacher.get(url, params={"format": "flac"})
    assert bad.status_code == 400 and error_of(bad)["code"]
    # What is spoken is the prose: no markdown, no code, no citation numbers.
    wav = teacher.get(url, params={"format": "wav"})
    heard = teacher.post("/api/v1/stt", files={"audio": ("l.wav", wav.content, "audio/wav")}).json()["text"]
    spoken = set(heard.lower().replace(".", " ").replace(",", " ").split())
    assert {"files", "opens", "screen"} <= spoken, heard
    assert not spoken & {"one", "two", "three", "print", "value"}, heard


def test_someone_elses_lesson_is_not_found(stack: Stack, lesson: dict[str, Any]) -> None:
    _, other_teacher = stack.user("teacher")
    _, student = stack.user("student")
    for client in (other_teacher, student):
        for path in ("audio", "lecture", "lecture/audio"):
            reply = client.get(f"/api/v1/lessons/{lesson['lesson_id']}/{path}")
            assert reply.status_code == 404 and error_of(reply)["code"] == "not_found"
    missing = lesson["teacher"].get("/api/v1/lessons/" + "0" * 32 + "/audio")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_tts_then_stt_round_trip(stack: Stack) -> None:
    _, student = stack.user("student")
    said = "Python reads input from files and prints formatted output to the screen."
    spoken = student.post("/api/v1/tts", json={"text": said, "format": "wav"})
    assert spoken.status_code == 200 and spoken.headers["content-type"].startswith("audio/wav")
    assert spoken.content[:4] == b"RIFF" and av_duration(spoken.content) > 2
    heard = student.post("/api/v1/stt", files={"audio": ("q.wav", spoken.content, "audio/wav")})
    assert heard.status_code == 200, heard.text
    body = heard.json()
    assert set(body) == {"text", "language", "duration"} and body["language"] == "en"
    got = set(body["text"].lower().replace(".", " ").replace(",", " ").split())
    assert len(got & {"reads", "input", "from", "files", "prints", "formatted", "output", "screen"}) >= 5, body
    ogg = student.post("/api/v1/tts", json={"text": "Short and sweet.", "format": "ogg"})
    assert ogg.status_code == 200 and ogg.content[:4] == b"OggS"


def test_bad_requests_get_the_json_error_shape(stack: Stack) -> None:
    _, student = stack.user("student")
    cases = [
        (student.post("/api/v1/stt", files={"audio": ("x.wav", b"%PDF-1.7 not audio" * 50, "audio/wav")}), 415),
        (student.post("/api/v1/stt", files={"audio": ("x.wav", b"RIFF\x00\x00\x00\x00WAVE" + b"\x01" * 900)}), 400),
        (student.post("/api/v1/stt", files={"other": ("x.wav", b"RIFF")}), 400),
        (student.post("/api/v1/stt", json={"audio": "nope"}), 400),
        (student.post("/api/v1/tts", json={"text": "word " * 2000}), 413),
        (student.post("/api/v1/tts", json={"text": "   "}), 400),
        (student.post("/api/v1/tts", json={"text": "hi", "format": "flac"}), 400),
        (student.post("/api/v1/tts", json={"text": "hi", "voice": "--evil"}), 400),
        (student.post("/api/v1/tts", json={"text": "hi", "language": "not a language"}), 400),
    ]
    for reply, status in cases:
        assert reply.status_code == status, (status, reply.text)
        error_of(reply)
    anonymous = httpx.post(f"{stack.url}/api/v1/tts", json={"text": "hi"})
    assert anonymous.status_code == 401


def test_speech_follows_the_language_asked_for(stack: Stack, lesson: dict[str, Any]) -> None:
    teacher: httpx.Client = lesson["teacher"]
    url = f"/api/v1/lessons/{lesson['short_id']}/audio"
    course_voice = teacher.get(url, params={"format": "wav"})
    assert course_voice.headers["content-language"] == "en" and course_voice.headers["x-speech-source"] == "offline"
    # Another English voice is still English: the lesson is read in it.
    british = teacher.get(url, params={"format": "wav", "language": "en-GB"})
    assert british.status_code == 200 and british.headers["content-language"] == "en-GB", british.text
    assert british.content[:4] == b"RIFF" and british.content != course_voice.content
    # Offline nothing translates the English lesson: asked for in Hindi, it is read as written, in English.
    hindi = teacher.get(url, params={"format": "wav", "language": "hi"})
    assert hindi.status_code == 200 and hindi.headers["content-language"] == "en", hindi.text
    assert hindi.content == course_voice.content
    lecture = teacher.get(f"/api/v1/lessons/{lesson['short_id']}/lecture/audio", params={"language": "ta"})
    assert lecture.status_code == 200 and lecture.headers["content-language"] == "en", lecture.text
    script = teacher.get(f"/api/v1/lessons/{lesson['short_id']}/lecture", params={"language": "ta"}).json()
    assert script["language"] == "en" and script["source"] == "offline"
    for bad in ("not a language", "x" * 40):
        reply = teacher.get(url, params={"language": bad})
        assert reply.status_code == 400 and error_of(reply)["code"], reply.text

    _, student = stack.user("student")
    # Odia: "od" as students pick it, spoken by espeak-ng's "or" voice.
    odia = student.post("/api/v1/tts", json={"text": "ନମସ୍କାର। ଆପଣ କେମିତି ଅଛନ୍ତି?", "language": "od", "format": "wav"})
    assert odia.status_code == 200 and av_duration(odia.content) > 0.5, odia.text
    nowhere = student.post("/api/v1/tts", json={"text": "Hello.", "language": "xx"})
    assert nowhere.status_code == 400 and error_of(nowhere)["code"] == "unsupported_language"
    # The bundled Whisper model is English-only: another language is a 400 that says so.
    spoken = student.post("/api/v1/tts", json={"text": "How do I open a file?", "format": "wav"}).content
    refused = student.post("/api/v1/stt", files={"audio": ("q.wav", spoken, "audio/wav")}, data={"language": "hi"})
    assert refused.status_code == 400, refused.text
    error = error_of(refused)
    message = str(error["message"])
    assert error["code"] == "unsupported_language" and "Hindi" in message and "English only" in message


def test_lecture_script_and_audio(lesson: dict[str, Any]) -> None:
    teacher: httpx.Client = lesson["teacher"]
    reply = teacher.get(f"/api/v1/lessons/{lesson['lesson_id']}/lecture")
    assert reply.status_code == 200, reply.text
    lecture = reply.json()
    assert lecture["source"] == "offline" and lecture["language"] == "en"
    assert lecture["lesson_id"] == lesson["lesson_id"]
    assert lecture["script"].startswith("Welcome.") and "end of this lecture" in lecture["script"]
    assert "[1]" not in lecture["script"] and "**" not in lecture["script"]
    audio = teacher.get(f"/api/v1/lessons/{lesson['short_id']}/lecture/audio", params={"format": "ogg"})
    assert audio.status_code == 200 and audio.content[:4] == b"OggS" and av_duration(audio.content) > 3


def test_legacy_audio_routes(stack: Stack) -> None:
    _, student = stack.user("student")
    spoken = student.post("/api/tts", json={"text": "The screen shows formatted output.", "format": "wav"})
    assert spoken.status_code == 200 and spoken.content[:4] == b"RIFF"
    heard = student.post("/api/stt", files={"file": ("a.wav", spoken.content, "audio/wav")})
    assert heard.status_code == 200, heard.text
    # Whisper tiny has ~8 % word error on synthetic speech: most words, not one given word, must come back.
    heard_words = set(heard.json()["text"].lower().replace(".", " ").split())
    assert len(heard_words & {"the", "screen", "shows", "formatted", "output"}) >= 4, heard.json()
    assert heard.json()["transcript"] == heard.json()["text"]

"""The remote speech engines (Sarvam, OpenAI-compatible) against a fake HTTP server on 127.0.0.1.

Both are paid remote APIs, so a local stand-in that speaks their wire format checks our side
of the contract: paths, auth header, request fields, and how answers and failures are read.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import SecretStr

from core.audio.decode import decode
from core.audio.engines import AudioEngines
from core.audio.formats import Pcm, parse_wav, wav_bytes
from core.audio.lecture import lecture_script, lesson_speech
from core.audio.stream import speak_bytes
from core.audio.stt import OpenAITranscriber, SarvamTranscriber
from core.audio.tts import OpenAISpeech, SarvamSpeech, build_synthesizer, provider_for
from core.errors import InvalidInput, ServiceUnavailable
from core.settings import Settings
from tests.llm_server import llm_server  # noqa: F401 - the session fixture

KEY = "test-sarvam-key"


def tone(seconds: float, rate: int = 22050) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return wav_bytes(Pcm((np.sin(2 * np.pi * 330 * t) * 8000).astype("<i2").tobytes(), rate))


class FakeSpeechAPI(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _reply(self, status: int, body: bytes, media_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        seen = {"path": self.path, "headers": dict(self.headers), "body": raw}
        type(self).requests.append(seen)
        if self.path.startswith("/v1/"):
            return self._openai(raw)
        if self.headers.get("api-subscription-key") != KEY:
            return self._reply(403, b'{"error": {"message": "Invalid API key"}}')
        if self.path == "/text-to-speech":
            body = json.loads(raw)
            seen["json"] = body
            if not isinstance(body.get("text"), str) or not body["target_language_code"].endswith("-IN"):
                return self._reply(422, b'{"error": {"message": "bad request"}}')
            audio = base64.b64encode(tone(0.05 * len(body["text"]))).decode()
            return self._reply(200, json.dumps({"request_id": "r1", "audios": [audio]}).encode())
        if self.path == "/speech-to-text":
            ok = b'name="file"' in raw and b"RIFF" in raw and b'name="model"' in raw
            answer = {"request_id": "r2", "transcript": "नमस्ते दुनिया", "language_code": "hi-IN"}
            return self._reply(200 if ok else 400, json.dumps(answer).encode())
        return self._reply(404, b"{}")

    def _openai(self, raw: bytes) -> None:
        if self.path == "/v1/audio/speech":
            body = json.loads(raw)
            assert body["response_format"] == "wav"
            return self._reply(200, tone(0.5), "audio/wav")
        if self.path == "/v1/audio/transcriptions":
            return self._reply(200, b'{"text": " hello there "}')
        return self._reply(404, b"{}")


@pytest.fixture(scope="module")
def fake_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSpeechAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def settings(tmp_path: Path, base: str, **extra: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, sarvam_base_url=base, sarvam_api_key=SecretStr(KEY),
        openai_base_url=f"{base}/v1", openai_api_key=SecretStr("sk-test"), llm_max_retries=0, **extra,
    )


def test_sarvam_tts_sends_the_documented_request(tmp_path: Path, fake_api: str) -> None:
    FakeSpeechAPI.requests.clear()
    wav = SarvamSpeech(settings(tmp_path, fake_api)).synthesize("नमस्ते। आप कैसे हैं?", language="hi")
    assert parse_wav(wav).duration > 0.5
    sent = [r for r in FakeSpeechAPI.requests if r["path"] == "/text-to-speech"]
    assert sent and all(r["headers"]["api-subscription-key"] == KEY for r in sent)
    body = sent[0]["json"]
    assert body["target_language_code"] == "hi-IN" and body["speaker"] == "anushka" and body["model"] == "bulbul:v2"


def test_sarvam_failures_are_clear_errors(tmp_path: Path, fake_api: str) -> None:
    wrong_key = settings(tmp_path, fake_api).model_copy(update={"sarvam_api_key": SecretStr("nope")})
    with pytest.raises(ServiceUnavailable, match="403"):
        SarvamSpeech(wrong_key).synthesize("hello", language="en")
    with pytest.raises(ServiceUnavailable, match="could not be reached"):
        SarvamSpeech(settings(tmp_path, "http://127.0.0.1:9")).synthesize("hello")
    no_key = settings(tmp_path, fake_api, tts_provider="sarvam").model_copy(update={"sarvam_api_key": None})
    with pytest.raises(ServiceUnavailable, match="SARVAM_API_KEY"):
        build_synthesizer(provider_for(no_key, "hi"), no_key)


def test_sarvam_stt(tmp_path: Path, fake_api: str) -> None:
    engine = SarvamTranscriber(settings(tmp_path, fake_api))
    result = engine.transcribe(decode(tone(1.0), max_mb=1, max_seconds=60), "hi")
    assert result.text == "नमस्ते दुनिया" and result.language == "hi-IN" and result.duration == pytest.approx(1.0)
    with pytest.raises(InvalidInput, match="30 seconds"):
        engine.transcribe(decode(tone(31.0), max_mb=5, max_seconds=60), "hi")


async def test_sarvam_through_the_async_stream(tmp_path: Path, fake_api: str) -> None:
    engines = AudioEngines(settings(tmp_path, fake_api, tts_provider="sarvam"))
    audio = await speak_bytes(engines, "வணக்கம்.", fmt="mp3", language="ta")
    assert audio[:3] == b"ID3" or audio[0] == 0xFF


def test_openai_compatible_speech_and_transcription(tmp_path: Path, fake_api: str) -> None:
    conf = settings(tmp_path, fake_api)
    assert parse_wav(OpenAISpeech(conf).synthesize("Hello there.")).duration == pytest.approx(0.5, abs=0.01)
    heard = OpenAITranscriber(conf).transcribe(decode(tone(1.0), max_mb=1, max_seconds=60), "en")
    assert heard.text == "hello there" and heard.language == "en"


def test_odia_reaches_each_engine_in_its_own_code(tmp_path: Path, fake_api: str) -> None:
    """Students pick "od" (Sarvam's code); Whisper-style endpoints know Odia as "or"."""
    conf = settings(tmp_path, fake_api)
    audio = decode(tone(1.0), max_mb=1, max_seconds=60)
    FakeSpeechAPI.requests.clear()
    assert SarvamTranscriber(conf).transcribe(audio, "or").text
    SarvamSpeech(conf).synthesize("ନମସ୍କାର।", language="od")
    OpenAITranscriber(conf).transcribe(audio, "od")
    stt, tts, openai = (next(r for r in FakeSpeechAPI.requests if r["path"] == p)
                        for p in ("/speech-to-text", "/text-to-speech", "/v1/audio/transcriptions"))
    assert b'name="language_code"\r\n\r\nod-IN' in stt["body"]
    assert tts["json"]["target_language_code"] == "od-IN"
    assert b'name="language"\r\n\r\nor\r\n' in openai["body"]


# Short on purpose: the reply's length is bounded by the lesson's, and the tiny model is slow on a shared CPU.
LESSON = "## Reading files\n\nThe open function returns a file object [1]. Close it when done [2]."


async def test_llm_lecture_script_is_written_once_then_cached(tmp_path: Path, llm_server: str) -> None:  # noqa: F811
    conf = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, llm_provider="openai", openai_base_url=llm_server, llm_model="smollm2",
        llm_max_retries=0, llm_timeout_seconds=120,
    )
    first = await lecture_script(AudioEngines(conf), "Reading files", LESSON)
    assert first.source == "llm:smollm2" and first.language == "en" and len(first.text.split()) >= 5
    assert "[1]" not in first.text and "##" not in first.text
    again = await lecture_script(AudioEngines(conf), "Reading files", LESSON)
    assert again == first  # from the cache: the model is not asked twice
    down = conf.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1", "data_dir": tmp_path / "other"})
    with pytest.raises(ServiceUnavailable, match="lecture"):
        await lecture_script(AudioEngines(down), "Reading files", LESSON)
    # With a model the lecture is written in the language asked for (a 135M model writes it badly:
    # the plumbing is what is checked), and cached apart from the English one.
    hindi = await lecture_script(AudioEngines(conf), "Reading files", LESSON, language="hi")
    assert (hindi.language, hindi.source) == ("hi", "llm:smollm2") and len(hindi.text.split()) >= 5
    assert hindi.text != first.text


async def test_llm_translates_a_lesson_to_read_it_in_another_language(tmp_path: Path, llm_server: str) -> None:  # noqa: F811
    conf = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, llm_provider="openai", openai_base_url=llm_server, llm_model="smollm2",
        llm_max_retries=0, llm_timeout_seconds=120,
    )
    own = await lesson_speech(AudioEngines(conf), "Reading files", LESSON, "en", "en")
    assert own.source == "offline"  # the lesson's own language needs no model
    hindi = await lesson_speech(AudioEngines(conf), "Reading files", LESSON, "hi", "en")
    assert (hindi.language, hindi.source) == ("hi", "llm:smollm2") and len(hindi.text.split()) >= 5
    assert "[1]" not in hindi.text and "##" not in hindi.text
    assert await lesson_speech(AudioEngines(conf), "Reading files", LESSON, "hi", "en") == hindi  # cached
    down = conf.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1", "data_dir": tmp_path / "other"})
    with pytest.raises(ServiceUnavailable, match="translation"):
        await lesson_speech(AudioEngines(down), "Reading files", LESSON, "ta", "en")

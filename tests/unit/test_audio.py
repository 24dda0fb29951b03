"""Speech out and in on the real engines (espeak-ng, Piper when installed, faster-whisper)."""

from __future__ import annotations

import asyncio
import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from core.audio import stream as audio_stream
from core.audio.cache import AudioCache
from core.audio.decode import decode, sniff
from core.audio.engines import AudioEngines
from core.audio.formats import Pcm, encode, parse_wav, wav_bytes
from core.audio.lecture import SpokenText, lecture_script, lesson_speech
from core.audio.stt import WhisperTranscriber, words
from core.audio.text import sentences, speakable
from core.audio.tts import EspeakSynthesizer, PiperSynthesizer, SpeechSynthesizer, piper_available
from core.errors import InvalidInput, TooLarge, UnsupportedMedia
from core.settings import Settings

SAMPLE = (
    "Python reads input from files and prints formatted output to the screen. "
    "The print function writes a line of text. Formatted string literals put values inside strings."
)
needs_piper = pytest.mark.skipif(not piper_available(), reason="the optional piper extra is not installed")


def tone(seconds: float, rate: int = 16_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return wav_bytes(Pcm((np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes(), rate))


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None, **extra)  # type: ignore[call-arg]


def av_duration(data: bytes) -> float:
    samples = 0
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            samples += frame.samples
        return samples / stream.rate


@pytest.mark.parametrize("engine", ["espeak", pytest.param("piper", marks=needs_piper)])
def test_synthesis_gives_wav_of_plausible_length(engine: str) -> None:
    synth: SpeechSynthesizer = EspeakSynthesizer() if engine == "espeak" else PiperSynthesizer()
    pcm = parse_wav(synth.synthesize(SAMPLE))
    n_words = len(SAMPLE.split())
    assert pcm.sample_rate == 22050 and pcm.channels == 1
    assert 0.2 * n_words <= pcm.duration <= 1.0 * n_words, pcm.duration
    assert np.abs(np.frombuffer(pcm.data, dtype="<i2")).max() > 1000  # speech, not silence


@pytest.mark.parametrize("fmt", ["mp3", "ogg"])
def test_compressed_formats_decode_to_the_same_length(fmt: str) -> None:
    pcm = parse_wav(EspeakSynthesizer().synthesize("One two three four five."))
    data = encode(pcm, fmt)  # type: ignore[arg-type]
    assert sniff(data) == fmt and len(data) < len(pcm.data) / 3
    assert av_duration(data) == pytest.approx(pcm.duration, abs=0.15)


def test_speech_round_trip_is_mostly_understood() -> None:
    # Piper when installed (natural voice); espeak's robotic voice is harder, so it gets a lower bar.
    synth: SpeechSynthesizer = PiperSynthesizer() if piper_available() else EspeakSynthesizer()
    heard = WhisperTranscriber().transcribe(decode(synth.synthesize(SAMPLE), max_mb=15, max_seconds=300))
    said = words(SAMPLE)
    got = set(words(heard.text))
    recall = sum(w in got for w in said) / len(said)
    assert recall >= (0.8 if piper_available() else 0.6), heard.text
    assert heard.language == "en" and heard.duration > 5


def test_non_audio_and_damaged_audio_are_refused() -> None:
    with pytest.raises(UnsupportedMedia):
        decode(b"%PDF-1.7\n" + b"x" * 1000, max_mb=1, max_seconds=10)
    with pytest.raises(UnsupportedMedia):
        decode(b"hello, this is text", max_mb=1, max_seconds=10)
    with pytest.raises(InvalidInput):
        decode(b"", max_mb=1, max_seconds=10)
    with pytest.raises(InvalidInput):  # looks like WAV, is not
        decode(b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(256)) * 4, max_mb=1, max_seconds=10)


def test_size_and_duration_limits() -> None:
    with pytest.raises(TooLarge):
        decode(tone(1.0), max_mb=0.01, max_seconds=10)
    with pytest.raises(TooLarge):
        decode(tone(3.0), max_mb=1, max_seconds=2)
    assert decode(tone(1.0), max_mb=1, max_seconds=2).duration == pytest.approx(1.0, abs=0.01)
    # A highly compressed file is stopped by duration while decoding, not after.
    long_mp3 = encode(Pcm(bytes(2 * 16_000 * 20), 16_000), "mp3")
    with pytest.raises(TooLarge):
        decode(long_mp3, max_mb=1, max_seconds=5)


def test_markdown_and_citations_are_not_read_aloud() -> None:
    md = (
        "## Reading files\n\nUse **open()** to read a file [1]. See [the docs](https://x.io) [2, 3].\n\n"
        "```python\nprint('x')\n```\n\n- first point\n- second point [^4]\n"
    )
    text = speakable(md)
    assert "[" not in text and "*" not in text and "print('x')" not in text and "https" not in text
    assert text.startswith("Reading files.") and "Use open() to read a file." in text
    assert sentences(text) == [
        "Reading files.", "Use open() to read a file.", "See the docs.", "first point.", "second point.",
    ]


class CountingSynth:
    """Wraps a real engine and counts its runs; with a `gate`, each piece waits (blocking, as
    a real engine would) until the gate opens, to test that synthesis leaves the loop free."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.inner = EspeakSynthesizer()
        self.name = "counting-espeak"
        self.calls = 0
        self.gate = gate
        self.started = threading.Event()
        self.opened: list[bool] = []  # per piece: did the gate open (False: it timed out)
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def synthesize(self, text: str, voice: str | None = None, language: str | None = None) -> bytes:
        return self.inner.synthesize(text, voice, language)

    def stream(self, text: str, voice: str | None = None, language: str | None = None) -> Iterator[bytes]:
        self.calls += 1
        for piece in self.inner.stream(text, voice, language):
            with self._lock:
                self.active += 1
                self.max_active = max(self.max_active, self.active)
            self.started.set()
            if self.gate is not None:
                # Blocking on purpose; only a free event loop can open the gate. The bound
                # only turns a hang into a failure.
                self.opened.append(self.gate.wait(60))
            with self._lock:
                self.active -= 1
            yield piece


async def collect(engines: AudioEngines, text: str, fmt: str = "mp3", **kw: object) -> list[bytes]:
    return [c async for c in audio_stream.speak_stream(engines, text, None, fmt, **kw)]  # type: ignore[arg-type]


def engines_with(settings: Settings, synth: SpeechSynthesizer) -> AudioEngines:
    return AudioEngines(settings, make_synthesizer=lambda _provider, _settings: synth)


async def test_cache_hit_returns_identical_bytes_without_synthesizing(tmp_path: Path) -> None:
    synth = CountingSynth()
    settings = engines_with(settings_for(tmp_path), synth)
    first = b"".join(await collect(settings, SAMPLE))
    second = b"".join(await collect(settings, SAMPLE))
    assert first == second and synth.calls == 1
    assert len(list((tmp_path / "audio-cache").rglob("*.mp3"))) == 1
    await collect(settings, SAMPLE, "ogg")  # another format is another entry
    assert synth.calls == 2
    assert AudioCache.key("ab", "c", "e", "mp3") != AudioCache.key("a", "bc", "e", "mp3")


def test_cache_keeps_to_its_size_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "audio-cache", max_bytes=100_000)
    keys = [AudioCache.key(f"text {i}", None, "e", "mp3") for i in range(12)]
    now = time.time()
    for i, key in enumerate(keys[:10]):
        os.utime(cache.put(key, "mp3", b"x" * 10_000), (now - 7200 + i, now - 7200 + i))  # older first
    assert cache.find(keys[0], "mp3") is not None  # a hit: the oldest file is used again now
    cache.put(keys[10], "mp3", b"x" * 10_000)  # 110 kB: over the limit, trimmed to 90 kB
    cache.put(keys[11], "mp3", b"x" * 10_000)  # 100 kB: at the limit, kept
    left = {p.stem for p in (tmp_path / "audio-cache").rglob("*.mp3")}
    assert sum(p.stat().st_size for p in (tmp_path / "audio-cache").rglob("*.mp3")) <= 100_000
    assert {keys[0], keys[10], keys[11]} <= left  # just used and just written stay
    assert keys[1] not in left and keys[2] not in left  # the least recently used went first
    assert AudioCache(tmp_path / "unbounded").trim() == 0


async def test_wav_stream_gives_one_playable_wav_per_sentence(tmp_path: Path) -> None:
    text = (
        "The first sentence is long enough to be spoken alone. The second sentence is also long enough for that. "
        "So is the third and last one of them, which ends here."
    )
    pieces = await collect(AudioEngines(settings_for(tmp_path, tts_provider="espeak")), text, "wav")
    assert len(pieces) == 3 and all(parse_wav(p).duration > 0.3 for p in pieces)


async def test_synthesis_runs_off_the_event_loop_and_is_bounded(tmp_path: Path) -> None:
    gate = threading.Event()
    synth = CountingSynth(gate)
    engines = engines_with(settings_for(tmp_path, audio_concurrency=1), synth)
    speaking = asyncio.gather(
        collect(engines, "One. Two. Three.", use_cache=False), collect(engines, "Four. Five.", use_cache=False)
    )
    # The engine now blocks its thread on the gate; this coroutine still runs, so the loop is free.
    assert await asyncio.to_thread(synth.started.wait, 60)
    assert synth.active == 1  # audio_concurrency=1: the other text waits for the slot
    gate.set()
    await speaking
    assert synth.opened and all(synth.opened)  # no piece ran on the loop (it would have timed out)
    assert synth.max_active == 1


async def test_offline_lecture_frames_the_lesson(tmp_path: Path) -> None:
    engines = AudioEngines(settings_for(tmp_path))
    script = await lecture_script(engines, "Reading *files*", "Use open() [1].\n\n## Modes\n\nText.")
    assert script.source == "offline" and script.language == "en"
    assert script.text.startswith("Welcome. In this lecture we look at Reading files.")
    assert "Use open()." in script.text and "[1]" not in script.text and "end of this lecture" in script.text
    # Nothing offline writes Tamil: the lecture stays in the lesson's language and says so.
    tamil = await lecture_script(engines, "Reading *files*", "Use open() [1].", language="ta")
    assert tamil.language == "en" and tamil.text.startswith("Welcome.")
    british = await lecture_script(engines, "Files", "Use open().", language="en-GB")
    assert british.language == "en-GB"  # another English voice is still the lesson's language


async def test_offline_lesson_speech_is_the_lesson_as_written(tmp_path: Path) -> None:
    conf = settings_for(tmp_path)
    own = await lesson_speech(AudioEngines(conf), "Files", "Use **open()** [1].", "en-US", "en")
    assert own == SpokenText(speakable("# Files\n\nUse **open()** [1]."), "en-US", "offline")
    assert "Use open()" in own.text and "[1]" not in own.text and "**" not in own.text
    hindi = await lesson_speech(AudioEngines(conf), "Files", "Use **open()** [1].", "hi", "en")
    assert (hindi.text, hindi.language, hindi.source) == (own.text, "en", "offline")
    odia = await lesson_speech(AudioEngines(conf), "ଫାଇଲ", "ପାଠ।", "or", "od")  # "or" is ISO's Odia, "od" the tutor's
    assert odia.language == "or"

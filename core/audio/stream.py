"""Async entry points: speak text as a stream of encoded audio, transcribe an upload.

Synthesis and recognition are CPU-bound (or block on HTTP), so every step runs in a thread
and never on the event loop. A per-loop semaphore (AudioEngines.slots) bounds how many run at once
(settings.audio_concurrency): on a small machine two Piper runs already fill the cores, and
more would only slow every request down, including the ones that are not about audio.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from core.audio.decode import decode
from core.audio.engines import AudioEngines
from core.audio.formats import AudioFormat, Encoder, Pcm, check_format, parse_wav, to_mono, wav_bytes
from core.audio.languages import check_language
from core.audio.stt import Transcript
from core.audio.tts import SpeechSynthesizer, check_voice
from core.errors import InvalidInput

CACHE_READ_BYTES = 64 * 1024
_DONE = object()


async def _pull(engines: AudioEngines, pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Run a blocking generator one item at a time in a thread, holding a slot per item, so
    one long lecture cannot keep short requests waiting for minutes."""
    while True:
        async with engines.slots():
            item = await asyncio.to_thread(next, pieces, _DONE)
        if item is _DONE:
            return
        yield item  # type: ignore[misc]


async def speak_stream(
    engines: AudioEngines,
    text: str,
    voice: str | None = None,
    fmt: str = "mp3",
    *,
    language: str | None = None,
    use_cache: bool = True,
    whole_file: bool = False,
) -> AsyncIterator[bytes]:
    """Speak `text` sentence by sentence.

    mp3 and ogg: the pieces concatenate into one file (each mp3 piece is playable on its own).
    wav: by default each piece is a complete WAV of one sentence, for players fed message by
    message (the chat websocket); with `whole_file=True` a single WAV comes at the end.
    A finished text is cached, and a cached one is sent straight from disk.
    """
    audio_format = check_format(fmt)
    lang, voice = check_language(language), check_voice(voice)
    if not text.strip():
        raise InvalidInput("there is nothing to say: the text is empty")
    synth = engines.synthesizer(lang)
    cache = engines.cache
    per_sentence_wav = audio_format == "wav" and not whole_file
    key = cache.key(text, voice, synth.name, "wav-parts" if per_sentence_wav else audio_format, lang)
    if use_cache and not per_sentence_wav:
        hit = cache.find(key, audio_format)
        if hit is not None:
            async for chunk in _read_file(hit):
                yield chunk
            return
    produced: list[bytes] = []
    async for chunk in _encode(engines, synth, text, voice, lang, audio_format, per_sentence_wav):
        produced.append(chunk)
        yield chunk
    # Reached only when the client took every piece: a dropped stream caches nothing.
    if use_cache and not per_sentence_wav and produced:
        await asyncio.to_thread(cache.put, key, audio_format, b"".join(produced))


async def _encode(
    engines: AudioEngines, synth: SpeechSynthesizer, text: str, voice: str | None, lang: str,
    fmt: AudioFormat, per_sentence_wav: bool,
) -> AsyncIterator[bytes]:
    encoder: Encoder | None = None
    spoken = False
    async for wav in _pull(engines, synth.stream(text, voice, lang)):
        pcm = to_mono(parse_wav(wav))
        spoken = True
        if per_sentence_wav:
            yield wav_bytes(pcm)
            continue
        if encoder is None:
            encoder = Encoder(fmt, pcm.sample_rate)
        elif fmt != "wav":
            # The same short pause between sentences as in a whole-text synthesis.
            pcm = Pcm(b"\x00\x00" * int(pcm.sample_rate * 0.25) + pcm.data, pcm.sample_rate)
        out = await asyncio.to_thread(encoder.feed, pcm)
        if out:
            yield out
    if not spoken:
        raise InvalidInput("there is nothing to say: the text has no words")
    if encoder is not None:
        tail = await asyncio.to_thread(encoder.finish)
        if tail:
            yield tail


async def _read_file(path: Path) -> AsyncIterator[bytes]:
    data = await asyncio.to_thread(path.read_bytes)
    for start in range(0, len(data), CACHE_READ_BYTES):
        yield data[start : start + CACHE_READ_BYTES]


async def speak_bytes(engines: AudioEngines, text: str, voice: str | None = None, fmt: str = "mp3",
                      *, language: str | None = None) -> bytes:
    """The whole file at once (cached like the stream)."""
    return b"".join([c async for c in speak_stream(engines, text, voice, fmt, language=language, whole_file=True)])


async def transcribe(engines: AudioEngines, data: bytes, language: str | None = None) -> Transcript:
    """Validate, decode and transcribe an upload; each blocking step in a thread."""
    engine = engines.transcriber()
    settings = engines.settings
    async with engines.slots():
        audio = await asyncio.to_thread(
            decode, data, max_mb=settings.max_audio_mb, max_seconds=settings.max_audio_seconds
        )
        return await asyncio.to_thread(engine.transcribe, audio, language)

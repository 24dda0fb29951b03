"""The process's speech engines, audio cache and audio slots, in one object.

The composition root (profai/container.py) makes one `AudioEngines` per process and hands it to
whoever speaks or listens. Engines are built on first use and kept: a Piper or Whisper model
takes about a second and ~100 MB to load.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable

from core.audio.cache import AudioCache
from core.audio.stt import Transcriber, build_transcriber
from core.audio.tts import SpeechSynthesizer, build_synthesizer, provider_for
from core.settings import Settings

SynthesizerFactory = Callable[[str, Settings], SpeechSynthesizer]  # (provider, settings)


class AudioEngines:
    def __init__(
        self,
        settings: Settings,
        *,
        make_synthesizer: SynthesizerFactory = build_synthesizer,
        make_transcriber: Callable[[Settings], Transcriber] = build_transcriber,
    ) -> None:
        self.settings = settings
        # One cache object per process: it counts what this process wrote since its last trim.
        self.cache = AudioCache(
            settings.data_dir.resolve() / "audio-cache", int(settings.audio_cache_max_mb * 1024 * 1024)
        )
        self._make_synthesizer = make_synthesizer
        self._make_transcriber = make_transcriber
        self._lock = threading.Lock()
        self._synthesizers: dict[str, SpeechSynthesizer] = {}  # by provider: at most four
        self._transcriber: Transcriber | None = None
        # One semaphore per event loop (it belongs to the loop that first waits on it).
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def synthesizer(self, language: str | None = None) -> SpeechSynthesizer:
        """The engine that speaks `language` under these settings."""
        provider = provider_for(self.settings, language)
        with self._lock:
            if provider not in self._synthesizers:
                self._synthesizers[provider] = self._make_synthesizer(provider, self.settings)
            return self._synthesizers[provider]

    def transcriber(self) -> Transcriber:
        with self._lock:
            if self._transcriber is None:
                self._transcriber = self._make_transcriber(self.settings)
            return self._transcriber

    def slots(self) -> asyncio.Semaphore:
        """Bounds how many syntheses and transcriptions run at once (settings.audio_concurrency):
        on a small machine two Piper runs already fill the cores."""
        loop = asyncio.get_running_loop()
        slot = self._slots.get(loop)
        if slot is None:
            slot = self._slots[loop] = asyncio.Semaphore(max(1, self.settings.audio_concurrency))
        return slot

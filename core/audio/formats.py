"""WAV parsing and building, and encoders to WAV / MP3 / OGG that work chunk by chunk.

Every synthesizer speaks 16-bit mono PCM inside WAV. The encoders take that PCM a sentence at
a time, so MP3 and OGG can go out on the wire before the whole text is spoken. Nothing here
needs a system package: MP3 is `lameenc` (LAME inside the wheel), OGG Vorbis is `soundfile`
(libsndfile inside the wheel).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.errors import InvalidInput, ServiceUnavailable

AudioFormat = Literal["wav", "mp3", "ogg"]
FORMATS: tuple[AudioFormat, ...] = ("wav", "mp3", "ogg")
MEDIA_TYPES: dict[str, str] = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg"}


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit little-endian samples."""

    data: bytes
    sample_rate: int
    channels: int = 1

    @property
    def duration(self) -> float:
        return len(self.data) / (2 * self.channels * self.sample_rate) if self.sample_rate else 0.0


def check_format(fmt: str) -> AudioFormat:
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown audio format {fmt!r}: use one of {', '.join(FORMATS)}")
    return fmt  # type: ignore[return-value]


def wav_bytes(pcm: Pcm) -> bytes:
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(pcm.data), b"WAVE", b"fmt ", 16, 1, pcm.channels, pcm.sample_rate,
        pcm.sample_rate * pcm.channels * 2, pcm.channels * 2, 16, b"data", len(pcm.data),
    )
    return header + pcm.data


def parse_wav(data: bytes) -> Pcm:
    """PCM of a 16-bit WAV. Tolerates the bogus sizes that streaming writers (espeak-ng
    --stdout) put in the header: they cannot seek back, so the data runs to the end."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ServiceUnavailable("the speech engine returned something that is not WAV audio")
    pos, rate, channels, bits = 12, 0, 1, 16
    while pos + 8 <= len(data):
        tag, size = struct.unpack_from("<4sI", data, pos)
        body = pos + 8
        if tag == b"fmt ":
            _, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
        elif tag == b"data":
            end = min(len(data), body + size)
            samples = data[body:end]
            if bits != 16 or not rate:
                raise ServiceUnavailable(f"the speech engine returned {bits}-bit audio; 16-bit PCM expected")
            return Pcm(samples[: len(samples) - len(samples) % (2 * channels)], rate, channels)
        pos = body + size + (size & 1)
    raise ServiceUnavailable("the speech engine returned WAV audio without a data chunk")


def to_mono(pcm: Pcm) -> Pcm:
    if pcm.channels == 1:
        return pcm
    samples = np.frombuffer(pcm.data, dtype="<i2").reshape(-1, pcm.channels).mean(axis=1)
    return Pcm(samples.astype("<i2").tobytes(), pcm.sample_rate, 1)


class Encoder:
    """Feed PCM, get encoded bytes as soon as the codec lets go of them; `finish` flushes.

    WAV needs its sizes in the header, so it is produced whole in `finish`; the cache stores
    exactly what a client received, which is why WAV is not sent with made-up sizes.
    """

    def __init__(self, fmt: AudioFormat, sample_rate: int, channels: int = 1, bitrate_kbps: int = 64) -> None:
        self.fmt = fmt
        self.sample_rate = sample_rate
        self.channels = channels
        self._pcm = bytearray()
        self._lame: Any = None
        self._sf: Any = None
        self._buf = io.BytesIO()
        self._sent = 0
        if fmt == "mp3":
            import lameenc

            self._lame = lameenc.Encoder()
            self._lame.set_bit_rate(bitrate_kbps)
            self._lame.set_in_sample_rate(sample_rate)
            self._lame.set_channels(channels)
            self._lame.set_quality(5)  # 2 = best, 7 = fastest; 5 is LAME's usual trade-off
        elif fmt == "ogg":
            import soundfile

            self._sf = soundfile.SoundFile(
                self._buf, mode="w", samplerate=sample_rate, channels=channels, format="OGG", subtype="VORBIS"
            )

    def feed(self, pcm: Pcm) -> bytes:
        if pcm.sample_rate != self.sample_rate or pcm.channels != self.channels:
            raise ServiceUnavailable("the speech engine changed its sample rate in the middle of a text")
        if self.fmt == "wav":
            self._pcm += pcm.data
            return b""
        if self.fmt == "mp3":
            return bytes(self._lame.encode(pcm.data))
        frames = np.frombuffer(pcm.data, dtype="<i2").reshape(-1, self.channels)
        self._sf.write(frames)
        return self._drain()

    def finish(self) -> bytes:
        if self.fmt == "wav":
            return wav_bytes(Pcm(bytes(self._pcm), self.sample_rate, self.channels))
        if self.fmt == "mp3":
            return bytes(self._lame.flush())
        self._sf.close()
        return self._drain()

    def _drain(self) -> bytes:
        view = self._buf.getbuffer()
        out = bytes(view[self._sent :])
        del view  # a live buffer view would stop BytesIO from growing
        self._sent += len(out)
        return out


def encode(pcm: Pcm, fmt: AudioFormat) -> bytes:
    enc = Encoder(fmt, pcm.sample_rate, pcm.channels)
    return enc.feed(pcm) + enc.finish()

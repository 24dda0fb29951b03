"""Checking and decoding uploaded audio for speech recognition.

The bytes are sniffed first (a file name or Content-Type is the client's claim, not a fact),
then decoded with PyAV, which bundles the ffmpeg libraries, so no system package is needed.
Decoding stops as soon as the duration limit is passed: a small, highly compressed file
could otherwise expand to hours of samples in memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from core.errors import InvalidInput, TooLarge, UnsupportedMedia

WHISPER_RATE = 16_000
ACCEPTED = "WAV, MP3, WebM, OGG or FLAC"


@dataclass(frozen=True)
class DecodedAudio:
    raw: bytes  # the upload as sent, for remote engines that decode it themselves
    kind: str  # wav | mp3 | webm | ogg | flac
    samples: np.ndarray  # float32 mono at 16 kHz, what Whisper expects
    sample_rate: int = WHISPER_RATE

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def filename(self) -> str:
        return f"audio.{self.kind}"

    @property
    def media_type(self) -> str:
        return {"mp3": "audio/mpeg", "webm": "audio/webm"}.get(self.kind, f"audio/{self.kind}")


def sniff(data: bytes) -> str | None:
    """The container named by the file's magic bytes, or None."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: WebM / Matroska, what browsers' MediaRecorder makes
        return "webm"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:3] == b"ID3":
        return "mp3"
    # A bare MPEG audio frame: 11 sync bits, then a layer that is not "reserved".
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "mp3"
    return None


def check_upload(data: bytes, max_mb: float) -> str:
    if not data:
        raise InvalidInput("the audio is empty")
    if len(data) > max_mb * 1024 * 1024:
        raise TooLarge(f"the audio is larger than {max_mb:g} MB")
    kind = sniff(data)
    if kind is None:
        raise UnsupportedMedia(f"this is not audio we can read: send {ACCEPTED}")
    return kind


def decode(data: bytes, *, max_mb: float, max_seconds: float) -> DecodedAudio:
    """Validate and decode to 16 kHz mono float32. Blocking: call it in a thread."""
    kind = check_upload(data, max_mb)
    import av

    limit = int(max_seconds * WHISPER_RATE)
    parts: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UnsupportedMedia("the file has no audio track")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=WHISPER_RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    total += len(chunk)
                    if total > limit:
                        raise TooLarge(f"the audio is longer than {max_seconds:g} seconds")
                    parts.append(chunk)
            for out in resampler.resample(None):  # flush what the resampler still holds
                parts.append(out.to_ndarray().reshape(-1))
    except (TooLarge, UnsupportedMedia):
        raise
    except (av.error.FFmpegError, ValueError, IndexError) as exc:
        raise InvalidInput(f"the {kind} audio could not be decoded: it looks damaged") from exc
    if not parts:
        raise InvalidInput(f"the {kind} audio holds no sound")
    samples = np.concatenate(parts).astype(np.float32) / 32768.0
    if len(samples) > limit:
        raise TooLarge(f"the audio is longer than {max_seconds:g} seconds")
    return DecodedAudio(raw=data, kind=kind, samples=samples)

"""Speech speed on this machine: real-time factor of each TTS engine and of the offline STT.

Real-time factor (RTF) = seconds of compute / seconds of audio; below 1 is faster than real
time. Also reports word error rate (WER) of faster-whisper tiny.en on each engine's speech.

    .venv/bin/python bench/tts_speed.py [--words 200] [--repeat 1]     (from the repo root)
"""

from __future__ import annotations

import argparse
import time

from core.audio.decode import decode
from core.audio.formats import encode, parse_wav
from core.audio.stt import WhisperTranscriber, words
from core.audio.tts import EspeakSynthesizer, PiperSynthesizer, SpeechSynthesizer, piper_available

PASSAGE = (
    "Python offers several ways to present the output of a program. Data can be printed in a human readable "
    "form, or written to a file for future use. Formatted string literals let you include the value of an "
    "expression inside a string by prefixing it with the letter f. The string format method needs more manual "
    "effort, but it gives you control over how values are shown. When you open a file, you pass its name and a "
    "mode, such as read or write. It is good practice to use the with keyword when dealing with file objects, "
    "because the file is closed properly after its suite finishes, even if an exception is raised. The json "
    "module can take Python data hierarchies and convert them to string representations, a process called "
    "serializing. Reconstructing the data from the string representation is called deserializing. "
)


def text_of(n_words: int) -> str:
    pool = PASSAGE.split()
    out = (pool * (n_words // len(pool) + 1))[:n_words]
    return " ".join(out).rstrip(",") + "."


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = words(reference), words(hypothesis)
    dist = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, dist[0] = dist[0], i
        for j, h in enumerate(hyp, 1):
            prev, dist[j] = dist[j], min(dist[j] + 1, dist[j - 1] + 1, prev + (r != h))
    return dist[-1] / max(1, len(ref))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    text = text_of(args.words)
    engines: list[SpeechSynthesizer] = [EspeakSynthesizer()]
    if piper_available():
        engines.append(PiperSynthesizer())
    else:
        print("piper: not installed (optional extra) - skipped")
    stt = WhisperTranscriber()
    t0 = time.perf_counter()
    stt._load()
    print(f"whisper tiny.en load: {time.perf_counter() - t0:.2f} s")
    columns = ("words", 6), ("audio s", 9), ("tts s", 8), ("tts RTF", 9), ("mp3 s", 7), ("stt s", 7), ("stt RTF", 9)
    print(f"{'engine':<26}" + "".join(f"{name:>{width}}" for name, width in columns) + f"{'WER':>7}")
    for engine in engines:
        engine.synthesize("Warm up.")  # model load is not synthesis
        best = float("inf")
        wav = b""
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            wav = engine.synthesize(text)
            best = min(best, time.perf_counter() - t0)
        pcm = parse_wav(wav)
        t0 = time.perf_counter()
        encode(pcm, "mp3")
        mp3_s = time.perf_counter() - t0
        audio = decode(wav, max_mb=100, max_seconds=3600)
        t0 = time.perf_counter()
        heard = stt.transcribe(audio)
        stt_s = time.perf_counter() - t0
        print(
            f"{engine.name:<26}{args.words:>6}{pcm.duration:>9.1f}{best:>8.2f}{best / pcm.duration:>9.3f}"
            f"{mp3_s:>7.2f}{stt_s:>7.2f}{stt_s / pcm.duration:>9.3f}{wer(text, heard.text):>7.1%}"
        )


if __name__ == "__main__":
    main()

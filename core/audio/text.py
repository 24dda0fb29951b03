"""Turning lesson markdown into text worth hearing, and text into sentence-sized pieces."""

from __future__ import annotations

import re

# Lesson text cites its sources as [1], [2, 3] or [^4]; read aloud they are noise.
_CITATION = re.compile(r"\s*\[\^?\d+(?:\s*[,;-]\s*\^?\d+)*\]")
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_HTML = re.compile(r"<[^>\n]+>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$", re.M)
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*?)\s*$", re.M)
_QUOTE = re.compile(r"^\s*>\s?", re.M)
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M)
_TABLE_SEP = re.compile(r"^\s*\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*$", re.M)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`([^`]*)`")
_SENTENCE_END = re.compile(r"(?<=[.!?…।])[\"')\]]*\s+")


def speakable(markdown: str) -> str:
    """Plain prose from markdown: no code blocks, links, images, markers or citations."""
    text = _FENCE.sub("", markdown)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _CITATION.sub("", text)
    text = _HTML.sub("", text)
    text = _TABLE_SEP.sub("", text)
    text = _RULE.sub("", text)
    # A heading becomes a sentence of its own, so the voice pauses after it.
    text = _HEADING.sub(lambda m: _as_sentence(m.group(1)), text)
    # List items too: without a full stop the voice would run them together.
    text = _LIST.sub(lambda m: _as_sentence(m.group(1)), text)
    text = _QUOTE.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _CODE.sub(r"\1", text)
    text = text.replace("|", ", ")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(_as_sentence(p) for p in paragraphs if p)


def readable_in(text: str, language: str) -> str:
    """The paragraphs a voice of `language` can read: an offline answer quotes English material
    under a lead line in the student's script, which an English voice would only garble."""
    from core.languages import detect_language

    base = language.split("-")[0].lower()
    kept = [p for p in text.split("\n\n") if detect_language(p) in (base, "en", "de", "fr", "es")]
    return "\n\n".join(kept)


def _as_sentence(line: str) -> str:
    line = line.strip()
    return line if not line or line[-1] in ".!?:;…।" else line + "."


def sentences(text: str, max_chars: int = 400) -> list[str]:
    """Sentences, with very long ones cut at commas or spaces: an engine's latency (and the
    time to first audio) grows with the length of what it is given."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            out.extend(_cut(sentence.strip(), max_chars))
    return [s for s in out if any(ch.isalnum() for ch in s)]


def _cut(sentence: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    while len(sentence) > max_chars:
        window = sentence[:max_chars]
        at = max(window.rfind(", "), window.rfind("; "))
        if at < max_chars // 3:
            at = window.rfind(" ")
        if at <= 0:
            at = max_chars
        pieces.append(sentence[: at + 1].strip())
        sentence = sentence[at + 1 :].strip()
    if sentence:
        pieces.append(sentence)
    return pieces


def offline_lecture(title: str, body_markdown: str, summary: str = "") -> str:
    """The lesson itself, framed as a short spoken lecture; needs no model."""
    body = speakable(body_markdown)
    intro = f"Welcome. In this lecture we look at {_as_title(title)}."
    if summary.strip():
        intro += " " + _as_sentence(" ".join(speakable(summary).split()))
    outro = (
        f"That brings us to the end of this lecture on {_as_title(title)}. "
        "Take a moment to go over the main points before you move on to the next lesson."
    )
    return "\n\n".join(p for p in (intro, body, outro) if p)


def _as_title(title: str) -> str:
    return " ".join(speakable(title).split()).rstrip(".") or "this lesson"

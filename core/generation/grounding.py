"""Keeping a model-written lesson to what its cited passages say.

A sentence stays when enough of its content words (stemmed lightly, so "returns" meets
"return") are in the passages it cites: its own markers, else the next markers of its
paragraph (models often cite once per paragraph). A paragraph with no marker at all is
checked against every passage and cited to the best one. A code block stays only when it
is one of the sources' listings, and then it is the source's text, verbatim: a model that
"tidies" code would teach code the material does not contain.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from core.generation.extractive import words

GROUNDED = 0.6  # share of a sentence's content words found in its passages
_MARKER = re.compile(r"\s?\[(\d+)\]")
_FENCE = re.compile(r"^(`{3,})[\w+-]*\n(.*?)\n\1[ \t]*$", re.S | re.M)
_SOURCE_FENCE = re.compile(r"^(`{3,})\n(.*?)\n\1$", re.S | re.M)
_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(\[]?[A-Z0-9`*])")
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")


def stem(word: str) -> str:
    """A light suffix-stripper: "returns", "returned", "returning" -> "return"; "values" -> "valu"."""
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("ches", "shes", "xes", "sses", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    if w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def content_words(text: str) -> set[str]:
    """Stemmed content words and numbers: what a sentence claims."""
    return {stem(w) for w in words(text)} | set(_NUMBER.findall(text))


def support(sentence: str, passage_words: set[str]) -> float:
    """Share of the sentence's content words the passages contain (1.0 for a sentence with none)."""
    claimed = content_words(_MARKER.sub("", sentence))
    return len(claimed & passage_words) / len(claimed) if claimed else 1.0


def source_code(passages: Sequence[str]) -> list[str]:
    return [m.group(2) for text in passages for m in _SOURCE_FENCE.finditer(text)]


def _verbatim(code: str, listings: Sequence[str]) -> str | None:
    """The source listing the model's code block reproduces (whole or in part), or None."""
    flat = " ".join(code.split())
    best, ratio = None, 0.0
    for listing in listings:
        whole = " ".join(listing.split())
        if flat and flat in whole:
            return listing
        r = difflib.SequenceMatcher(None, flat, whole, autojunk=False).ratio()
        if r > ratio:
            best, ratio = listing, r
    return best if ratio >= 0.8 else None


def ground(body: str, passages: Sequence[str], threshold: float = GROUNDED) -> str:
    """`body` (markdown citing passages as [1]..[n]) with ungrounded sentences and foreign code removed."""
    bags = [content_words(p) for p in passages]
    listings = source_code(passages)
    out: list[str] = []
    pos = 0
    for m in _FENCE.finditer(body):
        out += _ground_prose(body[pos : m.start()], bags, threshold)
        code = _verbatim(m.group(2), listings)
        if code is not None:
            ticks = "`" * max(3, max((len(t) for t in re.findall(r"`+", code)), default=0) + 1)
            out.append(f"{ticks}\n{code}\n{ticks}")
        pos = m.end()
    out += _ground_prose(body[pos:], bags, threshold)
    return "\n\n".join(out)


def _ground_prose(text: str, bags: Sequence[set[str]], threshold: float) -> list[str]:
    kept_paragraphs = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if para.startswith("#"):
            kept_paragraphs.append(para)  # a heading claims nothing
            continue
        lines = [_ground_line(line, bags, threshold) for line in para.splitlines()]
        kept = "\n".join(line for line in lines if line)
        if kept and re.search(r"\w", kept):
            kept_paragraphs.append(kept)
    return kept_paragraphs


def _ground_line(line: str, bags: Sequence[set[str]], threshold: float) -> str:
    """One line (a paragraph's or a list item's): its grounded sentences, each cited."""
    bullet = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", line)
    prefix = bullet.group(0) if bullet else ""
    sentences = [s for s in _SENTENCE.split(line[len(prefix) :]) if s.strip()]
    cited = [[int(n) for n in _MARKER.findall(s) if 1 <= int(n) <= len(bags)] for s in sentences]
    kept: list[str] = []
    for i, sentence in enumerate(sentences):
        refs = cited[i] or next((c for c in cited[i + 1 :] if c), [])
        if refs:
            bag = set().union(*(bags[n - 1] for n in refs))
            if support(sentence, bag) >= threshold:
                kept.append(sentence if cited[i] else f"{sentence.rstrip()} [{refs[0]}]")
            continue
        scores = [support(sentence, bag) for bag in bags]
        best = max(range(len(scores)), key=scores.__getitem__, default=-1)
        if best >= 0 and scores[best] >= threshold:
            kept.append(f"{sentence.rstrip()} [{best + 1}]")
    return prefix + " ".join(kept) if kept else ""

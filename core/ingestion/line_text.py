"""Lines of a page back into text as the reader sees it.

Prose: a word hyphenated at the end of a line is joined ("exam-" + "ple" -> "example") unless
the document itself writes it with a hyphen or both halves are words ("built-in"); a URL cut
at the end of a line is joined ("wiki." + "python.org" -> "wiki.python.org"). Code: chars are
put back on their columns, so indentation and blank lines survive.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from statistics import median

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_HYPHENATED = re.compile(r"([A-Za-z]+)-$")
_WORD_START = re.compile(r"^([a-z]+)")
_URL_END = re.compile(r"(?:https?://|www\.)\S*[./_#?=&~-]$")
_URL_GOES_ON = re.compile(r"^[a-z0-9/#?=&_%~]\S*")

Cells = Sequence[tuple[float, str]]  # (start position along the line, word) of a code line


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words of the document, hyphenated compounds included."""
    return frozenset(w.lower() for text in texts for w in _WORD.findall(text))


def _joint(prev: str, nxt: str, vocab: frozenset[str]) -> str | None:
    """How `prev` (a line) and `nxt` join when `prev` ends in a cut word or URL: "keep" its last
    char or "drop" it (a hyphen) and join without a space; None: not cut."""
    last = prev.rsplit(None, 1)[-1] if prev.strip() else ""  # only the last word may be cut
    if _URL_END.search(last):
        more = _URL_GOES_ON.match(nxt)
        if more and (last.endswith(("/", "-", "_")) or re.search(r"[./#?=&_]", more.group(0))):
            return "keep"
        return None
    m, n = _HYPHENATED.search(last), _WORD_START.match(nxt)
    if not (m and n):
        return None
    head, tail = m.group(1).lower(), n.group(1)
    if f"{head}-{tail}" in vocab:
        return "keep"
    if head + tail in vocab:
        return "drop"
    return "keep" if (head in vocab and tail in vocab and len(tail) > 1) else "drop"


def join_lines(lines: Sequence[str], vocab: frozenset[str], sep: str = " ") -> str:
    out = lines[0] if lines else ""
    for line in lines[1:]:
        joint = _joint(out[-200:], line, vocab)  # its end is enough; the whole would be quadratic
        out = out + sep + line if joint is None else (out[:-1] if joint == "drop" else out) + line
    return out


def code_block(rows: Sequence[tuple[Cells, str, float, float, float]]) -> str:
    """(words with their start, plain text, baseline down the page, font size, char pitch) of
    each line -> the listing, each word on its column (at least one space apart)."""
    placed = [r for r in rows if r[0]]
    if not placed:
        return "\n".join(r[1] for r in rows)
    x0 = min(r[0][0][0] for r in placed)
    size = median(r[3] for r in rows)
    steps = [r[4] for r in placed if 0.3 * size <= r[4] <= 0.75 * size]
    width = median(steps) if steps else 0.6 * size
    pitches = [b[2] - a[2] for a, b in itertools.pairwise(rows) if b[2] > a[2]]
    pitch = min(pitches) if pitches else 1.2 * size
    lines: list[str] = []
    for i, (cells, text, v, _size, _pitch) in enumerate(rows):
        if i:
            gap = round((v - rows[i - 1][2]) / pitch) - 1 if pitch > 0 else 0
            lines += [""] * max(0, min(gap, 2))
        if not cells:
            lines.append(text)
            continue
        line = ""
        for h, word in cells:
            col = round((h - x0) / width)
            line += " " * max(1 if line else 0, col - len(line)) + word
        lines.append(line.rstrip())
    return "\n".join(lines)

"""Runs of chunks under one heading, the level of headings that makes modules, and word counts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.ingestion.types import Chunk

MIN_SECTION_WORDS = 40  # no lesson is shorter; a shorter section is folded into a neighbour

_NUMBERING = re.compile(r"^\s*(?:(?:chapter|section|part)\s+)?(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.)\s+", re.I)


# A slide deck's "Attention cont." / "(continued)" goes on the slide before: same title.
_CONTINUED = re.compile(r"\s*[(\[]?\b(?:cont\.|cont'd\.?|continued\.?)[)\]]?\s*$", re.I)


def clean_title(title: str) -> str:
    """'4.8.3. Special parameters' -> 'Special parameters' (the UI numbers modules itself)."""
    stripped = _CONTINUED.sub("", _NUMBERING.sub("", title.strip()))
    return " ".join((stripped or title).split())


@dataclass
class Unit:
    """Consecutive chunks that share a heading at the level being grouped."""

    key: tuple[str, ...]
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def title(self) -> str:
        return clean_title(self.key[-1]) if self.key and self.key[-1] else ""


def path_of(chunk: Chunk) -> tuple[str, ...]:
    return tuple(p for p in chunk.section.split(" > ")) if chunk.section else ()


def group(chunks: Sequence[Chunk], depth: int) -> list[Unit]:
    """Runs of consecutive chunks whose section paths agree on the first `depth` titles."""
    units: list[Unit] = []
    for chunk in chunks:
        key = path_of(chunk)[:depth]
        if not units or units[-1].key != key:
            units.append(Unit(key))
        units[-1].chunks.append(chunk)
    return units


_PROSE_WORD = re.compile(r"[^\W\d_]{2,}")


def words(chunks: Sequence[Chunk]) -> int:
    """Words of text (a formula's symbols and a listing's numbers do not count)."""
    return sum(1 for c in chunks for token in c.text.split() if _PROSE_WORD.search(token))


def fold_small(units: list[Unit]) -> list[Unit]:
    """Attach noise units (too few words) to the next unit, or the previous one at the end."""
    out: list[Unit] = []
    pending: list[Chunk] = []
    for unit in units:
        if words(unit.chunks) < MIN_SECTION_WORDS:
            pending.extend(unit.chunks)
            continue
        unit.chunks = pending + unit.chunks
        pending = []
        out.append(unit)
    if pending:
        if out:
            out[-1].chunks.extend(pending)
        else:
            out.append(Unit((), pending))
    return out


_PART = re.compile(
    r"^(?:part|teil|book|buch)\s+(?:[IVXLC]+|\d+|[A-Z]|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I
)


def module_depth(chunks: Sequence[Chunk]) -> int:
    """The heading depth whose titles become modules: skip a single enclosing book title, and
    a level of "Part I/II" headings (the chapters inside the parts are the modules)."""
    max_depth = max((len(path_of(c)) for c in chunks), default=0)
    depth = 1
    while depth < max_depth and len(fold_small(group(chunks, depth))) <= 1:
        depth += 1
    tops = [unit for unit in group(chunks, depth) if len(unit.key) == depth]
    parts = {unit.key for unit in tops if _PART.match(unit.key[-1])}
    if depth < max_depth and len(parts) >= 2 and len(parts) * 2 >= len({unit.key for unit in tops}):
        depth += 1
    return depth


def attach_heads(units: list[Unit], depth: int) -> list[Unit]:
    """The text of a heading above the module level (a part's opening page) opens the module
    that follows it instead of becoming a module of its own."""
    out: list[Unit] = []
    pending: list[Chunk] = []
    for i, unit in enumerate(units):
        nxt = units[i + 1] if i + 1 < len(units) else None
        if len(unit.key) < depth and nxt is not None and nxt.key[: len(unit.key)] == unit.key:
            pending.extend(unit.chunks)
            continue
        unit.chunks = pending + unit.chunks
        pending = []
        out.append(unit)
    return out

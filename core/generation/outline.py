"""Course outline from the material's own structure: chapters -> modules, subsections -> lessons.

Pure and deterministic: the same documents and chunks always give the same outline, so a
regenerated course keeps its shape. Every chunk ends up in exactly one lesson; sections too
small to stand alone (a title page, an empty "Contents") are folded into a neighbour instead
of becoming a module of their own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.ingestion.types import Chunk, LessonDraft, ModuleDraft, ParsedDocument

MAX_LESSON_CHUNKS = 6
TARGET_LESSON_CHUNKS = 4  # small neighbouring subsections are merged up to this size
MAX_LESSONS_PER_MODULE = 12
MAX_MODULES_PER_DOCUMENT = 20
FLAT_MODULE_CHUNKS = 16  # unstructured text: one module per ~16 chunks (4 lessons of 4)
MIN_SECTION_WORDS = 40  # below this a section is front matter or noise, folded into a neighbour
SMALL_LESSON_WORDS = 250  # a lesson shorter than this is merged with a neighbour if possible


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NUMBERING = re.compile(r"^\s*(?:(?:chapter|section|part)\s+)?(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.)\s+", re.I)
_WORD = re.compile(r"(?<![\w'])[A-Za-z][a-z-]+(?![\w'])")
STOPWORDS = wordset(
    "the a an and or of to in is are be been for on with as by it its this that these those from at "
    "you your can was were which not but if then than there their they we our has have had will "
    "would should could may might also more most such other into all any each one some what when how "
    "do does so no only about use used using like just very"
)


def clean_title(title: str) -> str:
    """'4.8.3. Special parameters' -> 'Special parameters' (the UI numbers modules itself)."""
    stripped = _NUMBERING.sub("", title.strip())
    return " ".join((stripped or title).split())


@dataclass
class _Unit:
    """Consecutive chunks that share a heading at the level being grouped."""

    key: tuple[str, ...]
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def title(self) -> str:
        return clean_title(self.key[-1]) if self.key and self.key[-1] else ""


def _path_of(chunk: Chunk) -> tuple[str, ...]:
    return tuple(p for p in chunk.section.split(" > ")) if chunk.section else ()


def _group(chunks: Sequence[Chunk], depth: int) -> list[_Unit]:
    """Runs of consecutive chunks whose section paths agree on the first `depth` titles."""
    units: list[_Unit] = []
    for chunk in chunks:
        key = _path_of(chunk)[:depth]
        if not units or units[-1].key != key:
            units.append(_Unit(key))
        units[-1].chunks.append(chunk)
    return units


def _words(chunks: Sequence[Chunk]) -> int:
    return sum(len(c.text.split()) for c in chunks)


def _fold_small(units: list[_Unit]) -> list[_Unit]:
    """Attach noise units (too few words) to the next unit, or the previous one at the end."""
    out: list[_Unit] = []
    pending: list[Chunk] = []
    for unit in units:
        if _words(unit.chunks) < MIN_SECTION_WORDS:
            pending.extend(unit.chunks)
            continue
        unit.chunks = pending + unit.chunks
        pending = []
        out.append(unit)
    if pending:
        if out:
            out[-1].chunks.extend(pending)
        else:
            out.append(_Unit((), pending))
    return out


def _join_titles(titles: list[str]) -> str:
    uniq = list(dict.fromkeys(t for t in titles if t))
    uniq = [t for t in uniq if _heading_like(t)] or uniq  # "and it's equivalent to:" is no title
    if len(uniq) <= 1:
        return uniq[0] if uniq else ""
    joined = ", ".join(uniq[:-1]) + " and " + uniq[-1]
    return joined if len(joined) <= 70 else f"{uniq[0]} and more"


def _split_even(chunks: list[Chunk], size: int) -> list[list[Chunk]]:
    """Split into ceil(n/size) parts of near-equal length (no 6+1 tails)."""
    parts = max(1, -(-len(chunks) // size))
    base, extra = divmod(len(chunks), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + base + (1 if i < extra else 0)
        out.append(chunks[start:end])
        start = end
    return out


def _pieces(unit: _Unit, depth: int, fallback_title: str) -> list[tuple[str, list[Chunk]]]:
    """A unit as lesson-sized pieces: by its own subsections when it is too long, else even parts."""
    title = unit.title or fallback_title
    if len(unit.chunks) <= MAX_LESSON_CHUNKS:
        return [(title, unit.chunks)]
    sub = _fold_small(_group(unit.chunks, depth + 1))
    if len(sub) > 1:
        return [piece for s in sub for piece in _pieces(s, depth + 1, title)]
    parts = _split_even(unit.chunks, TARGET_LESSON_CHUNKS)
    return [(f"{title} (part {i + 1})", part) for i, part in enumerate(parts)]


def _small(chunks: list[Chunk]) -> bool:
    return len(chunks) < 2 or _words(chunks) < SMALL_LESSON_WORDS


def _lessons_for(units: list[_Unit], fallback_title: str, depth: int) -> list[LessonDraft]:
    """Pack subsection units into lessons of 1..MAX_LESSON_CHUNKS chunks."""
    pieces = [piece for unit in units for piece in _pieces(unit, depth, fallback_title)]
    lessons: list[tuple[list[str], list[Chunk]]] = []
    for title, chunks in pieces:
        fits = lessons and len(lessons[-1][1]) + len(chunks) <= TARGET_LESSON_CHUNKS
        if fits and (_small(lessons[-1][1]) or _small(chunks)):
            lessons[-1][0].append(title)
            lessons[-1][1].extend(chunks)
        else:
            lessons.append(([title], list(chunks)))
    # Too many lessons: merge the smallest adjacent pair until under the cap.
    while len(lessons) > MAX_LESSONS_PER_MODULE:
        i = min(range(len(lessons) - 1), key=lambda j: len(lessons[j][1]) + len(lessons[j + 1][1]))
        lessons[i] = (lessons[i][0] + lessons[i + 1][0], lessons[i][1] + lessons[i + 1][1])
        del lessons[i + 1]
    return [LessonDraft(title=_join_titles(t) or fallback_title, chunks=c) for t, c in lessons]


def _keyword_title(chunks: Sequence[Chunk], fallback: str) -> str:
    """A title for unstructured text: its most frequent content words."""
    counts = Counter(
        w.lower() for c in chunks for w in _WORD.findall(c.text) if w.lower() not in STOPWORDS and len(w) > 3
    )
    top = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    return _join_titles([w.capitalize() for w in top]) or fallback


def _module_depth(chunks: Sequence[Chunk]) -> int:
    """The heading depth whose titles become modules: skip a single enclosing book title."""
    max_depth = max((len(_path_of(c)) for c in chunks), default=0)
    depth = 1
    while depth < max_depth and len(_fold_small(_group(chunks, depth))) <= 1:
        depth += 1
    return depth


def _flat_modules(doc_title: str, chunks: list[Chunk]) -> list[ModuleDraft]:
    modules = []
    groups = _split_even(chunks, FLAT_MODULE_CHUNKS)
    for i, group in enumerate(groups):
        lessons = [
            LessonDraft(title=_keyword_title(part, f"Part {j + 1}"), chunks=part)
            for j, part in enumerate(_split_even(group, TARGET_LESSON_CHUNKS))
        ]
        title = doc_title if len(groups) == 1 else f"{doc_title} ({i + 1}/{len(groups)})"
        modules.append(ModuleDraft(title=title, lessons=lessons))
    return modules


def _heading_like(title: str) -> bool:
    return bool(title) and not title.endswith((":", ".")) and not re.search(r"[=()\[\]|»]", title)


def _packed_modules(tops: list[_Unit], depth: int) -> list[ModuleDraft]:
    """Many small top-level sections (slides, noisy headings): pack runs of them into modules."""
    modules: list[ModuleDraft] = []
    run: list[_Unit] = []
    size = max(FLAT_MODULE_CHUNKS, -(-sum(len(t.chunks) for t in tops) // MAX_MODULES_PER_DOCUMENT))
    for i, top in enumerate(tops):
        run.append(top)
        if sum(len(t.chunks) for t in run) >= size or i == len(tops) - 1:
            chunks = [c for t in run for c in t.chunks]
            title = next((t.title for t in run if _heading_like(t.title)), "") or _keyword_title(chunks, "Part")
            lessons = _lessons_for(run, title, depth)
            for lesson in lessons:
                if not _heading_like(lesson.title):
                    lesson.title = _keyword_title(lesson.chunks, title)
            modules.append(ModuleDraft(title=title, lessons=lessons))
            run = []
    return modules


def _document_modules(parsed: ParsedDocument, chunks: list[Chunk]) -> list[ModuleDraft]:
    chunks = sorted(chunks, key=lambda c: c.ordinal)
    if not chunks:
        return []
    doc_title = clean_title(parsed.title) or "Document"
    depth = _module_depth(chunks)
    tops = _fold_small(_group(chunks, depth))
    if len(tops) <= 1 and len(chunks) > MAX_LESSON_CHUNKS:
        # No usable headings at all (plain text, or one slide holding everything).
        return _flat_modules(doc_title, chunks)
    if len(tops) > MAX_MODULES_PER_DOCUMENT:
        return _packed_modules(tops, depth)
    modules = []
    for top in tops:
        title = top.title or doc_title
        subs = _fold_small(_group(top.chunks, depth + 1))
        modules.append(ModuleDraft(title=title, lessons=_lessons_for(subs, title, depth + 1)))
    if depth > 1 and 1 < len(modules) <= MAX_LESSONS_PER_MODULE and all(len(m.lessons) == 1 for m in modules):
        # One chapter's sections (its single title skipped, as a book's would be): one module
        # with a lesson each, not a module per lesson.
        key = tops[-1].key
        chapter = clean_title(key[depth - 2]) if len(key) >= depth - 1 else ""
        return [ModuleDraft(title=chapter or doc_title, lessons=[m.lessons[0] for m in modules])]
    return modules


def build_outline(documents: Sequence[tuple[str, ParsedDocument, list[Chunk]]]) -> list[ModuleDraft]:
    """Modules (ordered) from every document of a course, in the order given."""
    modules: list[ModuleDraft] = []
    for _document_id, parsed, chunks in documents:
        modules.extend(_document_modules(parsed, chunks))
    return modules

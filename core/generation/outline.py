"""Course outline from the material's own structure: chapters -> modules, subsections -> lessons.

Pure and deterministic: the same documents and chunks always give the same outline, so a
regenerated course keeps its shape. Every top-level chapter (level-1 bookmark or heading;
the chapters inside "Part I/II" when the book has parts) is a module of its own, however many
there are. Front and back matter (contents, index, bibliography...: `matter.py`) is in no
lesson; its chunks stay searchable. A preface opens the first module as a short lesson. Every
other chunk is in exactly one lesson, and no lesson has fewer than MIN_SECTION_WORDS words:
a shorter section joins a neighbour in its module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from core.generation.duplicates import DuplicateChapter, drop_duplicates
from core.generation.matter import split_matter
from core.generation.units import (
    MIN_SECTION_WORDS,
    Unit,
    attach_heads,
    clean_title,
    fold_small,
    group,
    module_depth,
    words,
)
from core.ingestion.types import Chunk, LessonDraft, ModuleDraft, ParsedDocument

MAX_LESSON_CHUNKS = 6
TARGET_LESSON_CHUNKS = 4  # small neighbouring subsections are merged up to this size
MAX_LESSONS_PER_MODULE = 12  # inside one chapter; chapters themselves are never merged
FLAT_MODULE_CHUNKS = 16  # unstructured text or slides: one module per ~16 chunks (4 lessons of 4)
SMALL_LESSON_WORDS = 250  # a lesson shorter than this is merged with a neighbour if possible
_CHAPTER_NUMBER = re.compile(r"^\s*(?:(?:chapter|kapitel)\s+\w+|\d+\.?\s|[IVXLC]+\.\s)", re.I)  # not "8.1"
SLIDE_TOPS, SLIDE_WORDS = 20, 150  # more top-level sections than this, this short: slides, not chapters


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"(?<![\w'])[A-Za-z][a-z-]+(?![\w'])")
STOPWORDS = wordset(
    "the a an and or of to in is are be been for on with as by it its this that these those from at "
    "you your can was were which not but if then than there their they we our has have had will "
    "would should could may might also more most such other into all any each one some what when how "
    "do does so no only about use used using like just very"
)


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


def _pieces(unit: Unit, depth: int, fallback_title: str) -> list[tuple[str, list[Chunk]]]:
    """A unit as lesson-sized pieces: by its own subsections when it is too long, else even parts."""
    title = unit.title or fallback_title
    if len(unit.chunks) <= MAX_LESSON_CHUNKS:
        return [(title, unit.chunks)]
    sub = fold_small(group(unit.chunks, depth + 1))
    if len(sub) > 1:
        return [piece for s in sub for piece in _pieces(s, depth + 1, title)]
    parts = _split_even(unit.chunks, TARGET_LESSON_CHUNKS)
    return [(f"{title} (part {i + 1})", part) for i, part in enumerate(parts)]


def _small(chunks: list[Chunk]) -> bool:
    return len(chunks) < 2 or words(chunks) < SMALL_LESSON_WORDS


def _lessons_for(units: list[Unit], fallback_title: str, depth: int) -> list[LessonDraft]:
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
        _merge_into(lessons, i)
    # A lesson too short to teach anything joins its neighbour, whatever their sizes.
    while len(lessons) > 1 and (short := _shortest(lessons)) is not None:
        _merge_into(lessons, short - 1 if short else 0)
    return [LessonDraft(title=_join_titles(t) or fallback_title, chunks=c) for t, c in lessons]


def _merge_into(lessons: list[tuple[list[str], list[Chunk]]], i: int) -> None:
    """Lesson i + 1 joins lesson i."""
    lessons[i] = (lessons[i][0] + lessons[i + 1][0], lessons[i][1] + lessons[i + 1][1])
    del lessons[i + 1]


def _shortest(lessons: list[tuple[list[str], list[Chunk]]]) -> int | None:
    short = [i for i, (_titles, chunks) in enumerate(lessons) if words(chunks) < MIN_SECTION_WORDS]
    return min(short, key=lambda i: words(lessons[i][1])) if short else None


def _keyword_title(chunks: Sequence[Chunk], fallback: str) -> str:
    """A title for unstructured text: its most frequent content words."""
    counts = Counter(
        w.lower() for c in chunks for w in _WORD.findall(c.text) if w.lower() not in STOPWORDS and len(w) > 3
    )
    top = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    return _join_titles([w.capitalize() for w in top]) or fallback


def _flat_modules(doc_title: str, chunks: list[Chunk]) -> list[ModuleDraft]:
    modules = []
    groups = _split_even(chunks, FLAT_MODULE_CHUNKS)
    for i, run in enumerate(groups):
        lessons = [
            LessonDraft(title=_keyword_title(part, f"Part {j + 1}"), chunks=part)
            for j, part in enumerate(_split_even(run, TARGET_LESSON_CHUNKS))
        ]
        title = doc_title if len(groups) == 1 else f"{doc_title} ({i + 1}/{len(groups)})"
        modules.append(ModuleDraft(title=title, lessons=lessons))
    return modules


def _heading_like(title: str) -> bool:
    return bool(title) and not title.endswith((":", ".")) and not re.search(r"[=()\[\]|»]", title)


def _slides(tops: list[Unit]) -> bool:
    """Many short top-level sections are slides, not chapters; and "headings" that are often
    sentences or code (a pasted web page, font sizes misread) are noise, not chapters."""
    sizes = sorted(words(t.chunks) for t in tops)
    noisy = sum(not _heading_like(t.title) for t in tops)
    one_page = all(t.chunks[0].page_start == t.chunks[-1].page_end for t in tops)  # a slide each
    slides = (len(tops) > SLIDE_TOPS or (one_page and len(tops) > 3)) and sizes[len(sizes) // 2] < SLIDE_WORDS
    return slides or (len(tops) > 3 and noisy * 4 > len(tops))


def _packed_modules(tops: list[Unit], depth: int) -> list[ModuleDraft]:
    """Slides: pack runs of them into modules of about FLAT_MODULE_CHUNKS chunks."""
    modules: list[ModuleDraft] = []
    run: list[Unit] = []
    size = FLAT_MODULE_CHUNKS
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
    intro, chunks, intro_title = split_matter(parsed, chunks, MAX_LESSON_CHUNKS)
    modules = _course_modules(parsed, chunks)
    if intro and words(intro) >= MIN_SECTION_WORDS:
        if modules:
            modules[0].lessons.insert(0, LessonDraft(intro_title, intro))
        else:
            modules = [ModuleDraft(intro_title, [LessonDraft(intro_title, intro)])]
    return modules


def _course_modules(parsed: ParsedDocument, chunks: list[Chunk]) -> list[ModuleDraft]:
    if not chunks:
        return []
    doc_title = clean_title(parsed.title) or "Document"
    depth = module_depth(chunks)
    tops = fold_small(attach_heads(group(chunks, depth), depth))
    if len(tops) <= 1 and len(chunks) > MAX_LESSON_CHUNKS:
        # No usable headings at all (plain text, or one slide holding everything).
        return _flat_modules(doc_title, chunks)
    if _slides(tops):
        return _packed_modules(tops, depth)
    modules = []
    for top in tops:
        title = top.title or doc_title
        subs = fold_small(group(top.chunks, depth + 1))
        modules.append(ModuleDraft(title=title, lessons=_lessons_for(subs, title, depth + 1)))
    one_parent = len({top.key[: depth - 1] for top in tops}) == 1
    single_lessons = all(len(m.lessons) == 1 for m in modules)
    chapters = sum(bool(_CHAPTER_NUMBER.match(top.key[-1])) for top in tops) * 2 >= len(tops)
    if depth > 1 and one_parent and single_lessons and not chapters and 1 < len(modules) <= MAX_LESSONS_PER_MODULE:
        # One chapter's sections (its single title skipped, as a book's would be): one module
        # with a lesson each, not a module per lesson. Chapters of different parts stay apart.
        key = tops[-1].key
        chapter = clean_title(key[depth - 2]) if len(key) >= depth - 1 else ""
        return [ModuleDraft(title=chapter or doc_title, lessons=[m.lessons[0] for m in modules])]
    return modules


@dataclass
class Outline:
    modules: list[ModuleDraft]
    duplicates: list[DuplicateChapter]  # chapters found in two documents, taught once


def plan_outline(documents: Sequence[tuple[str, ParsedDocument, list[Chunk]]]) -> Outline:
    """Modules (ordered) from every document of a course, in the order given; a chapter that
    two documents hold is taught once (see `duplicates.py`) and reported."""
    per_document = [(document_id, _document_modules(parsed, chunks)) for document_id, parsed, chunks in documents]
    titles = {document_id: clean_title(parsed.title) for document_id, parsed, _chunks in documents}
    modules, duplicates = drop_duplicates(per_document, titles)
    return Outline(modules, duplicates)


def build_outline(documents: Sequence[tuple[str, ParsedDocument, list[Chunk]]]) -> list[ModuleDraft]:
    return plan_outline(documents).modules

"""From retrieved chunks to cited passages: the sentences that answer, on the page that prints them.

A chunk can span pages, but a citation must open the page a student can check, so each
picked sentence is located in the document's parsed pages (the `.parsed.json` kept beside
the upload) with the extractive writer's CourseIndex. Without the parsed pages a sentence
falls back to its chunk's first page.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from core.db.models.documents import Document
from core.generation.extractive import CourseIndex, Sentence, clean, split_sentences, words
from core.ingestion.types import Chunk
from core.pipeline.parsed_cache import load_parsed
from core.storage import FileStore
from core.vectors.store import SearchHit

# A sentence must be at least this close to the question to be quoted as an answer.
SENTENCE_FLOOR = 0.35
_MAX_CANDIDATES = 80


@dataclass(frozen=True)
class Cited:
    """One numbered citation: [n] in the answer resolves to it."""

    document_id: str
    document_name: str
    page: int
    quote: str

    def as_dict(self, n: int) -> dict[str, object]:
        return {"n": n, "document_id": self.document_id, "document_name": self.document_name,
                "page": self.page, "quote": self.quote}


@dataclass
class Candidate:
    sentence: Sentence
    rank: int  # rank of its chunk in the retrieval
    similarity: float = 0.0


class PageIndexCache:
    """CourseIndex per course, rebuilt when the course's set of documents changes.

    Building one reads every parsed document of the course (a 150-page PDF: ~0.2 s), so it is
    kept per process; the LRU bound keeps memory flat however many courses are chatted with.
    """

    def __init__(self, files: FileStore, size: int = 8) -> None:
        self.files = files
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[tuple[str, ...], CourseIndex | None]] = OrderedDict()

    def _build(self, documents: Sequence[Document]) -> CourseIndex | None:
        pages: dict[str, list[str]] = {}
        for doc in documents:
            try:
                parsed = load_parsed(self.files.path_of(doc.storage_name))
            except (OSError, ValueError):
                parsed = None  # a missing or unreadable cache only costs page precision
            if parsed is not None:
                pages[doc.id] = parsed.pages
        return CourseIndex(pages) if pages else None

    def _get_sync(self, course_id: str, documents: Sequence[Document]) -> CourseIndex | None:
        key = tuple(sorted(f"{d.id}:{d.sha256}:{d.chunk_count}" for d in documents))
        with self._lock:
            hit = self._items.get(course_id)
            if hit is not None and hit[0] == key:
                self._items.move_to_end(course_id)
                return hit[1]
        index = self._build(documents)
        with self._lock:
            self._items[course_id] = (key, index)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return index

    async def get(self, course_id: str, documents: Sequence[Document]) -> CourseIndex | None:
        return await asyncio.to_thread(self._get_sync, course_id, documents)


def hit_chunk(hit: SearchHit, course_id: str) -> Chunk:
    return Chunk(hit.chunk_id, hit.document_id, course_id, hit.ordinal, hit.section, hit.page_start,
                 hit.page_end, hit.text)


def candidates(hits: Sequence[SearchHit], course_id: str, index: CourseIndex | None) -> list[Candidate]:
    """Prose sentences of the hits, best-ranked chunk first, each with its page and quote."""
    out: list[Candidate] = []
    for rank, hit in enumerate(hits):
        for s in split_sentences(hit_chunk(hit, course_id), index):
            located = index.locate(hit.document_id, s.text, hit.page_start, hit.page_end) if index else None
            s.page, s.quote = located or (hit.page_start, s.text)
            out.append(Candidate(s, rank))
            if len(out) >= _MAX_CANDIDATES:
                return out
    return out


async def rank_candidates(
    question: str, query_vector: Sequence[float], found: list[Candidate],
    embed: Callable[[Sequence[str]], Awaitable[list[list[float]]]],
) -> list[Candidate]:
    """Order by closeness to the question: dense similarity, nudged by shared words and rank."""
    if not found:
        return []
    vectors = await embed([c.sentence.text for c in found])
    q_words = set(words(question))
    for c, vec in zip(found, vectors, strict=True):
        dense = sum(a * b for a, b in zip(query_vector, vec, strict=False))
        overlap = len(q_words & set(words(c.sentence.text))) / (len(q_words) or 1)
        # Shared rare words matter (names, operators); chunk rank breaks near-ties.
        c.similarity = dense + 0.15 * overlap + 0.02 * (4 - min(c.rank, 4))
    return sorted(found, key=lambda c: -c.similarity)


def pick(ranked: Sequence[Candidate], limit: int = 3, floor: float = SENTENCE_FLOOR) -> list[Candidate]:
    """The best distinct sentences above the floor (near-duplicates would cite twice)."""
    chosen: list[Candidate] = []
    for c in ranked:
        if len(chosen) >= limit or c.similarity < floor:
            break
        bag = set(words(c.sentence.text))
        if any(len(bag & set(words(o.sentence.text))) > 0.6 * len(bag | set(words(o.sentence.text))) for o in chosen):
            continue
        chosen.append(c)
    return chosen


def fallback_quote(hit: SearchHit, limit: int = 300) -> str:
    """The readable start of a chunk, when none of its sentences is prose (code, tables)."""
    text = clean(hit.text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return (cut[: cut.rfind(" ")] if " " in cut else cut) + " …"


def passage_text(hit: SearchHit, limit: int = 900) -> str:
    """A chunk as context for an LLM: whitespace tidied, long ones cut at a word."""
    text = re.sub(r"[ \t]+", " ", hit.text).strip()
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)] + " …"

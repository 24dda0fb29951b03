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
from dataclasses import dataclass, field

import numpy as np

from core.db.models.documents import Document
from core.generation.extractive import CourseIndex, Sentence, clean, split_sentences, words
from core.ingestion.types import Chunk
from core.languages import detect_language
from core.pipeline.multilingual_vectors import MultilingualVectors
from core.pipeline.multilingual_vectors import load as load_e5
from core.pipeline.parsed_cache import load_parsed
from core.pipeline.sentence_vectors import load_vectors
from core.services.question_kinds import FACT, HOW, code_after, shape_bonus
from core.services.retrieval import CrossLingual
from core.services.scope import course_subject, language_mentions, prefixes
from core.storage import FileStore
from core.vectors.store import SearchHit

# A sentence must be at least this close to the question to be quoted as an answer.
SENTENCE_FLOOR = 0.35
_MAX_CANDIDATES = 80
_WORDS = re.compile(r"[a-z][a-z0-9_+#]*")


@dataclass(frozen=True)
class Cited:
    """One numbered citation: [n] in the answer resolves to it."""

    document_id: str
    document_name: str
    page: int
    quote: str
    file_type: str | None = None  # pdf, docx, ...; None when the document is gone

    def as_dict(self, n: int) -> dict[str, object]:
        return {
            "n": n,
            "document_id": self.document_id,
            "document_name": self.document_name,
            "page": self.page,
            "quote": self.quote,
            "file_type": self.file_type,
        }


@dataclass
class TutorIndex:
    """What the tutor knows of a course's documents beyond the vector store."""

    pages: CourseIndex | None  # for exact page citations
    rows: dict[str, int]  # sentence -> row of `vectors` (computed while ingesting)
    vectors: np.ndarray  # unit vectors, one row per known sentence
    # chunk id -> its located sentences: chunks never change under an id, and splitting and
    # locating them was a third of the tutor's own CPU per question.
    located: dict[str, list[Sentence]] = field(default_factory=dict)
    cross: CrossLingual | None = None  # multilingual window vectors of the documents that have them
    languages: dict[str, str] = field(default_factory=dict)  # document id -> language it is written in
    vocabulary: frozenset[str] = frozenset()  # every word of the course, lower case (scope checks)
    subject: str | None = None  # the programming language the course is about, if any
    beginnings: frozenset[str] = frozenset()  # prefixes(vocabulary), for the scope rule

    def known(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        return {t: self.vectors[self.rows[t]] for t in texts if t in self.rows}

    @property
    def material_language(self) -> str:
        """The language most of the course is written in (by documents)."""
        found = list(self.languages.values())
        return max(set(found), key=found.count) if found else "en"


@dataclass
class Candidate:
    sentence: Sentence
    rank: int  # rank of its chunk in the retrieval
    similarity: float = 0.0


class PageIndexCache:
    """TutorIndex per course, rebuilt when the course's set of documents changes.

    Building one reads every parsed document of the course (a 150-page PDF: ~0.2 s) and its
    sentence vectors, so it is kept per process; the LRU bound keeps memory flat however
    many courses are chatted with.
    """

    def __init__(self, files: FileStore, size: int = 8) -> None:
        self.files = files
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[tuple[str, ...], TutorIndex]] = OrderedDict()
        # One build per course at a time: fifty students asking at once after a change
        # would otherwise build the same index fifty times.
        self._building: dict[str, threading.Lock] = {}

    def _build(self, documents: Sequence[Document]) -> TutorIndex:
        pages: dict[str, list[str]] = {}
        texts: list[str] = []
        blocks: list[np.ndarray] = []
        multilingual: list[MultilingualVectors] = []
        for doc in documents:
            path = self.files.path_of(doc.storage_name)
            try:
                parsed = load_parsed(path)
                known = load_vectors(path)
                e5 = load_e5(path, doc.id)
            except (OSError, ValueError, KeyError):
                parsed = known = e5 = None  # missing or unreadable files cost precision or time only
            if parsed is not None:
                pages[doc.id] = parsed.pages
            if known is not None and len(known[0]):
                texts += known[0]
                blocks.append(known[1])
            if e5 is not None:
                multilingual.append(e5)
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, 1), dtype=np.float32)
        rows = {text: i for i, text in enumerate(texts)}
        index = TutorIndex(CourseIndex(pages) if pages else None, rows, vectors)
        # Each document's language from its own text (a course may mix English books and German notes).
        index.languages = {doc_id: detect_language(" ".join(p)[:20_000]) for doc_id, p in pages.items()}
        index.vocabulary = frozenset(w for p in pages.values() for page in p for w in _WORDS.findall(page.lower()))
        index.beginnings = prefixes(index.vocabulary)
        index.subject = course_subject(language_mentions([page for p in pages.values() for page in p]))
        if multilingual:
            offsets = np.cumsum([0] + [len(m.hits) for m in multilingual[:-1]])
            index.cross = CrossLingual(
                [h for m in multilingual for h in m.hits],
                np.concatenate([m.owners + offset for m, offset in zip(multilingual, offsets, strict=True)]),
                np.concatenate([m.spans for m in multilingual]),
                np.concatenate([m.vectors for m in multilingual]),
            )
        return index

    def _cached(self, course_id: str, key: tuple[str, ...]) -> tuple[bool, TutorIndex | None]:
        with self._lock:
            hit = self._items.get(course_id)
            if hit is not None and hit[0] == key:
                self._items.move_to_end(course_id)
                return True, hit[1]
            return False, None

    def _get_sync(self, course_id: str, documents: Sequence[Document]) -> TutorIndex:
        # updated_at: a document re-ingested gets new sentence vectors under the same hash.
        key = tuple(sorted(f"{d.id}:{d.sha256}:{d.chunk_count}:{d.updated_at}" for d in documents))
        found, index = self._cached(course_id, key)
        if found and index is not None:
            return index
        with self._lock:
            building = self._building.setdefault(course_id, threading.Lock())
        with building:
            found, index = self._cached(course_id, key)  # built while we waited
            if found and index is not None:
                return index
            index = self._build(documents)
            with self._lock:
                self._items[course_id] = (key, index)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._building.pop(course_id, None)
        return index

    async def get(self, course_id: str, documents: Sequence[Document]) -> TutorIndex:
        return await asyncio.to_thread(self._get_sync, course_id, documents)


def hit_chunk(hit: SearchHit, course_id: str) -> Chunk:
    return Chunk(
        hit.chunk_id, hit.document_id, course_id, hit.ordinal, hit.section, hit.page_start, hit.page_end, hit.text
    )


def candidates(
    hits: Sequence[SearchHit], course_id: str, index: CourseIndex | None, memo: dict[str, list[Sentence]] | None = None
) -> list[Candidate]:
    """Prose sentences of the hits, best-ranked chunk first, each with its page and quote.

    `memo` (TutorIndex.located) keeps each chunk's located sentences for the next question.
    """
    out: list[Candidate] = []
    for rank, hit in enumerate(hits):
        sentences = memo.get(hit.chunk_id) if memo is not None else None
        if sentences is None:
            sentences = _located(hit, course_id, index)
            if memo is not None:
                memo[hit.chunk_id] = sentences
        for s in sentences:
            out.append(Candidate(s, rank))
            if len(out) >= _MAX_CANDIDATES:
                return out
    return out


def _located(hit: SearchHit, course_id: str, index: CourseIndex | None) -> list[Sentence]:
    sentences = split_sentences(hit_chunk(hit, course_id), index)
    for s in sentences:
        located = index.locate(hit.document_id, s.text, hit.page_start, hit.page_end) if index else None
        s.page, s.quote = located or (hit.page_start, s.text)
    return sentences


async def rank_candidates(
    question: str,
    query_vector: Sequence[float] | np.ndarray,
    found: list[Candidate],
    embed: Callable[[Sequence[str]], Awaitable[Sequence[Sequence[float] | np.ndarray]]],
    kind: str = FACT,
    scores: Sequence[float] | None = None,
) -> list[Candidate]:
    """Order by closeness to the question: dense similarity (`scores` when the caller has
    them, else the sentences' vectors against `query_vector`), nudged by shared words, rank
    and the shape the question's kind asks for (core/services/question_kinds.py)."""
    if not found:
        return []
    if scores is None:
        vectors = np.asarray(await embed([c.sentence.text for c in found]), dtype=np.float32)
        similarities = vectors @ np.asarray(query_vector, dtype=np.float32)
    else:
        similarities = np.asarray(scores, dtype=np.float32)
    q_words = set(words(question))
    for c, dense in zip(found, similarities.tolist(), strict=True):
        overlap = len(q_words & c.sentence.word_set) / (len(q_words) or 1)
        has_code = kind == HOW and bool(code_after(c.sentence))
        # Shared rare words matter (names, operators); chunk rank breaks near-ties.
        c.similarity = (dense + 0.15 * overlap + 0.02 * (4 - min(c.rank, 4))
                        + shape_bonus(kind, c.sentence, has_code))
    return sorted(found, key=lambda c: -c.similarity)


def pick(
    ranked: Sequence[Candidate], limit: int = 5, floor: float = SENTENCE_FLOOR, per_chunk: int = 2
) -> list[Candidate]:
    """The best distinct sentences above the floor (near-duplicates would cite twice), at most
    `per_chunk` from one chunk (page-hit@5 on the fixture questions: 0.803 with no limit, 0.836
    with 2, 0.852 with 1; 2 keeps a passage's context)."""
    chosen: list[Candidate] = []
    for c in ranked:
        if len(chosen) >= limit or c.similarity < floor:
            break
        bag = c.sentence.word_set
        if any(len(bag & o.sentence.word_set) > 0.6 * len(bag | o.sentence.word_set) for o in chosen):
            continue
        if sum(o.sentence.chunk.id == c.sentence.chunk.id for o in chosen) >= per_chunk:
            continue  # the next best chunk gets a say: when the top one is a near miss, it often holds the answer
        chosen.append(c)
    return chosen


def word_span(sentence: Sentence) -> tuple[int, int]:
    """Where a sentence's words are in its chunk's text.split() (its chunk's start if not found)."""
    words_of_chunk = sentence.chunk.text.split()
    head = sentence.text.split()[:3]
    n = len(sentence.text.split())
    for i in range(len(words_of_chunk) - len(head) + 1):
        if words_of_chunk[i : i + len(head)] == head:
            return i, i + n
    return 0, n


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

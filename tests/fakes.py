"""In-memory fakes behind the application's own interfaces, for service-level tests that need
no server: a vector store (core/vectors/port.py `VectorStore`), a job queue
(core/services/jobs.py `JobQueue`) and an embedder (core/ai/embeddings.py `Embedder`).

They implement the behaviour the services rely on, not a copy of Milvus or Huey: exact dense
search by cosine over unit vectors, word-count "BM25", every query scoped to one course.
The real components are tested against the same expectations in tests/integration.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.ingestion.types import Chunk
from core.vectors.store import SearchHit

_WORD = re.compile(r"[a-z0-9_]+")


class HashingEmbedder:
    """Deterministic bag-of-words vectors: texts sharing words are close, unrelated ones are not."""

    name = "fake-hashing"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if isinstance(texts, str):
            raise TypeError("embed takes a list of texts")
        self.calls += 1
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * self.dim
        for word in _WORD.findall(text.lower()):
            slot = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big") % self.dim
            vector[slot] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]


@dataclass
class InMemoryVectorStore:
    rows: dict[str, tuple[Chunk, list[float]]] = field(default_factory=dict)
    ensured: int = 0
    closed: bool = False

    def ensure_collection(self) -> None:
        self.ensured += 1

    def close(self) -> None:
        self.closed = True

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], flush: bool | None = None) -> int:
        for chunk, vector in zip(chunks, vectors, strict=True):
            self.rows[chunk.id] = (chunk, list(vector))
        return len(chunks)

    def delete_document(self, course_id: str, document_id: str) -> None:
        doomed = (course_id, document_id)
        self.rows = {k: v for k, v in self.rows.items() if (v[0].course_id, v[0].document_id) != doomed}

    def delete_course(self, course_id: str) -> None:
        self.rows = {k: v for k, v in self.rows.items() if v[0].course_id != course_id}

    def _of(self, course_id: str, document_ids: Sequence[str] | None) -> list[tuple[Chunk, list[float]]]:
        return [
            (c, v) for c, v in self.rows.values()
            if c.course_id == course_id and (document_ids is None or c.document_id in document_ids)
        ]

    def search_dense_many(
        self, course_id: str, vectors: Sequence[Sequence[float]], k: int = 5, document_ids: Sequence[str] | None = None
    ) -> list[list[SearchHit]]:
        rows = self._of(course_id, document_ids)
        return [
            _top([(c, sum(a * b for a, b in zip(q, v, strict=True))) for c, v in rows], k) for q in vectors
        ]

    def search_text_many(
        self, course_id: str, texts: Sequence[str], k: int = 5, document_ids: Sequence[str] | None = None
    ) -> list[list[SearchHit]]:
        rows = self._of(course_id, document_ids)
        out = []
        for text in texts:
            words = set(_WORD.findall(text.lower()))
            scored = [(c, float(sum(w in words for w in _WORD.findall(c.text.lower())))) for c, _ in rows]
            out.append(_top([(c, s) for c, s in scored if s > 0], k))
        return out


def _top(scored: list[tuple[Chunk, float]], k: int) -> list[SearchHit]:
    scored.sort(key=lambda cs: (-cs[1], cs[0].id))
    return [
        SearchHit(c.id, c.document_id, c.ordinal, c.section, c.page_start, c.page_end, c.text, s)
        for c, s in scored[:k]
    ]


@dataclass
class InMemoryQueue:
    """A JobQueue that keeps what it was given; `take` hands the ids out like a worker would."""

    sent: list[tuple[str, float]] = field(default_factory=list)

    def enqueue(self, job_id: str, delay: float = 0.0) -> None:
        self.sent.append((job_id, delay))

    def pending_count(self) -> int:
        return len(self.sent)

    def take(self) -> list[str]:
        ids = [job_id for job_id, _ in self.sent]
        self.sent.clear()
        return ids

"""Course-scoped retrieval for the tutor: embed the question, hybrid search, relevance floor.

The embedder (ONNX or HTTP) and pymilvus both block, so every call runs in a thread and the
API's event loop stays free. One Retriever per process holds the embedder and one ChunkStore,
both created on first use: the API starts fast and never loads the model it does not need.
Callers must have checked course access first (CourseService.get_visible); the store's
course filter then guarantees no other course's chunk can come back.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from core.ai.batching import Batcher
from core.ai.embeddings import Embedder, EmbeddingError, SharedEmbedder
from core.ai.multilingual import MultilingualEmbedder
from core.errors import ServiceUnavailable
from core.outages import is_outage
from core.settings import Settings
from core.vectors.fusion import candidate_depth, rrf_fuse
from core.vectors.port import VectorStore
from core.vectors.store import ChunkStore, SearchHit, validate_id

log = logging.getLogger(__name__)
Vector = Sequence[float] | np.ndarray  # a list from the embedder, or a row of stored vectors

# Minimum cosine between the question and the closest chunk for the course to "cover" it.
# RRF scores only rank, so the floor uses the dense similarity instead. Measured with MiniLM
# on the tutorial fixture: answerable questions reach 0.40-0.75, off-topic ones (cooking,
# capitals, football) 0.05-0.25. OpenAI-style models spread scores less, hence a lower floor.
RELEVANCE_FLOOR = {"local": 0.30, "openai": 0.25}
# The same floor for the multilingual e5 cosine, which is compressed high (unrelated text
# scores ~0.75): calibrated on the fixture's answerable and unanswerable translations.
E5_FLOOR = 0.79


@dataclass(frozen=True)
class CrossLingual:
    """A course's multilingual window vectors (core/pipeline/multilingual_vectors.py)."""

    hits: list[SearchHit]  # the course's chunks
    owners: np.ndarray  # the row in `hits` of each window
    spans: np.ndarray  # each window's (first word, end word) in its chunk's text.split()
    vectors: np.ndarray  # one e5 unit row per window
    rows: dict[str, int] = field(default_factory=dict)  # chunk id -> row in `hits`

    def __post_init__(self) -> None:
        self.rows.update((hit.chunk_id, i) for i, hit in enumerate(self.hits))

    def chunk_scores(self, window_scores: np.ndarray) -> np.ndarray:
        """A chunk scores as its best window."""
        best = np.full(len(self.hits), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, window_scores)
        return best

    def span_score(self, window_scores: np.ndarray, chunk_id: str, first: int, last: int) -> float:
        """The best score of the chunk's windows overlapping words first..last (a sentence)."""
        row = self.rows.get(chunk_id)
        if row is None:
            return 0.0
        mine = self.owners == row
        overlap = mine & (self.spans[:, 0] <= last) & (self.spans[:, 1] > first)
        chosen = window_scores[overlap if overlap.any() else mine]
        return float(chosen.max()) if chosen.size else 0.0


@dataclass(frozen=True)
class Retrieval:
    hits: list[SearchHit]  # empty when nothing reaches the floor
    best_similarity: float  # cosine of the closest chunk, for logs and tests
    query_vector: list[float] | np.ndarray
    space: str = "minilm"  # the vector space of query_vector: minilm (the course's embedder) or e5
    candidates: list[SearchHit] = field(default_factory=list)  # the fused top k, floor or not (nearby topics)
    window_scores: np.ndarray | None = None  # e5: the question's cosine with every window of the course


VECTOR_CACHE_SIZE = 50_000  # ~80 MB of 384-float vectors


class Retriever:
    """Thread-safe, lazily built embedder + chunk store for one process."""

    def __init__(
        self, settings: Settings, embedders: SharedEmbedder, multilingual: MultilingualEmbedder | None = None,
        *, open_store: Callable[[int], VectorStore] | None = None,
    ) -> None:
        self.settings = settings
        self._embedders = embedders
        # The store, opened for the embedder's dimension on first use: Milvus unless given.
        self._open_store = open_store or self._milvus
        self.multilingual = multilingual  # None: questions only find pages in their own language
        self.floor = RELEVANCE_FLOOR.get(settings.embedding_provider, 0.3)
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None
        self._store: VectorStore | None = None
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._side = ThreadPoolExecutor(max_workers=8, thread_name_prefix="retrieval")
        # Questions asked at the same time share model calls and searches (core/ai/batching.py).
        self._questions: Batcher[None, str, list[float]] = Batcher(self._embed_questions, executor=self._side)
        self._dense: Batcher[tuple[str, int], list[float], list[SearchHit]] = Batcher(
            self._dense_many, executor=self._side
        )
        self._lexical: Batcher[tuple[str, int], str, list[SearchHit]] = Batcher(self._text_many, executor=self._side)
        self._e5: Batcher[None, str, np.ndarray] = Batcher(self._e5_questions, executor=self._side)
        self.state = "cold"  # warm(): "warming", then "ready" or the error

    def warm(self) -> None:
        """Load the model and open the store now, so the first question after a start does not
        wait for them (~1-2 s with the local model). Blocking; a failure is only reported: the
        first question then tries again."""
        self.state = "warming"
        started = time.perf_counter()
        try:
            embedder, _store = self._ready()
            embedder.embed(["warm-up"])
            if self.multilingual is not None:
                self.multilingual.embed_query("warm-up")  # loads its model too
        except Exception as exc:  # noqa: BLE001 - reported in /health/ready and the log
            self.state = f"error: {type(exc).__name__}: {exc}"[:300]
            log.warning("tutor warm-up failed: %s", exc)
        else:
            self.state = "ready"
            log.info("tutor ready in %.1f s (embedding model and vector store)", time.perf_counter() - started)

    def _ready(self) -> tuple[Embedder, VectorStore]:
        with self._lock:
            if self._embedder is None or self._store is None:
                embedder = self._embedders.get()
                store = self._open_store(embedder.dim)
                store.ensure_collection()
                self._embedder, self._store = embedder, store
            return self._embedder, self._store

    def _milvus(self, dim: int) -> VectorStore:
        s = self.settings
        token = s.milvus_token.get_secret_value() if s.milvus_token else None
        # A channel of the tutor's own that reconnects within a second or two of the
        # store's return (core/vectors/store.py), not after gRPC's long backoff.
        return ChunkStore(s.milvus_uri, token=token, collection=s.milvus_collection, dim=dim, dedicated=True)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store = None

    # --- blocking work, run in threads -------------------------------------------------
    def _embed_sync(self, texts: Sequence[str], given: Mapping[str, Vector]) -> list[Vector]:
        """Vectors of course sentences: those computed while ingesting (`given`), else
        remembered ones (students ask about the same pages again and again), else fresh."""
        embedder, _ = self._ready()
        known: dict[str, Vector] = dict(given)
        with self._lock:
            known.update((t, self._vectors[t]) for t in texts if t not in known and t in self._vectors)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = [_normalised(v) for v in embedder.embed(missing)]
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._vectors[text] = vector
                    known[text] = vector
                while len(self._vectors) > VECTOR_CACHE_SIZE:
                    self._vectors.popitem(last=False)
        return [known[t] for t in texts]

    def _embed_questions(self, _: None, questions: Sequence[str]) -> list[list[float]]:
        embedder, _store = self._ready()
        return [_normalised(v) for v in embedder.embed(questions)]

    def _e5_questions(self, _: None, questions: Sequence[str]) -> list[np.ndarray]:
        assert self.multilingual is not None
        return [self.multilingual.embed_query(q) for q in questions]

    def _dense_many(self, key: tuple[str, int], vectors: Sequence[list[float]]) -> list[list[SearchHit]]:
        course_id, depth = key
        return self._ready()[1].search_dense_many(course_id, vectors, depth)

    def _text_many(self, key: tuple[str, int], questions: Sequence[str]) -> list[list[SearchHit]]:
        course_id, depth = key
        return self._ready()[1].search_text_many(course_id, questions, depth)

    async def _search(self, course_id: str, query: str, k: int, cross: CrossLingual | None = None,
                      original: str | None = None) -> Retrieval:
        validate_id(course_id, "course id")  # before anything is queued with it
        key = (course_id, candidate_depth(k))
        if cross is not None and self.multilingual is not None:
            return await self._cross(cross, key, query, original or query, k)
        # BM25 needs no vector: it runs on the store while the question is embedded, and
        # the two lists are fused here.
        lexical = asyncio.ensure_future(self._lexical.submit(key, query))
        try:
            vector = await self._questions.submit(None, query)
            dense = await self._dense.submit(key, vector)
        except BaseException:
            lexical.add_done_callback(lambda f: f.cancelled() or f.exception())  # nobody waits for it now
            raise
        hits = rrf_fuse([dense, await lexical], k)
        # The dense top-1 gives an absolute similarity; RRF's fused score cannot.
        best = dense[0].score if dense else 0.0
        return Retrieval(hits if best >= self.floor else [], best, vector, candidates=hits)

    async def _cross(self, cross: CrossLingual, key: tuple[str, int], query: str, question: str,
                     k: int) -> Retrieval:
        """Across languages e5 ranks the chunks. BM25 joins only with what can match text in
        another language as written: code and names (`range(10)`, `//`), or the question
        translated by a model (`query` differs from `question`). Fused with every word of a
        Hindi or German question, its chance matches outranked e5's hits (tutorial fixture:
        page-hit@5 0.64 -> see docs/benchmarks.md). MiniLM, English-only, would only add noise."""
        words = query if query != question else " ".join(code_terms(question))
        lexical = asyncio.ensure_future(self._lexical.submit(key, words)) if words else None
        try:
            vector = await self._e5.submit(None, question)
        except BaseException:
            if lexical is not None:
                lexical.add_done_callback(lambda f: f.cancelled() or f.exception())
            raise
        window_scores = cross.vectors @ vector
        scores = cross.chunk_scores(window_scores)
        order = np.argsort(-scores)[: key[1]]
        semantic = [replace(cross.hits[i], score=float(scores[i])) for i in order]
        hits = rrf_fuse([semantic, await lexical], k) if lexical is not None else semantic[:k]
        best = semantic[0].score if semantic else 0.0
        return Retrieval(hits if best >= E5_FLOOR else [], best, vector, "e5", hits, window_scores)

    # --- async API ---------------------------------------------------------------------
    async def embed(
        self, texts: Sequence[str], known: Mapping[str, Vector] | None = None
    ) -> list[Vector]:
        if known is not None and all(t in known for t in texts):
            return [known[t] for t in texts]  # no thread hop when all were computed while ingesting
        try:
            return await asyncio.to_thread(self._embed_sync, texts, known or {})
        except EmbeddingError as exc:
            raise ServiceUnavailable(f"the embedding model is unavailable: {exc}") from exc

    async def search(self, course_id: str, query: str, k: int = 5, cross: CrossLingual | None = None,
                     original: str | None = None) -> Retrieval:
        """The course's `k` best chunks. With `cross` (and a multilingual embedder), the
        question (`original` if given: `query` may be its translation) is matched across
        languages."""
        try:
            return await self._search(course_id, query, k, cross, original)
        except EmbeddingError as exc:
            raise ServiceUnavailable(f"the embedding model is unavailable: {exc}") from exc
        except ValueError:
            raise  # a malformed id: a programming error, not an outage
        except Exception as exc:
            # pymilvus raises its own exception tree (and gRPC errors): all mean "store down".
            log.warning("course search failed: %s", exc)
            if is_outage(exc):
                self.close()  # the next question opens a fresh client, on a fresh channel
            raise ServiceUnavailable("the course search is unavailable right now; try again shortly") from exc


_CODE_TERM = re.compile(r"[A-Za-z_][\w.]*\([^)]*\)|\b[a-z_]+_[a-z_]+\b|__\w+__|//|\*\*|[A-Za-z]*\d[\w.]*")


def code_terms(question: str) -> list[str]:
    """What a question in any language shares with the text as written: calls, identifiers
    with underscores or digits, operators."""
    return [t for t in _CODE_TERM.findall(question) if re.search(r"[A-Za-z0-9]", t)]  # BM25 drops symbols


def _normalised(vector: Sequence[float]) -> list[float]:
    # Remote embedders need not return unit vectors; dot products below assume they are.
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [float(x) / norm for x in vector]

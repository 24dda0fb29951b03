"""The course chunk store on Milvus (milvus-lite server or a real Milvus): dense + BM25.

On a Milvus server one collection holds every course, `course_id` its partition key, which
scales to any number of courses. On milvus-lite each course gets its own collection, so a
search costs what its course holds, not what the store holds (placement.py tells where a
course's chunks live). Either way every search also filters by course id: nothing here can
return another course's chunks.

All methods are synchronous (pymilvus is a blocking gRPC client): async callers use
`asyncio.to_thread`. Threads may share one ChunkStore: pymilvus hands the same gRPC handler
to every client of a process anyway, and gRPC channels are thread-safe (tested).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from pymilvus import AnnSearchRequest, MilvusClient, RRFRanker
from pymilvus.exceptions import MilvusException

from core.ingestion.types import Chunk
from core.vectors.fusion import RRF_K, candidate_depth
from core.vectors.placement import COURSE_COLLECTIONS, LAYOUT_PROPERTY, Layout, Placement, Target
from core.vectors.schema import (
    SECTION_MAX_BYTES,
    TEXT_MAX_BYTES,
    VectorStoreError,
    chunk_schema,
    index_params,
    layout_of,
)

__all__ = ["ChunkStore", "SearchHit", "VectorStoreError", "validate_id"]
from core.vectors.write_lock import exclusive_writes

# Course and document ids are hex or uuid strings. Validating them (rather than escaping)
# keeps filter expressions injection-free on any Milvus version.
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_UPSERT_BATCH = 256
_OUTPUT_FIELDS = ["document_id", "ordinal", "section", "page_start", "page_end", "text"]
# Milvus' "collection not loaded": a restarted milvus-lite serves loaded collections only.
_NOT_LOADED = 101
# A client of its own reconnects within a second or two of the server's return instead of
# gRPC's default backoff (which grows to two minutes while a server stays down).
_FAST_RECONNECT = {
    "grpc.initial_reconnect_backoff_ms": 250,
    "grpc.min_reconnect_backoff_ms": 250,
    "grpc.max_reconnect_backoff_ms": 2000,
}
T = TypeVar("T")


@dataclass(frozen=True)
class SearchHit:
    chunk_id: str
    document_id: str
    ordinal: int
    section: str
    page_start: int
    page_end: int
    text: str
    score: float  # higher is better; RRF, BM25 or cosine depending on the method


def validate_id(value: str, what: str = "id") -> str:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise ValueError(f"invalid {what}: {value!r}")
    return value


def _clip_utf8(text: str, max_bytes: int) -> str:
    # Milvus counts VARCHAR max_length in bytes; cut on a character boundary.
    data = text.encode("utf-8")
    return text if len(data) <= max_bytes else data[:max_bytes].decode("utf-8", errors="ignore")


class ChunkStore:
    def __init__(
        self,
        uri: str,
        token: str | None = None,
        collection: str = "profai_chunks",
        dim: int = 384,
        timeout: float | None = 30.0,
        flush_writes: bool | None = None,
        lock_file: Path | None = None,
        layout: Layout | None = None,
        dedicated: bool = False,
    ) -> None:
        """`dedicated`: a gRPC channel of this store's own, reconnecting fast (the tutor's), rather
        than the one pymilvus shares between every client of the process."""
        # 180: a course collection's name adds up to 70 characters (Milvus allows 255).
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,179}", collection):
            raise ValueError(f"invalid collection name: {collection!r}")
        if dim < 1:
            raise ValueError("dim must be positive")
        self.uri = uri
        self.collection = collection
        self.dim = dim
        options: dict[str, Any] = {"dedicated": True, "grpc_options": dict(_FAST_RECONNECT)} if dedicated else {}
        self._client = MilvusClient(uri=uri, token=token or "", timeout=timeout, **options)
        self.lite = "lite" in str(self._client.get_server_version()).lower()
        # milvus-lite searches rows still in its memtable by brute force, BM25 included:
        # measured 300 ms vs 20 ms per hybrid search on 2,000 rows before/after a flush. So
        # on milvus-lite every write ends with a flush. A real Milvus indexes growing
        # segments itself and rate-limits flush calls, so there we never flush.
        self.flush_writes = self.lite if flush_writes is None else flush_writes
        # The layout of a store made here; ensure_collection reads an existing store's own.
        self.new_layout = layout or (Layout.COLLECTIONS if self.lite else Layout.KEY)
        self.placement = Placement(self._client, collection, self.new_layout)
        self._unflushed: set[str] = set()
        self._lock_file = lock_file  # shared by this machine's processes (write_lock.py)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def ensure_collection(self) -> None:
        """Create the collection if missing, check its shape if present, and load it."""
        c = self._client
        if not c.has_collection(self.collection):
            # The base of a store with a collection per course holds no rows: it marks the
            # layout and carries the schema (and dimension) checked below.
            marks = {LAYOUT_PROPERTY: COURSE_COLLECTIONS} if self.new_layout is Layout.COLLECTIONS else {}
            try:
                c.create_collection(
                    self.collection,
                    schema=self._schema(partition_key=self.new_layout is Layout.KEY),
                    index_params=self._index_params(),
                    properties=marks,
                )
            except Exception:
                # Another process may have created it meanwhile; only then is this fine.
                if not c.has_collection(self.collection):
                    raise
        self._check_shape()
        c.load_collection(self.collection)
        self.placement.known.clear()

    def drop_collection(self) -> None:
        """Drop the store: every course collection, then the base."""
        for name in self.placement.course_collections():
            self._client.drop_collection(name)
        self._client.drop_collection(self.collection)
        self.placement.known.clear()

    def _make_course_collection(self, name: str) -> None:
        self._client.create_collection(name, schema=self._schema(partition_key=False))
        # sync=False: pymilvus would poll for the index for a second; milvus-lite builds it at once.
        self._client.create_index(name, self._index_params(), sync=False)
        self._client.load_collection(name)

    def _schema(self, partition_key: bool) -> Any:
        return chunk_schema(self.dim, partition_key)

    def _index_params(self) -> Any:
        return index_params(self._client)

    def _check_shape(self) -> None:
        self.placement.layout = layout_of(self._client.describe_collection(self.collection), self.collection, self.dim)

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], flush: bool | None = None) -> int:
        """Insert or replace chunks by id (ids are deterministic, so re-runs leave one copy).

        `flush` defaults to the store's `flush_writes`; a bulk loader calling this many
        times can pass False and call `flush()` once at the end.
        """
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        rows: list[dict[str, Any]] = []
        for chunk, vec in zip(chunks, vectors, strict=True):
            validate_id(chunk.course_id, "course id")
            validate_id(chunk.document_id, "document id")
            if not chunk.id or len(chunk.id.encode("utf-8")) > 64:
                raise ValueError(f"invalid chunk id: {chunk.id!r}")
            if len(vec) != self.dim:
                raise ValueError(f"vector of size {len(vec)} for a {self.dim}-dim collection")
            row = asdict(chunk)  # the collection's scalar fields are Chunk's fields, by name
            row["section"] = _clip_utf8(chunk.section, SECTION_MAX_BYTES)
            row["text"] = _clip_utf8(chunk.text, TEXT_MAX_BYTES)
            row["dense"] = [float(x) for x in vec]
            rows.append(row)
        by_course: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_course.setdefault(row["course_id"], []).append(row)
        flushing = self.flush_writes if flush is None else flush
        with self._writing():
            written: set[str] = set()
            for course_id, part in by_course.items():
                target = self.placement.target(course_id, create=True, make=self._make_course_collection)
                assert target is not None  # created when missing
                partition = target.partitions[0] if target.partitions else ""
                # Batches keep each gRPC message well under its 64 MB limit (texts can be long).
                for start in range(0, len(part), _UPSERT_BATCH):
                    batch = part[start : start + _UPSERT_BATCH]
                    self._client.upsert(target.collection, batch, partition_name=partition)
                written.add(target.collection)
            for name in sorted(written):
                if flushing:
                    self._client.flush(name)
                else:
                    self._unflushed.add(name)
        return len(rows)

    def _writing(self) -> AbstractContextManager[None]:
        return exclusive_writes(self.uri, self._lock_file) if self.lite else nullcontext()

    def delete_document(self, course_id: str, document_id: str) -> None:
        self._delete(course_id, self._filter(course_id, [document_id]))

    def delete_course(self, course_id: str) -> None:
        target = self._target(course_id)
        if target is not None and self.placement.layout is Layout.COLLECTIONS:
            with self._writing():
                self._client.drop_collection(target.collection)  # the course's own collection
            self.placement.forget(course_id)
            return
        self._delete(course_id, self._filter(course_id))

    def _delete(self, course_id: str, expr: str) -> None:
        target = self._target(course_id)
        if target is None:
            return  # a course that never had chunks
        partition = target.partitions[0] if target.partitions else None
        with self._writing():
            self._client.delete(target.collection, filter=expr, partition_name=partition)
            if self.flush_writes:
                self._client.flush(target.collection)

    def _target(self, course_id: str) -> Target | None:
        return self.placement.target(validate_id(course_id, "course id"))

    def flush(self) -> None:
        """Seal buffered writes into indexed segments (see `flush_writes`)."""
        with self._writing():
            for name in sorted(self._unflushed) or [self.collection]:
                self._client.flush(name)
            self._unflushed.clear()

    def count(self, course_id: str | None = None, document_id: str | None = None) -> int:
        clauses = []
        if course_id is not None:
            clauses.append(f'course_id == "{validate_id(course_id, "course id")}"')
        if document_id is not None:
            clauses.append(f'document_id == "{validate_id(document_id, "document id")}"')
        if course_id is not None:
            target = self._target(course_id)
            targets = [target] if target is not None else []
        else:
            targets = [Target(name, None) for name in self.placement.all_collections()]
        total = 0
        for t in targets:
            res = self._loaded(
                t.collection,
                lambda t=t: self._client.query(  # type: ignore[misc]
                    t.collection, filter=" and ".join(clauses), output_fields=["count(*)"], partition_names=t.partitions
                ),
            )
            total += int(res[0]["count(*)"]) if res else 0
        return total

    def chunk_ids(self, course_id: str, limit: int = 16384) -> list[str]:
        """Ids of the course's stored chunks, one per stored row (duplicates would show)."""
        target = self._target(course_id)
        if target is None:
            return []
        rows = self._loaded(
            target.collection,
            lambda: self._client.query(
                target.collection,
                filter=self._filter(course_id),
                output_fields=["id"],
                partition_names=target.partitions,
                limit=limit,
            ),
        )
        return [str(r["id"]) for r in rows]

    def search(
        self,
        course_id: str,
        query_text: str,
        query_vector: Sequence[float],
        k: int = 5,
        document_ids: Sequence[str] | None = None,
    ) -> list[SearchHit]:
        """Dense + BM25 candidates of one course, fused by reciprocal rank."""
        expr = self._filter(course_id, document_ids)
        vec = self._vector(query_vector)
        target = self._target(course_id)
        if target is None:
            return []
        if not query_text.strip():
            return self._search_many(target, expr, [vec], "dense", "COSINE", k)[0]
        depth = candidate_depth(k)
        reqs = [
            AnnSearchRequest([vec], "dense", {"metric_type": "COSINE"}, limit=depth, expr=expr),
            AnnSearchRequest([query_text], "sparse", {"metric_type": "BM25"}, limit=depth, expr=expr),
        ]
        res = self._loaded(
            target.collection,
            lambda: self._client.hybrid_search(
                target.collection,
                reqs,
                ranker=RRFRanker(RRF_K),
                limit=k,
                output_fields=_OUTPUT_FIELDS,
                partition_names=target.partitions,
            ),
        )
        return [self._hit(h) for h in res[0]] if res else []

    def search_text(
        self, course_id: str, query_text: str, k: int = 5, document_ids: Sequence[str] | None = None
    ) -> list[SearchHit]:
        """BM25 only: exact words (names, error messages, code) in one course."""
        return self.search_text_many(course_id, [query_text], k, document_ids)[0]

    def search_text_many(
        self, course_id: str, texts: Sequence[str], k: int = 5, document_ids: Sequence[str] | None = None
    ) -> list[list[SearchHit]]:
        """search_text for several questions in one call (their hits, in order)."""
        expr = self._filter(course_id, document_ids)
        asked = [i for i, text in enumerate(texts) if text.strip()]
        out: list[list[SearchHit]] = [[] for _ in texts]
        target = self._target(course_id) if asked else None
        if target is None:
            return out
        found = self._search_many(target, expr, [texts[i] for i in asked], "sparse", "BM25", k)
        for i, hits in zip(asked, found, strict=True):
            out[i] = hits
        return out

    def search_dense(
        self, course_id: str, query_vector: Sequence[float], k: int = 5, document_ids: Sequence[str] | None = None
    ) -> list[SearchHit]:
        """Dense vectors only, in one course."""
        return self.search_dense_many(course_id, [query_vector], k, document_ids)[0]

    def search_dense_many(
        self,
        course_id: str,
        vectors: Sequence[Sequence[float]],
        k: int = 5,
        document_ids: Sequence[str] | None = None,
    ) -> list[list[SearchHit]]:
        """search_dense for several questions in one call (their hits, in order)."""
        expr = self._filter(course_id, document_ids)
        data = [self._vector(v) for v in vectors]
        target = self._target(course_id) if data else None
        if target is None:
            return [[] for _ in data]
        return self._search_many(target, expr, data, "dense", "COSINE", k)

    def _search_many(
        self, target: Target, expr: str, data: list[Any], field: str, metric: str, k: int
    ) -> list[list[SearchHit]]:
        kw: dict[str, Any] = {"filter": expr, "limit": k, "output_fields": _OUTPUT_FIELDS, "anns_field": field}
        kw["partition_names"] = target.partitions
        res = self._loaded(
            target.collection,
            lambda: self._client.search(target.collection, data, search_params={"metric_type": metric}, **kw),
        )
        found = [[self._hit(h, bm25=metric == "BM25") for h in hits] for hits in res] if res else []
        return found + [[] for _ in range(len(data) - len(found))]

    def _loaded(self, collection: str, call: Callable[[], T]) -> T:
        """`call` (a read), loading `collection` first if the server answers it is not loaded.

        A restarted milvus-lite comes back with every collection released; the placement
        cache still knows the collection, so nothing else would load it again (the tutor
        answered 503 for minutes after a restart)."""
        try:
            return call()
        except MilvusException as exc:
            if exc.code != _NOT_LOADED:
                raise
        self._client.load_collection(collection)
        return call()

    def _vector(self, query_vector: Sequence[float]) -> list[float]:
        if len(query_vector) != self.dim:
            raise ValueError(f"query vector of size {len(query_vector)} for a {self.dim}-dim collection")
        return [float(x) for x in query_vector]

    @staticmethod
    def _filter(course_id: str, document_ids: Sequence[str] | None = None) -> str:
        expr = f'course_id == "{validate_id(course_id, "course id")}"'
        if document_ids is not None:
            if isinstance(document_ids, str):
                raise TypeError("document_ids must be a sequence of ids, not a string")
            ids = ", ".join(f'"{validate_id(d, "document id")}"' for d in document_ids)
            expr += f" and document_id in [{ids}]"
        return expr

    @staticmethod
    def _hit(h: Any, bm25: bool = False) -> SearchHit:
        e = h["entity"]
        return SearchHit(
            chunk_id=str(h["id"]),
            document_id=e["document_id"],
            ordinal=int(e["ordinal"]),
            section=e["section"],
            page_start=int(e["page_start"]),
            page_end=int(e["page_end"]),
            text=e["text"],
            # milvus-lite reports BM25 scores negated (Milvus reports them positive); the
            # order is right in both, so report the magnitude: higher is better everywhere.
            score=abs(float(h["distance"])) if bm25 else float(h["distance"]),
        )

"""The course chunk store on Milvus (milvus-lite server or a real Milvus): dense + BM25.

One collection holds every course. On a Milvus server `course_id` is the partition key,
which scales to any number of courses. milvus-lite hashes a partition key into 16 buckets
but never prunes by it, so there each course gets a named partition and searches name it:
a search then scans that course's rows only (p95 ~4x lower for one course of four). Either
way every search also filters by course id: nothing here can return another course's chunks.

All methods are synchronous (pymilvus is a blocking gRPC client): async callers use
`asyncio.to_thread`. Threads may share one ChunkStore: pymilvus hands the same gRPC handler
to every client of a process anyway, and gRPC channels are thread-safe (tested).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, RRFRanker

from core.ingestion.types import Chunk
from core.vectors.fusion import RRF_K, candidate_depth
from core.vectors.write_lock import exclusive_writes

# Course and document ids are hex or uuid strings. Validating them (rather than escaping)
# keeps filter expressions injection-free on any Milvus version.
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TEXT_MAX_BYTES = 65535
_SECTION_MAX_BYTES = 1024
_UPSERT_BATCH = 256
# Question words, pronouns and auxiliaries: questions are full of them and chunks rarely
# answer with them (BM25 recall@5 on the tutorial fixture: 0.85 -> 0.90). Python keywords
# (if, for, in, is, not, and, or, with, as...) are kept: students search for them.
# fmt: off
_STOP_WORDS = [
    "a", "an", "the", "i", "me", "my", "we", "you", "your", "it", "its", "they", "them", "their",
    "this", "that", "these", "those", "do", "does", "did", "can", "could", "should", "would", "will",
    "how", "what", "which", "why", "when", "where", "who", "be", "been", "being", "am", "are", "was",
    "were", "of", "to", "there", "some", "get", "make", "way", "use", "using",
]
# fmt: on
# `lowercase` is listed because Milvus' custom analyzers don't lowercase by themselves;
# milvus-lite always does and skips that entry.
_ANALYZER = {"tokenizer": "standard", "filter": ["lowercase", {"type": "stop", "stop_words": _STOP_WORDS}]}
_OUTPUT_FIELDS = ["document_id", "ordinal", "section", "page_start", "page_end", "text"]


class VectorStoreError(RuntimeError):
    """The collection exists in a shape this code can't use (e.g. another dimension)."""


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
    ) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,254}", collection):
            raise ValueError(f"invalid collection name: {collection!r}")
        if dim < 1:
            raise ValueError("dim must be positive")
        self.uri = uri
        self.collection = collection
        self.dim = dim
        self._client = MilvusClient(uri=uri, token=token or "", timeout=timeout)
        self.lite = "lite" in str(self._client.get_server_version()).lower()
        # milvus-lite searches rows still in its memtable by brute force, BM25 included:
        # measured 300 ms vs 20 ms per hybrid search on 2,000 rows before/after a flush. So
        # on milvus-lite every write ends with a flush. A real Milvus indexes growing
        # segments itself and rate-limits flush calls, so there we never flush.
        self.flush_writes = self.lite if flush_writes is None else flush_writes
        # Set from the collection itself by ensure_collection (a collection made by an
        # older version keeps its partition key); new collections: named on milvus-lite.
        self.named_partitions = self.lite
        self._partitions: set[str] = set()  # named partitions known to exist
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
            try:
                c.create_collection(self.collection, schema=self._schema(), index_params=self._index_params())
            except Exception:
                # Another process may have created it meanwhile; only then is this fine.
                if not c.has_collection(self.collection):
                    raise
        self._check_shape()
        c.load_collection(self.collection)
        self._partitions.clear()

    def drop_collection(self) -> None:
        self._client.drop_collection(self.collection)

    def _schema(self) -> Any:
        s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("id", DataType.VARCHAR, max_length=64, is_primary=True)
        s.add_field("course_id", DataType.VARCHAR, max_length=64, is_partition_key=not self.named_partitions)
        s.add_field("document_id", DataType.VARCHAR, max_length=64)
        s.add_field("ordinal", DataType.INT64)
        s.add_field("section", DataType.VARCHAR, max_length=_SECTION_MAX_BYTES)
        s.add_field("page_start", DataType.INT64)
        s.add_field("page_end", DataType.INT64)
        # milvus-lite knows only the `standard` and `jieba` analyzers (no `english`, and a
        # stemmer filter is silently ignored), so use `standard` + stop words on both.
        s.add_field(
            "text", DataType.VARCHAR, max_length=_TEXT_MAX_BYTES, enable_analyzer=True, analyzer_params=_ANALYZER
        )
        s.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dim)
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function("text_bm25", FunctionType.BM25, ["text"], ["sparse"]))
        return s

    def _index_params(self) -> Any:
        p = self._client.prepare_index_params()
        # AUTOINDEX is HNSW when faiss is present in milvus-lite, brute force otherwise, and
        # the server's own choice on Milvus. COSINE works for normalised and raw vectors alike.
        p.add_index(field_name="dense", index_type="AUTOINDEX", metric_type="COSINE")
        p.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        return p

    def _check_shape(self) -> None:
        desc = self._client.describe_collection(self.collection)
        fields = {f["name"]: f for f in desc.get("fields", [])}
        missing = {"id", "course_id", "document_id", "text", "dense", "sparse"} - set(fields)
        if missing:
            raise VectorStoreError(
                f"collection {self.collection!r} exists without fields {sorted(missing)}: "
                "it was not created by ProfessorAI; choose another MILVUS_COLLECTION"
            )
        self.named_partitions = not fields["course_id"].get("is_partition_key", False)
        found = int(fields["dense"].get("params", {}).get("dim", 0))
        if found != self.dim:
            raise VectorStoreError(
                f"collection {self.collection!r} holds {found}-dim vectors but the embedder makes "
                f"{self.dim}-dim ones: use another MILVUS_COLLECTION for this embedding model "
                "or re-index into a new collection"
            )

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
            row["section"] = _clip_utf8(chunk.section, _SECTION_MAX_BYTES)
            row["text"] = _clip_utf8(chunk.text, _TEXT_MAX_BYTES)
            row["dense"] = [float(x) for x in vec]
            rows.append(row)
        by_partition: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_partition.setdefault(self._partition_of(row["course_id"]), []).append(row)
        with self._writing():
            for partition, part in by_partition.items():
                if partition:
                    self._create_partition(partition)
                # Batches keep each gRPC message well under its 64 MB limit (texts can be long).
                for start in range(0, len(part), _UPSERT_BATCH):
                    batch = part[start : start + _UPSERT_BATCH]
                    self._client.upsert(self.collection, batch, partition_name=partition)
            if rows and (self.flush_writes if flush is None else flush):
                self._client.flush(self.collection)
        return len(rows)

    def _writing(self) -> AbstractContextManager[None]:
        return exclusive_writes(self.uri, self._lock_file) if self.lite else nullcontext()

    def delete_document(self, course_id: str, document_id: str) -> None:
        self._delete(course_id, self._filter(course_id, [document_id]))

    def delete_course(self, course_id: str) -> None:
        self._delete(course_id, self._filter(course_id))

    def _delete(self, course_id: str, expr: str) -> None:
        partitions = self._search_partitions(course_id)
        if partitions == []:
            return  # a course that never had chunks
        with self._writing():
            self._client.delete(self.collection, filter=expr, partition_name=partitions[0] if partitions else None)
            if self.flush_writes:
                self._client.flush(self.collection)

    # --- partitions -------------------------------------------------------------------
    def _partition_of(self, course_id: str) -> str:
        """The named partition of a course ("" where the partition key does the routing)."""
        # Partition names allow letters, digits and underscores; ids may hold '-'. Two ids
        # that differ only there would share a partition, which the course filter still
        # keeps apart.
        return "c_" + validate_id(course_id, "course id").replace("-", "_") if self.named_partitions else ""

    def _create_partition(self, name: str) -> None:
        if name in self._partitions:
            return
        if not self._client.has_partition(self.collection, name):
            try:
                self._client.create_partition(self.collection, name)
            except Exception:
                if not self._client.has_partition(self.collection, name):  # another process won the race
                    raise
        self._partitions.add(name)

    def _search_partitions(self, course_id: str) -> list[str] | None:
        """Partitions to search for a course: None for all (partition key), [] for none."""
        name = self._partition_of(course_id)
        if not name:
            return None
        if name not in self._partitions:
            if not self._client.has_partition(self.collection, name):
                return []  # not remembered: the course may get chunks later
            self._partitions.add(name)
        return [name]

    def flush(self) -> None:
        """Seal buffered writes into indexed segments (see `flush_writes`)."""
        with self._writing():
            self._client.flush(self.collection)

    def count(self, course_id: str | None = None, document_id: str | None = None) -> int:
        clauses = []
        partitions = None
        if course_id is not None:
            clauses.append(f'course_id == "{validate_id(course_id, "course id")}"')
            partitions = self._search_partitions(course_id)
            if partitions == []:
                return 0
        if document_id is not None:
            clauses.append(f'document_id == "{validate_id(document_id, "document id")}"')
        res = self._client.query(
            self.collection, filter=" and ".join(clauses), output_fields=["count(*)"], partition_names=partitions
        )
        return int(res[0]["count(*)"]) if res else 0

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
        partitions = self._search_partitions(course_id)
        if partitions == []:
            return []
        if not query_text.strip():
            return self._search_many(expr, partitions, [vec], "dense", "COSINE", k)[0]
        depth = candidate_depth(k)
        reqs = [
            AnnSearchRequest([vec], "dense", {"metric_type": "COSINE"}, limit=depth, expr=expr),
            AnnSearchRequest([query_text], "sparse", {"metric_type": "BM25"}, limit=depth, expr=expr),
        ]
        res = self._client.hybrid_search(
            self.collection,
            reqs,
            ranker=RRFRanker(RRF_K),
            limit=k,
            output_fields=_OUTPUT_FIELDS,
            partition_names=partitions,
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
        partitions = self._search_partitions(course_id)
        asked = [i for i, text in enumerate(texts) if text.strip()]
        out: list[list[SearchHit]] = [[] for _ in texts]
        if not asked or partitions == []:
            return out
        expr = self._filter(course_id, document_ids)
        found = self._search_many(expr, partitions, [texts[i] for i in asked], "sparse", "BM25", k)
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
        partitions = self._search_partitions(course_id)
        if partitions == [] or not data:
            return [[] for _ in data]
        return self._search_many(expr, partitions, data, "dense", "COSINE", k)

    def _search_many(
        self, expr: str, partitions: list[str] | None, data: list[Any], field: str, metric: str, k: int
    ) -> list[list[SearchHit]]:
        kw: dict[str, Any] = {"filter": expr, "limit": k, "output_fields": _OUTPUT_FIELDS, "anns_field": field}
        kw["partition_names"] = partitions
        res = self._client.search(self.collection, data, search_params={"metric_type": metric}, **kw)
        found = [[self._hit(h, bm25=metric == "BM25") for h in hits] for hits in res] if res else []
        return found + [[] for _ in range(len(data) - len(found))]

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

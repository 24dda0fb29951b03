"""The chunk collection's schema and indexes, and what an existing collection's shape says."""

from __future__ import annotations

from typing import Any

from pymilvus import DataType, Function, FunctionType, MilvusClient

from core.vectors.placement import COURSE_COLLECTIONS, LAYOUT_PROPERTY, Layout

TEXT_MAX_BYTES = 65535
SECTION_MAX_BYTES = 1024
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


class VectorStoreError(RuntimeError):
    """The collection exists in a shape this code can't use (e.g. another dimension)."""


def chunk_schema(dim: int, partition_key: bool) -> Any:
    s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.VARCHAR, max_length=64, is_primary=True)
    s.add_field("course_id", DataType.VARCHAR, max_length=64, is_partition_key=partition_key)
    s.add_field("document_id", DataType.VARCHAR, max_length=64)
    s.add_field("ordinal", DataType.INT64)
    s.add_field("section", DataType.VARCHAR, max_length=SECTION_MAX_BYTES)
    s.add_field("page_start", DataType.INT64)
    s.add_field("page_end", DataType.INT64)
    # milvus-lite knows only the `standard` and `jieba` analyzers (no `english`, and a
    # stemmer filter is silently ignored), so use `standard` + stop words on both.
    s.add_field("text", DataType.VARCHAR, max_length=TEXT_MAX_BYTES, enable_analyzer=True, analyzer_params=_ANALYZER)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_function(Function("text_bm25", FunctionType.BM25, ["text"], ["sparse"]))
    return s


def index_params(client: MilvusClient) -> Any:
    p = client.prepare_index_params()
    # AUTOINDEX is HNSW when faiss is present in milvus-lite, brute force otherwise, and
    # the server's own choice on Milvus. COSINE works for normalised and raw vectors alike.
    p.add_index(field_name="dense", index_type="AUTOINDEX", metric_type="COSINE")
    p.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    return p


def layout_of(desc: dict[str, Any], collection: str, dim: int) -> Layout:
    """The layout of an existing store, from its base collection; refuses a foreign shape."""
    fields = {f["name"]: f for f in desc.get("fields", [])}
    missing = {"id", "course_id", "document_id", "text", "dense", "sparse"} - set(fields)
    if missing:
        raise VectorStoreError(
            f"collection {collection!r} exists without fields {sorted(missing)}: "
            "it was not created by ProfessorAI; choose another MILVUS_COLLECTION"
        )
    found = int(fields["dense"].get("params", {}).get("dim", 0))
    if found != dim:
        raise VectorStoreError(
            f"collection {collection!r} holds {found}-dim vectors but the embedder makes "
            f"{dim}-dim ones: use another MILVUS_COLLECTION for this embedding model "
            "or re-index into a new collection"
        )
    if fields["course_id"].get("is_partition_key", False):
        return Layout.KEY
    if (desc.get("properties") or {}).get(LAYOUT_PROPERTY) == COURSE_COLLECTIONS:
        return Layout.COLLECTIONS
    return Layout.PARTITIONS  # made by an earlier version on milvus-lite

"""Searches return the same hits with and without core/patches/milvus_lite_hits.py's rewrite.

Two real milvus-lite servers get the same writes: the session's (rewritten, as every server
`MilvusLiteServer` starts) and one started with PROFAI_LITE_HITS=0 (milvus-lite as it
ships). Rows sit in flushed segments and in the memtable, some deleted, some replaced.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.ingestion.types import Chunk
from core.patches import milvus_lite_hits as lite_hits
from core.vectors.lite_server import MilvusLiteServer, free_port
from core.vectors.store import ChunkStore

DIM = 16
WORDS = ["list", "tuple", "dict", "set", "loop", "function", "class", "module", "error", "file", "string", "number"]


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    patch = pytest.MonkeyPatch()
    patch.setenv("PROFAI_LITE_HITS", "0")  # the child inherits it
    server = MilvusLiteServer(Path(tmp_path_factory.mktemp("plain-milvus")), port=free_port())
    try:
        server.start(timeout=90)
    finally:
        patch.undo()
    try:
        yield server.uri
    finally:
        server.stop()


def _chunks(rng: np.random.Generator, course: str, document: str, n: int, start: int = 0) -> list[Chunk]:
    return [
        Chunk(f"{document}-{i:04d}", document, course, i, f"Part {i % 3}", 1 + i // 4, 2 + i // 4,
              " ".join(rng.choice(WORDS, size=int(rng.integers(3, 25)))))
        for i in range(start, start + n)
    ]


def _fill(store: ChunkStore, seed: int) -> tuple[list[str], np.ndarray]:
    """The same writes on any store: segments, then memtable rows, deletes and replacements."""
    rng = np.random.default_rng(seed)
    documents = [("course-a", "doc-a1"), ("course-a", "doc-a2"), ("course-b", "doc-b1")]
    for course, document in documents:
        chunks = _chunks(rng, course, document, 60)
        store.upsert(chunks, rng.normal(size=(len(chunks), DIM)).tolist(), flush=True)
    store.delete_document("course-a", "doc-a2")  # tombstones over a flushed segment
    later = _chunks(rng, "course-a", "doc-a1", 20, start=50)  # ten replace flushed rows
    store.upsert(later, rng.normal(size=(len(later), DIM)).tolist(), flush=False)
    questions = [" ".join(rng.choice(WORDS, size=3)) for _ in range(12)] + ["zzz-unknown-word"]
    return questions, rng.normal(size=(len(questions), DIM))


@pytest.fixture(scope="module")
def stores(milvus_server: str, plain_server: str) -> Iterator[tuple[ChunkStore, ChunkStore]]:
    name = f"hits_{uuid.uuid4().hex[:10]}"
    pair = (ChunkStore(milvus_server, collection=name, dim=DIM), ChunkStore(plain_server, collection=name, dim=DIM))
    try:
        for store in pair:
            store.ensure_collection()
        yield pair
    finally:
        for store in pair:
            store.drop_collection()
            store.close()


def test_the_rewrite_applies_to_this_milvus_lite() -> None:
    # Were milvus-lite upgraded past PINNED, install() would raise PatchNotApplied.
    lite_hits.install()
    from milvus_lite.engine import collection

    assert "_profai_row" in collection.Collection._search_sparse.__code__.co_names


def test_same_hits_with_and_without_the_rewrite(stores: tuple[ChunkStore, ChunkStore]) -> None:
    rewritten, plain = stores
    questions, vectors = _fill(rewritten, seed=7)
    assert _fill(plain, seed=7)[0] == questions
    for course, documents in (("course-a", None), ("course-a", ["doc-a1"]), ("course-b", None)):
        for k in (1, 5, 10):
            dense = rewritten.search_dense_many(course, vectors.tolist(), k, documents)
            assert dense == plain.search_dense_many(course, vectors.tolist(), k, documents)
            text = rewritten.search_text_many(course, questions, k, documents)
            assert text == plain.search_text_many(course, questions, k, documents)
    assert any(hits for hits in dense) and any(hits for hits in text)  # the comparison saw hits


@pytest.mark.parametrize("output_fields", [["dense", "text"], ["*"], None, ["ordinal"]])
@pytest.mark.parametrize("field", ["dense", "sparse"])
def test_vectors_still_come_back_when_asked_for(
    stores: tuple[ChunkStore, ChunkStore], output_fields: list[str] | None, field: str
) -> None:
    rewritten, plain = stores
    questions, vectors = _fill(rewritten, seed=11)
    _fill(plain, seed=11)
    data: Any = vectors[:3].tolist() if field == "dense" else questions[:3]
    metric = "COSINE" if field == "dense" else "BM25"

    def search(store: ChunkStore) -> Any:
        target = store._target("course-a")
        assert target is not None
        found = store._client.search(target.collection, data, limit=8, anns_field=field,
                                     output_fields=output_fields, filter='course_id == "course-a"',
                                     partition_names=target.partitions, search_params={"metric_type": metric})
        return [[(h["id"], round(float(h["distance"]), 5), h["entity"]) for h in hits] for hits in found]

    got = search(rewritten)
    assert got == search(plain) and any(got)
    if output_fields == ["dense", "text"]:
        assert all(len(entity["dense"]) == DIM for hits in got for _, _, entity in hits)

"""ChunkStore against a real milvus-lite server, with the real local embedder."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.ai.embeddings import LocalMiniLMEmbedder
from core.ingestion.types import Chunk
from core.vectors.store import ChunkStore, SearchHit, VectorStoreError

TEXTS = [
    "Python is named after the BBC show Monty Python's Flying Circus, not the reptile.",
    "The // operator performs floor division and discards the fractional part.",
    "Use a for loop to iterate over the lines of a file object.",
    "Dictionaries map keys to values; keys must be hashable, such as strings or numbers.",
    "Exceptions are raised with the raise statement and handled with try and except.",
    "The zxqvirt sentinel value appears only in this chunk.",
]


def _hex() -> str:
    return uuid.uuid4().hex


@pytest.fixture(scope="module")
def embedder() -> LocalMiniLMEmbedder:
    return LocalMiniLMEmbedder(threads=1)


@pytest.fixture()
def store(milvus_server: str) -> Iterator[ChunkStore]:
    # A collection per test keeps tests independent on the shared session server.
    s = ChunkStore(milvus_server, collection=f"t_{_hex()[:12]}", dim=384)
    s.ensure_collection()
    try:
        yield s
    finally:
        s.drop_collection()
        s.close()


def _chunks(course_id: str, document_id: str, texts: list[str] = TEXTS) -> list[Chunk]:
    return [
        Chunk(
            id=f"{document_id[:24]}-{i:05d}",
            document_id=document_id,
            course_id=course_id,
            ordinal=i,
            section=f"Chapter {i // 2 + 1}",
            page_start=i + 1,
            page_end=i + 2,
            text=t,
        )
        for i, t in enumerate(texts)
    ]


def _index(store: ChunkStore, embedder: LocalMiniLMEmbedder, chunks: list[Chunk]) -> None:
    store.upsert(chunks, embedder.embed([c.text for c in chunks]))


def _search(store: ChunkStore, embedder: LocalMiniLMEmbedder, course: str, q: str, k: int = 5) -> list[SearchHit]:
    return store.search(course, q, embedder.embed([q])[0], k=k)


def test_upsert_twice_leaves_one_copy(store: ChunkStore, embedder: LocalMiniLMEmbedder) -> None:
    assert store.flush_writes  # detected milvus-lite: writes are flushed for fast search
    course, doc = _hex(), _hex()
    chunks = _chunks(course, doc)
    _index(store, embedder, chunks)
    store.upsert(chunks, embedder.embed([c.text for c in chunks]), flush=False)  # buffered copy
    assert store.count(course) == len(TEXTS)
    store.flush()
    assert store.count(course) == len(TEXTS)
    assert store.count(course, doc) == len(TEXTS)
    assert store.count() == len(TEXTS)


def test_search_never_crosses_courses(store: ChunkStore, embedder: LocalMiniLMEmbedder) -> None:
    a, b = _hex(), _hex()
    doc_a, doc_b = _hex(), _hex()
    _index(store, embedder, _chunks(a, doc_a))
    _index(store, embedder, _chunks(b, doc_b))  # the SAME texts in another course
    q = "Why is the language called Python?"
    vec = embedder.embed([q])[0]
    for course, doc in ((a, doc_a), (b, doc_b)):
        for hits in (
            store.search(course, q, vec, k=10),
            store.search_text(course, q, k=10),
            store.search_dense(course, vec, k=10),
        ):
            assert hits
            assert {h.document_id for h in hits} == {doc}
    assert store.search(_hex(), q, vec) == []  # a course with nothing in it


def test_hybrid_finds_exact_keyword(store: ChunkStore, embedder: LocalMiniLMEmbedder) -> None:
    course, doc = _hex(), _hex()
    _index(store, embedder, _chunks(course, doc))
    hits = _search(store, embedder, course, "zxqvirt")
    assert hits[0].text == TEXTS[5]
    top = store.search_text(course, "floor division", k=3)
    assert top[0].text == TEXTS[1] and top[0].score > 0
    h = _search(store, embedder, course, "What is the language's name a reference to?", k=3)[0]
    assert h.text == TEXTS[0]
    assert (h.document_id, h.ordinal, h.section, h.page_start, h.page_end) == (doc, 0, "Chapter 1", 1, 2)
    assert h.chunk_id == f"{doc[:24]}-00000"


def test_document_filter(store: ChunkStore, embedder: LocalMiniLMEmbedder) -> None:
    course, d1, d2 = _hex(), _hex(), _hex()
    _index(store, embedder, _chunks(course, d1))
    _index(store, embedder, _chunks(course, d2))
    q = "floor division"
    hits = store.search(course, q, embedder.embed([q])[0], k=10, document_ids=[d2])
    assert hits and {h.document_id for h in hits} == {d2}
    assert store.search_text(course, q, k=10, document_ids=[]) == []  # no documents: nothing


def test_delete_document_and_course(store: ChunkStore, embedder: LocalMiniLMEmbedder) -> None:
    a, b, d1, d2, d3 = _hex(), _hex(), _hex(), _hex(), _hex()
    _index(store, embedder, _chunks(a, d1) + _chunks(a, d2))
    _index(store, embedder, _chunks(b, d3))
    store.delete_document(a, d1)
    assert store.count(a, d1) == 0
    assert store.count(a) == len(TEXTS)
    assert all(h.document_id == d2 for h in store.search_text(a, "zxqvirt", k=10))
    store.delete_course(a)
    assert store.count(a) == 0
    assert store.search_text(a, "zxqvirt") == []
    assert store.count(b) == len(TEXTS)


@pytest.mark.parametrize("bad", ['x" or course_id != "', "a b", "", "é", "x" * 65, "1) or (1==1"])
def test_invalid_ids_raise(store: ChunkStore, bad: str) -> None:
    with pytest.raises(ValueError):
        store.search(bad, "q", [0.0] * 384)
    with pytest.raises(ValueError):
        store.search_text(bad, "q")
    with pytest.raises(ValueError):
        store.delete_course(bad)
    with pytest.raises(ValueError):
        store.delete_document(_hex(), bad)
    with pytest.raises(ValueError):
        store.search(_hex(), "q", [0.0] * 384, document_ids=[bad])
    with pytest.raises(ValueError):
        store.upsert(_chunks(bad, _hex())[:1], [[0.0] * 384])


def test_dimension_mismatch_is_explicit(store: ChunkStore) -> None:
    other = ChunkStore(store.uri, collection=store.collection, dim=768)
    try:
        with pytest.raises(VectorStoreError, match="384"):
            other.ensure_collection()
    finally:
        other.close()
    with pytest.raises(ValueError):
        store.upsert(_chunks(_hex(), _hex())[:1], [[0.0] * 10])


def test_shared_store_across_threads(store: ChunkStore, embedder: LocalMiniLMEmbedder) -> None:
    course = _hex()
    docs = [_hex() for _ in range(4)]
    vectors = embedder.embed(TEXTS)
    q_vec = embedder.embed(["floor division"])[0]

    def work(doc: str) -> int:
        store.upsert(_chunks(course, doc), vectors)
        return len(store.search(course, "floor division", q_vec, k=3))

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(work, docs)) == [3, 3, 3, 3]
    assert store.count(course) == 4 * len(TEXTS)


def test_data_survives_restart(tmp_path: Path) -> None:
    from core.vectors.lite_server import MilvusLiteServer, free_port

    course, doc = _hex(), _hex()
    chunks = _chunks(course, doc)
    with MilvusLiteServer(tmp_path, port=free_port()) as srv, ChunkStore(srv.uri, dim=384) as s:
        s.ensure_collection()
        s.upsert(chunks, [[1.0] + [0.0] * 383] * len(chunks))
    with MilvusLiteServer(tmp_path, port=free_port()) as srv, ChunkStore(srv.uri, dim=384) as s:
        s.ensure_collection()
        assert s.count(course) == len(TEXTS)


def test_server_refuses_busy_port_and_locked_dir(milvus_server: str, tmp_path: Path) -> None:
    from core.vectors.lite_server import MilvusLiteError, MilvusLiteServer, free_port

    busy = int(milvus_server.rsplit(":", 1)[1])
    with pytest.raises(MilvusLiteError, match="in use"):
        MilvusLiteServer(tmp_path / "a", port=busy).start()
    with MilvusLiteServer(tmp_path / "b", port=free_port()) as first:
        assert first.running
        # milvus-lite locks its data directory: a second server on it must fail loudly.
        with pytest.raises(MilvusLiteError, match="exited"):
            MilvusLiteServer(tmp_path / "b", port=free_port()).start(timeout=30)
    assert not first.running
    first.stop()  # idempotent


def test_several_questions_in_one_call_match_one_at_a_time(store: ChunkStore, embedder: LocalMiniLMEmbedder) -> None:
    """The tutor batches concurrent questions of a course (core/ai/batching.py)."""
    course, other, doc = _hex(), _hex(), _hex()
    vectors = embedder.embed(TEXTS)
    store.upsert(_chunks(course, doc), vectors)
    store.upsert(_chunks(other, _hex()), vectors)  # identical text in another course
    questions = ["floor division operator", "   ", "iterate over the lines of a file", "Monty Python"]
    q_vecs = embedder.embed(questions)
    texts = store.search_text_many(course, questions, k=3)
    dense = store.search_dense_many(course, q_vecs, k=3)
    assert len(texts) == len(dense) == len(questions) and texts[1] == []  # a blank question finds nothing
    for i, question in enumerate(questions):
        assert [h.chunk_id for h in texts[i]] == [h.chunk_id for h in store.search_text(course, question, k=3)]
        assert [h.chunk_id for h in dense[i]] == [h.chunk_id for h in store.search_dense(course, q_vecs[i], k=3)]
        assert {h.document_id for h in texts[i] + dense[i]} <= {doc}  # never the other course's copy
    assert dense[0][0].text == TEXTS[1] and texts[3][0].text == TEXTS[0]
    assert store.search_text_many(_hex(), questions, k=3) == [[], [], [], []]  # a course without chunks


def test_each_course_has_its_own_collection_on_milvus_lite(store: ChunkStore) -> None:
    """A search costs what its course holds, not what the store holds (placement.py)."""
    from core.vectors.placement import Layout

    assert store.placement.layout is Layout.COLLECTIONS
    first, second = _hex(), _hex()
    store.upsert(_chunks(first, _hex()), [[1.0] + [0.0] * 383] * len(TEXTS))
    store.upsert(_chunks(second, _hex())[:2], [[1.0] + [0.0] * 383] * 2)
    own = store.placement.course_collections()
    assert len(own) == 2 and all(name.startswith(f"{store.collection}__c_") for name in own)
    assert store._client.query(store.collection, filter="", output_fields=["count(*)"])[0]["count(*)"] == 0
    assert (store.count(), store.count(first), store.count(second)) == (len(TEXTS) + 2, len(TEXTS), 2)
    # Another process's store finds the layout from the base collection.
    with ChunkStore(store.uri, collection=store.collection, dim=384) as other:
        other.ensure_collection()
        assert other.placement.layout is Layout.COLLECTIONS and other.count(second) == 2
    store.delete_course(first)
    assert len(store.placement.course_collections()) == 1 and store.count(first) == 0
    assert store.search_text(first, "Monty Python") == []
    store.drop_collection()
    assert store.placement.course_collections() == [] and not store._client.has_collection(store.collection)


def test_a_store_made_with_named_partitions_keeps_working(milvus_server: str, embedder: LocalMiniLMEmbedder) -> None:
    """Stores made by earlier versions on milvus-lite: one collection, a partition per course."""
    from core.vectors.placement import Layout

    name = f"t_{_hex()[:12]}"
    course, doc = _hex(), _hex()
    with ChunkStore(milvus_server, collection=name, dim=384, layout=Layout.PARTITIONS) as old:
        old.ensure_collection()
        _index(old, embedder, _chunks(course, doc))
    with ChunkStore(milvus_server, collection=name, dim=384) as store:
        try:
            store.ensure_collection()
            assert store.placement.layout is Layout.PARTITIONS and store.placement.course_collections() == []
            assert store.count(course) == len(TEXTS) and store.count() == len(TEXTS)
            assert _search(store, embedder, course, "floor division")[0].text == TEXTS[1]
            other = _hex()
            _index(store, embedder, _chunks(other, _hex())[:2])  # new courses go to new partitions
            assert store.count(other) == 2 and store._client.has_partition(name, "c_" + other)
            store.delete_course(course)
            assert store.count(course) == 0 and store.count() == 2
        finally:
            store.drop_collection()

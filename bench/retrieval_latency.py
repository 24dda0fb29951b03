"""Search latency at scale on milvus-lite: hybrid (dense + BM25, RRF) for one course.

    .venv/bin/python -m bench.retrieval_latency [--total 20000] [--courses 4] [--queries 100]

(from the repo root, so that `core` imports).

Inserts synthetic chunks: text is real tutorial prose (windows at random offsets, so BM25
sees a realistic vocabulary), vectors are random unit vectors (latency doesn't depend on
their meaning, and embedding 20k chunks would take half an hour on 2 cores). Each query
is one of the fixture's real questions through the tutor's own retrieval
(core.services.retrieval.Retriever): BM25 on the store while the question is embedded,
then the dense search, fused by reciprocal rank. The single methods are timed alone too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

from core.ai.embeddings import LocalMiniLMEmbedder, SharedEmbedder
from core.ingestion.types import Chunk
from core.services.retrieval import Retriever
from core.settings import Settings
from core.vectors.lite_server import MilvusLiteServer, free_port
from core.vectors.store import ChunkStore

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def corpus_words(pdf: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    return " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).split()


def synthetic_chunks(
    words: list[str], course_id: str, n: int, rng: np.random.Generator, chunk_words: int = 180
) -> list[Chunk]:
    chunks = []
    docs = [uuid.uuid4().hex for _ in range(max(1, n // 400))]  # ~400 chunks per document
    for i in range(n):
        start = int(rng.integers(0, len(words) - chunk_words))
        doc = docs[i % len(docs)]
        chunks.append(
            Chunk(
                id=uuid.uuid4().hex,
                document_id=doc,
                course_id=course_id,
                ordinal=i,
                section="Synthetic",
                page_start=1 + i % 100,
                page_end=1 + i % 100,
                text=" ".join(words[start : start + chunk_words]),
            )
        )
    return chunks


def unit_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--total", type=int, default=20_000, help="chunks across all courses")
    ap.add_argument("--courses", type=int, default=4)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2, help="ONNX intra-op threads")
    ap.add_argument("--uri", help="an existing Milvus/milvus-lite server (default: start one)")
    ap.add_argument("--pdf", type=Path, default=FIXTURES / "python-tutorial-3.11.pdf")
    ap.add_argument("--qa", type=Path, default=FIXTURES / "python-tutorial-qa.json")
    args = ap.parse_args()

    rng = np.random.default_rng(7)
    words = corpus_words(args.pdf)
    questions = [q["question"] for q in json.loads(args.qa.read_text())["questions"]]
    embedder = LocalMiniLMEmbedder(threads=args.threads)
    embedder.embed(["warm up"])
    courses = [uuid.uuid4().hex for _ in range(args.courses)]
    per_course = args.total // args.courses

    with tempfile.TemporaryDirectory() as tmp:
        server = None if args.uri else MilvusLiteServer(tmp, port=free_port()).start()
        try:
            uri = server.uri if server is not None else str(args.uri)
            store = ChunkStore(uri, collection="bench_latency", dim=embedder.dim)
            store.drop_collection()
            store.ensure_collection()
            t0 = time.perf_counter()
            for course in courses:
                chunks = synthetic_chunks(words, course, per_course, rng)
                # Insert in slices so memory for the row dicts stays small.
                for s in range(0, len(chunks), 2000):
                    part = chunks[s : s + 2000]
                    store.upsert(part, unit_vectors(len(part), embedder.dim, rng).tolist())
            insert_s = time.perf_counter() - t0
            print(
                f"inserted {per_course * len(courses)} chunks in {len(courses)} courses: {insert_s:.1f}s "
                f"({per_course * len(courses) / insert_s:.0f} chunks/s); count={store.count()}"
            )
            settings = Settings(milvus_uri=uri, milvus_collection="bench_latency", data_dir=Path(tmp))
            retriever = Retriever(settings, SharedEmbedder(settings, lambda _s: embedder))
            measure(store, retriever, embedder, questions, courses[0], args.queries, args.k)
            store.drop_collection()
            store.close()
        finally:
            if server is not None:
                server.stop()


def measure(
    store: ChunkStore,
    retriever: Retriever,
    embedder: LocalMiniLMEmbedder,
    questions: list[str],
    course: str,
    n: int,
    k: int,
) -> None:
    loop = asyncio.new_event_loop()  # one loop (and thread pool) for all queries, as in the API
    # One untimed query: the first search of a collection builds caches server-side.
    loop.run_until_complete(retriever.search(course, questions[0], k))
    tutor, embed, server_hybrid, bm25, dense = [], [], [], [], []
    for i in range(n):
        q = questions[i % len(questions)]
        t0 = time.perf_counter()
        found = loop.run_until_complete(retriever.search(course, q, k))
        tutor.append(time.perf_counter() - t0)
        assert found.query_vector, "no vector"
        t0 = time.perf_counter()
        vec = embedder.embed([q])[0]
        t1 = time.perf_counter()
        store.search(course, q, vec, k=k)
        t2 = time.perf_counter()
        store.search_text(course, q, k=k)
        t3 = time.perf_counter()
        store.search_dense(course, vec, k=k)
        t4 = time.perf_counter()
        embed.append(t1 - t0)
        server_hybrid.append(t2 - t1)
        bm25.append(t3 - t2)
        dense.append(t4 - t3)
    loop.close()
    print(f"\n{n} queries on one course, k={k}; ms p50 / p95 (mean):")
    for name, values in (
        ("tutor retrieval (all in)", tutor),
        ("  embed question", embed),
        ("  bm25 only", bm25),
        ("  dense only", dense),
        ("server hybrid_search", server_hybrid),
    ):
        print(f"  {name:26s} {pct(values, 0.5):7.1f} / {pct(values, 0.95):7.1f} ({statistics.mean(values) * 1000:.1f})")


if __name__ == "__main__":
    main()

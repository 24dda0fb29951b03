"""Retrieval quality on the Python tutorial: recall@k of BM25, dense and hybrid search.

    .venv/bin/python -m bench.retrieval_recall [--pdf ...] [--qa ...] [--threads 2] [--k 5]

(from the repo root, so that `core` imports).

A question counts as found when one of the top-k chunks contains one of its answer
phrases (case and whitespace normalised). Starts its own milvus-lite server on a free
loopback port unless --uri is given. Also prints embedding throughput and search latency.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.ai.embeddings import LocalMiniLMEmbedder
from core.ingestion.types import Chunk
from core.vectors.fusion import candidate_depth, rrf_fuse
from core.vectors.lite_server import MilvusLiteServer, free_port
from core.vectors.store import ChunkStore, SearchHit

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def project_chunks(pdf: Path, course_id: str, document_id: str) -> list[Chunk]:
    """Chunks made by the project's own parser and chunker (the real pipeline)."""
    from core.ingestion.chunking import chunk_document
    from core.ingestion.parser import parse_document_inline
    from core.settings import Settings

    settings = Settings()
    doc = parse_document_inline(pdf, pdf.name, max_pages=settings.max_pages)
    return chunk_document(
        doc,
        document_id=document_id,
        course_id=course_id,
        target_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
    )


def window_chunks(pdf: Path, course_id: str, document_id: str, words: int = 220) -> list[Chunk]:
    """Fallback: page text in overlapping word windows (no headings), for when ingestion isn't there."""
    import pypdfium2 as pdfium

    chunks: list[Chunk] = []
    pdf_doc = pdfium.PdfDocument(str(pdf))
    for page_no in range(len(pdf_doc)):
        text = pdf_doc[page_no].get_textpage().get_text_range()
        tokens = text.split()
        for start in range(0, max(len(tokens), 1), words - 30):
            piece = " ".join(tokens[start : start + words])
            if piece:
                n = len(chunks)
                chunks.append(
                    Chunk(f"{document_id[:20]}-{n:05d}", document_id, course_id, n, "", page_no + 1, page_no + 1, piece)
                )
    return chunks


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pdf", type=Path, default=FIXTURES / "python-tutorial-3.11.pdf")
    ap.add_argument("--qa", type=Path, default=FIXTURES / "python-tutorial-qa.json")
    ap.add_argument("--uri", help="an existing Milvus/milvus-lite server (default: start one)")
    ap.add_argument("--threads", type=int, default=2, help="ONNX intra-op threads")
    ap.add_argument("--shipped-graph", action="store_true", help="the package's graph, not the re-quantized one")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--fallback-chunker", action="store_true", help="page windows instead of core.ingestion")
    args = ap.parse_args()

    qa = json.loads(args.qa.read_text())["questions"]
    course_id, document_id = uuid.uuid4().hex, uuid.uuid4().hex
    t0 = time.perf_counter()
    if args.fallback_chunker:
        chunks, how = window_chunks(args.pdf, course_id, document_id), "page windows (fallback)"
    else:
        chunks, how = project_chunks(args.pdf, course_id, document_id), "core.ingestion"
    parse_s = time.perf_counter() - t0
    sizes = [len(c.text.split()) for c in chunks]
    print(
        f"chunks: {len(chunks)} from {args.pdf.name} via {how} in {parse_s:.1f}s "
        f"(words/chunk median {statistics.median(sizes):.0f}, max {max(sizes)})"
    )

    embedder = LocalMiniLMEmbedder(threads=args.threads, max_tokens=args.max_tokens, requantize=not args.shipped_graph)
    embedder.embed(["warm up"])
    t0 = time.perf_counter()
    vectors = embedder.embed([c.text for c in chunks])
    embed_s = time.perf_counter() - t0
    print(
        f"embedding: {len(chunks) / embed_s:.1f} chunks/s ({embed_s:.1f}s, {args.threads} threads, "
        f"{args.max_tokens} tokens)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        server = None if args.uri else MilvusLiteServer(tmp, port=free_port()).start()
        try:
            uri = server.uri if server is not None else str(args.uri)
            store = ChunkStore(uri, collection="bench_recall", dim=384)
            store.drop_collection()
            store.ensure_collection()
            t0 = time.perf_counter()
            store.upsert(chunks, vectors)
            print(f"upsert: {time.perf_counter() - t0:.1f}s")
            run_queries(store, embedder, qa, course_id, args.k)
            store.drop_collection()
            store.close()
        finally:
            if server:
                server.stop()


def search(store: ChunkStore, method: str, course: str, q: str, qvec: list[float], k: int) -> list[SearchHit]:
    if method == "bm25":
        return store.search_text(course, q, k=k)
    if method == "dense":
        return store.search_dense(course, qvec, k=k)
    if method == "fused":  # the tutor's way: two searches, fused here (core/vectors/fusion.py)
        depth = candidate_depth(k)
        return rrf_fuse([store.search_dense(course, qvec, k=depth), store.search_text(course, q, k=depth)], k)
    return store.search(course, q, qvec, k=k)


def run_queries(
    store: ChunkStore, embedder: LocalMiniLMEmbedder, qa: list[dict[str, Any]], course: str, k: int
) -> None:
    found = {"bm25": 0, "dense": 0, "hybrid": 0, "fused": 0}
    lat: dict[str, list[float]] = {"embed question": [], "bm25": [], "dense": [], "hybrid": [], "fused": []}
    missed: list[str] = []
    for item in qa:
        phrases = [norm(p) for p in item["answer_phrases"]]
        t0 = time.perf_counter()
        qvec = embedder.embed([item["question"]])[0]
        lat["embed question"].append(time.perf_counter() - t0)
        for name in found:
            t0 = time.perf_counter()
            hits = search(store, name, course, item["question"], qvec, k)
            lat[name].append(time.perf_counter() - t0)
            ok = any(p in norm(h.text) for h in hits for p in phrases)
            found[name] += ok
            if name == "hybrid" and not ok:
                missed.append(item["question"])
    n = len(qa)
    print(f"\nrecall@{k} over {n} questions:")
    for name, count in found.items():
        print(f"  {name:7s} {count / n:.2f} ({count}/{n})")
    print("\nlatency ms (p50 / p95):")
    for name, values in lat.items():
        print(f"  {name:15s} {percentile(values, 0.5) * 1000:7.1f} / {percentile(values, 0.95) * 1000:7.1f}")
    if missed:
        print("\nhybrid missed:\n  " + "\n  ".join(missed))


if __name__ == "__main__":
    main()

"""Vectors of the sentences the tutor may quote, computed once per document while ingesting.

The offline tutor ranks the sentences of the retrieved chunks by closeness to the question.
Embedding them at question time was its main cost (up to 80 sentences a question, all on
the API's CPU); here the worker embeds every prose sentence of a document once and keeps
the unit vectors beside the file (`<file>.sentences.npz`, removed with it). A sentence the
file lacks (a course index that changed since) is still embedded at question time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.ai.embeddings import Embedder
from core.db.models.documents import DocumentStatus
from core.generation.extractive import CourseIndex, split_sentences
from core.ingestion.types import Chunk
from core.pipeline.deps import PipelineDeps
from core.pipeline.job_context import JobContext
from core.pipeline.parsed_cache import load_parsed
from core.pipeline.steps import chunks_of
from core.repositories.documents import DocumentRepository

SUFFIX = ".sentences.npz"
BATCH = 64  # sentences are short: larger batches than chunks fit in the same memory


def vectors_path(file_path: Path) -> Path:
    return file_path.with_name(file_path.name + SUFFIX)


def quotable_sentences(chunks: Sequence[Chunk], index: CourseIndex | None) -> list[str]:
    """The distinct sentences the tutor would consider in these chunks, in order."""
    return list(dict.fromkeys(s.text for chunk in chunks for s in split_sentences(chunk, index)))


def unit_rows(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def save_vectors(file_path: Path, texts: Sequence[str], vectors: np.ndarray) -> None:
    target = vectors_path(file_path)
    partial = target.with_name(target.name + ".part.npz")
    # float16 halves the file; cosine ranks are unchanged at this precision.
    np.savez(partial, texts=np.asarray(texts, dtype=str), vectors=vectors.astype(np.float16))
    partial.replace(target)


def load_vectors(file_path: Path) -> tuple[list[str], np.ndarray] | None:
    path = vectors_path(file_path)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        return [str(t) for t in data["texts"]], data["vectors"].astype(np.float32)


async def embed_sentences(
    embedder: Embedder, file_path: Path, chunks: Sequence[Chunk], index: CourseIndex | None
) -> int:
    """Embed and keep a document's quotable sentences; returns how many."""
    texts = quotable_sentences(chunks, index)
    rows: list[list[float]] = []
    for start in range(0, len(texts), BATCH):
        rows += await asyncio.to_thread(embedder.embed, texts[start : start + BATCH])
    vectors = unit_rows(rows) if rows else np.zeros((0, embedder.dim), dtype=np.float32)
    await asyncio.to_thread(save_vectors, file_path, texts, vectors)
    return len(texts)


async def prepare_tutor(ctx: JobContext, deps: PipelineDeps, course_id: str, document_ids: Sequence[str]) -> int:
    """The last step of an ingest job: sentence vectors of the newly ready documents.

    Splits with the course index over all the course's ready documents, as the tutor does.
    """
    async with ctx.sessions() as session:
        documents = await DocumentRepository(session).list_for_course(course_id, DocumentStatus.READY)
    parsed = {}
    for doc in documents:
        loaded = await asyncio.to_thread(load_parsed, deps.files.path_of(doc.storage_name))
        if loaded is not None:
            parsed[doc.id] = loaded
    index = CourseIndex({doc_id: p.pages for doc_id, p in parsed.items()}) if parsed else None
    wanted = [d for d in documents if d.id in set(document_ids) and d.id in parsed]
    total = 0
    for i, doc in enumerate(wanted, start=1):
        await ctx.report("tutor", 99, f"preparing the tutor's quotes {i}/{len(wanted)}")
        chunks = chunks_of(ctx.settings, parsed[doc.id], doc.id, course_id)
        total += await embed_sentences(deps.embedder, deps.files.path_of(doc.storage_name), chunks, index)
    return total

"""Multilingual vectors of a document's chunks and quotable sentences: the ingest job's last step.

They let a question in one language find, and quote, material written in another
(core/ai/multilingual.py). Embedding long passages with e5 is ~5x slower than with MiniLM,
so this runs after everything else: the course is searchable (and has its lessons) before
it starts. Kept beside the file (`<file>.e5.npz`, float16 unit vectors, removed with it),
with each chunk's place, so the tutor turns a vector match straight into a citation.
A document without the file is simply not searched across languages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.ai.multilingual import MultilingualEmbedder
from core.db.models.documents import DocumentStatus
from core.generation.extractive import CourseIndex
from core.ingestion.types import Chunk
from core.pipeline.deps import PipelineDeps
from core.pipeline.parsed_cache import load_parsed
from core.pipeline.sentence_vectors import quotable_sentences
from core.pipeline.steps import chunks_of
from core.repositories.documents import DocumentRepository
from core.services.job_context import JobContext
from core.vectors.store import SearchHit

SUFFIX = ".e5.npz"
BATCH = 8  # long passages: small batches keep the worker's memory flat


@dataclass
class MultilingualVectors:
    """One document's chunks (as search hits without a score) and sentences, with e5 vectors."""

    hits: list[SearchHit]
    chunk_vectors: np.ndarray
    sentences: list[str]
    sentence_vectors: np.ndarray


def e5_path(file_path: Path) -> Path:
    return file_path.with_name(file_path.name + SUFFIX)


def passage_of(chunk: Chunk) -> str:
    # The section title tells e5 what a short chunk is about ("4.8 Defining Functions").
    return f"{chunk.section}: {chunk.text}" if chunk.section else chunk.text


def save(file_path: Path, chunks: Sequence[Chunk], chunk_vectors: np.ndarray,
         sentences: Sequence[str], sentence_vectors: np.ndarray) -> None:
    target = e5_path(file_path)
    partial = target.with_name(target.name + ".part.npz")
    np.savez(
        partial,
        ids=np.asarray([c.id for c in chunks], dtype=str),
        ordinals=np.asarray([c.ordinal for c in chunks], dtype=np.int32),
        sections=np.asarray([c.section for c in chunks], dtype=str),
        pages=np.asarray([(c.page_start, c.page_end) for c in chunks], dtype=np.int32).reshape(-1, 2),
        texts=np.asarray([c.text for c in chunks], dtype=str),
        chunk_vectors=chunk_vectors.astype(np.float16),
        sentences=np.asarray(sentences, dtype=str),
        sentence_vectors=sentence_vectors.astype(np.float16),
    )
    partial.replace(target)


def load(file_path: Path, document_id: str) -> MultilingualVectors | None:
    path = e5_path(file_path)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        hits = [
            SearchHit(str(cid), document_id, int(o), str(sec), int(p[0]), int(p[1]), str(t), 0.0)
            for cid, o, sec, p, t in zip(
                data["ids"], data["ordinals"], data["sections"], data["pages"], data["texts"], strict=True
            )
        ]
        return MultilingualVectors(
            hits, data["chunk_vectors"].astype(np.float32), [str(s) for s in data["sentences"]],
            data["sentence_vectors"].astype(np.float32),
        )


def _embed_all(embedder: MultilingualEmbedder, texts: Sequence[str]) -> np.ndarray:
    blocks = [embedder.embed_passages(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    return np.concatenate(blocks) if blocks else np.zeros((0, embedder.dim), dtype=np.float32)


async def embed_document(
    embedder: MultilingualEmbedder, file_path: Path, chunks: Sequence[Chunk], index: CourseIndex | None
) -> int:
    sentences = quotable_sentences(chunks, index)
    chunk_vectors = await asyncio.to_thread(_embed_all, embedder, [passage_of(c) for c in chunks])
    sentence_vectors = await asyncio.to_thread(_embed_all, embedder, sentences)
    await asyncio.to_thread(save, file_path, chunks, chunk_vectors, sentences, sentence_vectors)
    return len(chunks)


async def prepare_multilingual(ctx: JobContext, deps: PipelineDeps, course_id: str, document_ids: Sequence[str]) -> int:
    """e5 vectors of the newly ready documents; returns how many chunks were embedded (0 when
    TUTOR_MULTILINGUAL is off)."""
    if deps.multilingual is None:
        return 0
    async with ctx.sessions() as session:
        documents = await DocumentRepository(session).list_for_course(course_id, DocumentStatus.READY)
    parsed = {}
    for doc in documents:
        loaded = await asyncio.to_thread(load_parsed, deps.files.path_of(doc.storage_name))
        if loaded is not None:
            parsed[doc.id] = loaded
    # Sentences are split with the course index over all ready documents, as the tutor does.
    index = CourseIndex({doc_id: p.pages for doc_id, p in parsed.items()}) if parsed else None
    wanted = [d for d in documents if d.id in set(document_ids) and d.id in parsed]
    total = 0
    for i, doc in enumerate(wanted, start=1):
        await ctx.report("tutor", 99, f"preparing the tutor for questions in other languages {i}/{len(wanted)}")
        chunks = chunks_of(ctx.settings, parsed[doc.id], doc.id, course_id)
        total += await embed_document(deps.multilingual, deps.files.path_of(doc.storage_name), chunks, index)
    return total

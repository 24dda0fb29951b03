"""Multilingual vectors of a document's passages: the ingest job's last step.

They let a question in one language find, and quote, material written in another
(core/ai/multilingual.py). e5 embeds long text ~5x slower than MiniLM, so this runs after
everything else: the course is searchable (and has its lessons) before it starts.

The unit is a window of ~60 words of a chunk (its section title in front), not the whole
chunk: on the tutorial's translated questions a chunk scored by its best window found the
answer's chunk in the top 5 for 0.82 of Hindi questions against 0.59 with one vector per
~300-token chunk, and embedding the windows took less time (attention cost grows with the
square of the length). Kept beside the file (`<file>.e5.npz`, float16 unit vectors, removed
with it), with each chunk's place, so a match turns straight into a citation. A document
without the file is simply not searched across languages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.ai.multilingual import MultilingualEmbedder
from core.db.models.documents import DocumentStatus
from core.ingestion.types import Chunk
from core.pipeline.deps import PipelineDeps
from core.pipeline.job_context import JobContext
from core.pipeline.parsed_cache import load_parsed
from core.pipeline.steps import chunks_of
from core.repositories.documents import DocumentRepository
from core.vectors.store import SearchHit

SUFFIX = ".e5.npz"
BATCH = 16
WINDOW_WORDS = 60
WINDOW_STRIDE = 45


@dataclass
class MultilingualVectors:
    """One document's chunks (as search hits without a score) and their windows' e5 vectors."""

    hits: list[SearchHit]
    owners: np.ndarray  # the row in `hits` of each window
    spans: np.ndarray  # (first word, end word) of each window in its chunk's text.split()
    vectors: np.ndarray  # one unit row per window


def e5_path(file_path: Path) -> Path:
    return file_path.with_name(file_path.name + SUFFIX)


def windows(chunks: Sequence[Chunk]) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """Overlapping word windows of each chunk: texts to embed, owning chunk, word span."""
    texts: list[str] = []
    owners: list[int] = []
    spans: list[tuple[int, int]] = []
    for row, chunk in enumerate(chunks):
        words = chunk.text.split()
        # The section title tells e5 what a window is about ("4.8 Defining Functions").
        title = f"{chunk.section}: " if chunk.section else ""
        for start in range(0, max(1, len(words) - WINDOW_WORDS + WINDOW_STRIDE), WINDOW_STRIDE):
            end = min(len(words), start + WINDOW_WORDS)
            texts.append(title + " ".join(words[start:end]))
            owners.append(row)
            spans.append((start, end))
    return texts, owners, spans


def save(file_path: Path, chunks: Sequence[Chunk], owners: Sequence[int], spans: Sequence[tuple[int, int]],
         vectors: np.ndarray) -> None:
    target = e5_path(file_path)
    partial = target.with_name(target.name + ".part.npz")
    np.savez(
        partial,
        ids=np.asarray([c.id for c in chunks], dtype=str),
        ordinals=np.asarray([c.ordinal for c in chunks], dtype=np.int32),
        sections=np.asarray([c.section for c in chunks], dtype=str),
        pages=np.asarray([(c.page_start, c.page_end) for c in chunks], dtype=np.int32).reshape(-1, 2),
        texts=np.asarray([c.text for c in chunks], dtype=str),
        owners=np.asarray(owners, dtype=np.int32),
        spans=np.asarray(spans, dtype=np.int32).reshape(-1, 2),
        vectors=vectors.astype(np.float16),
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
        return MultilingualVectors(hits, data["owners"], data["spans"], data["vectors"].astype(np.float32))


def _embed_all(embedder: MultilingualEmbedder, texts: Sequence[str]) -> np.ndarray:
    blocks = [embedder.embed_passages(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    return np.concatenate(blocks) if blocks else np.zeros((0, embedder.dim), dtype=np.float32)


async def embed_document(embedder: MultilingualEmbedder, file_path: Path, chunks: Sequence[Chunk]) -> int:
    texts, owners, spans = windows(chunks)
    vectors = await asyncio.to_thread(_embed_all, embedder, texts)
    await asyncio.to_thread(save, file_path, chunks, owners, spans, vectors)
    return len(texts)


async def prepare_multilingual(ctx: JobContext, deps: PipelineDeps, course_id: str, document_ids: Sequence[str]) -> int:
    """e5 vectors of the newly ready documents; returns how many windows were embedded (0 when
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
    wanted = [d for d in documents if d.id in set(document_ids) and d.id in parsed]
    total = 0
    for i, doc in enumerate(wanted, start=1):
        await ctx.report("tutor", 99, f"preparing the tutor for questions in other languages {i}/{len(wanted)}")
        chunks = chunks_of(ctx.settings, parsed[doc.id], doc.id, course_id)
        total += await embed_document(deps.multilingual, deps.files.path_of(doc.storage_name), chunks)
    return total

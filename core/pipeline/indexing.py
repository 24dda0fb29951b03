"""Stage one of an ingest job: parse, chunk, embed and index each uploaded document.

A bad file fails its own document with a clear message; the job's other documents go on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.db.models.documents import Document, DocumentStatus
from core.ingestion.types import Chunk, ParseError
from core.pipeline.deps import PipelineDeps
from core.pipeline.job_context import JobContext
from core.pipeline.steps import chunks_of, parse_and_keep, span_percent
from core.repositories.documents import DocumentRepository

# Share of the job's progress bar taken by each indexing step; generation takes the rest.
PARSE_SPAN = (0, 15)
EMBED_SPAN = (15, 55)


@dataclass
class Parsed:
    document_id: str
    name: str
    chunks: list[Chunk]


async def index_documents(ctx: JobContext, deps: PipelineDeps, document_ids: list[str]) -> list[str]:
    """Index the given documents; returns the ids that are ready."""
    settings = ctx.settings
    async with ctx.sessions() as session:
        documents = await DocumentRepository(session).get_many(document_ids)
        for doc in documents:
            doc.status, doc.error = DocumentStatus.PROCESSING, None
        await session.commit()

    parsed: list[Parsed] = []
    for i, doc in enumerate(documents, start=1):
        await ctx.report(
            "parsing",
            span_percent(PARSE_SPAN, i - 1, len(documents)),
            f"parsing {i}/{len(documents)}: {doc.original_name}",
        )
        path = deps.files.path_of(doc.storage_name)
        try:
            result = await parse_and_keep(settings, path, doc.original_name)
        except ParseError as exc:
            await _mark(ctx, doc.id, DocumentStatus.FAILED, error=str(exc))
            continue
        chunks = chunks_of(settings, result, doc.id, doc.course_id)
        if not chunks:
            await _mark(ctx, doc.id, DocumentStatus.FAILED, error="no extractable text")
            continue
        await _mark(ctx, doc.id, DocumentStatus.PROCESSING, page_count=result.page_count, chunk_count=len(chunks))
        parsed.append(Parsed(doc.id, doc.original_name, chunks))

    total = sum(len(p.chunks) for p in parsed)
    done = 0
    ready: list[str] = []
    batch = max(1, settings.embedding_batch_size)
    for item in parsed:
        vectors: list[list[float]] = []
        for start in range(0, len(item.chunks), batch):
            await ctx.report("embedding", span_percent(EMBED_SPAN, done, total), f"embedding {done}/{total} chunks")
            texts = [c.text for c in item.chunks[start : start + batch]]
            vectors += await asyncio.to_thread(deps.embedder.embed, texts)
            done += len(texts)
        course_id = item.chunks[0].course_id
        # Replace, not add: a document indexed twice keeps exactly one copy of its chunks.
        await asyncio.to_thread(deps.vectors.delete_document, course_id, item.document_id)
        await asyncio.to_thread(deps.vectors.upsert, item.chunks, vectors)
        if await _mark(ctx, item.document_id, DocumentStatus.READY):
            ready.append(item.document_id)
        else:  # deleted meanwhile: take its vectors out again
            await asyncio.to_thread(deps.vectors.delete_document, course_id, item.document_id)
    await ctx.report("embedding", EMBED_SPAN[1], f"indexed {done} chunks from {len(ready)} document(s)")
    return ready


async def _mark(ctx: JobContext, document_id: str, status: DocumentStatus, **values: object) -> bool:
    async with ctx.sessions() as session:
        doc = await session.get(Document, document_id)
        if doc is None:
            return False  # deleted while we worked on it
        doc.status = status
        for name, value in values.items():
            setattr(doc, name, value)
        await session.commit()
    return True

"""Small steps shared by the indexing and generation stages."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.ingestion.chunking import chunk_document
from core.ingestion.parser import parse_document
from core.ingestion.types import Chunk, ParsedDocument
from core.pipeline.parsed_cache import save_parsed
from core.settings import Settings


async def parse_and_keep(settings: Settings, path: Path, filename: str) -> ParsedDocument:
    """Parse in a bounded child process and keep the result beside the file. ParseError on bad files."""
    parsed = await asyncio.to_thread(
        parse_document,
        path,
        filename,
        max_pages=settings.max_pages,
        timeout_seconds=settings.parse_timeout_seconds,
        max_memory_mb=settings.parse_max_memory_mb,
    )
    await asyncio.to_thread(save_parsed, path, parsed)
    return parsed


def chunks_of(settings: Settings, parsed: ParsedDocument, document_id: str, course_id: str) -> list[Chunk]:
    return chunk_document(
        parsed,
        document_id=document_id,
        course_id=course_id,
        target_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
    )


def span_percent(span: tuple[int, int], done: int, total: int) -> int:
    """Progress within a stage's share (low, high) of the job's bar."""
    low, high = span
    return low + (high - low) * done // max(1, total)

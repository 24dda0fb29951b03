"""What the domain asks of a vector store: the interface `ChunkStore` (Milvus, milvus-lite)
implements, and the in-memory fake of the tests (tests/fakes.py) too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.ingestion.types import Chunk
from core.vectors.store import SearchHit


class VectorStore(Protocol):
    def ensure_collection(self) -> None: ...

    def close(self) -> None: ...

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], flush: bool | None = None) -> int: ...

    def delete_document(self, course_id: str, document_id: str) -> None: ...

    def delete_course(self, course_id: str) -> None: ...

    def search_dense_many(
        self, course_id: str, vectors: Sequence[Sequence[float]], k: int = 5, document_ids: Sequence[str] | None = None
    ) -> list[list[SearchHit]]: ...

    def search_text_many(
        self, course_id: str, texts: Sequence[str], k: int = 5, document_ids: Sequence[str] | None = None
    ) -> list[list[SearchHit]]: ...

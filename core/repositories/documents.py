from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models.documents import Document, DocumentStatus


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, document_id: str) -> Document | None:
        return await self.session.get(Document, document_id)

    async def get_in_course(self, course_id: str, document_id: str) -> Document | None:
        return await self.session.scalar(
            select(Document).where(Document.id == document_id, Document.course_id == course_id)
        )

    async def list_for_course(self, course_id: str, status: DocumentStatus | None = None) -> list[Document]:
        query = select(Document).where(Document.course_id == course_id)
        if status is not None:
            query = query.where(Document.status == status)
        return list(await self.session.scalars(query.order_by(Document.created_at, Document.id)))

    async def get_many(self, document_ids: Sequence[str]) -> list[Document]:
        if not document_ids:
            return []
        result = await self.session.scalars(select(Document).where(Document.id.in_(document_ids)))
        by_id = {d.id: d for d in result}
        return [by_id[i] for i in document_ids if i in by_id]

    async def find_by_sha(self, course_id: str, sha256: str) -> Document | None:
        return await self.session.scalar(
            select(Document).where(Document.course_id == course_id, Document.sha256 == sha256)
        )

    async def fail_unfinished(self, document_ids: Sequence[str], reason: str) -> int:
        """Mark the documents of a job that failed for good, and not processed yet, failed with
        the reason (otherwise they would say "uploaded" or "processing" forever)."""
        failed = 0
        for doc in await self.get_many(document_ids):
            if doc.status in (DocumentStatus.UPLOADED, DocumentStatus.PROCESSING):
                doc.status, doc.error = DocumentStatus.FAILED, reason[:2000]
                failed += 1
        return failed

    def add(self, document: Document) -> None:
        self.session.add(document)

    async def delete(self, document: Document) -> None:
        await self.session.delete(document)

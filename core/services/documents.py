"""Uploading and removing a course's documents; each change starts one ingest job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import new_id
from core.db.models.documents import Document
from core.db.models.jobs import Job, JobKind
from core.errors import Conflict, InvalidInput, NotFound, TooLarge, UnsupportedMedia
from core.ingestion import active_content
from core.ingestion.filetypes import detect_type
from core.ingestion.page_cache import PageCache
from core.ingestion.page_image import render_page
from core.ingestion.types import ParseError
from core.repositories.documents import DocumentRepository
from core.security.principal import Principal
from core.services.courses import CourseService
from core.services.jobs import JobService
from core.settings import Settings
from core.storage import FileStore, StoredFile

MB = 1024 * 1024


@dataclass
class IncomingFile:
    filename: str
    chunks: AsyncIterator[bytes]


@dataclass
class StagedFile:
    """An uploaded file on disk, not yet a document."""

    name: str
    saved: StoredFile
    kind: str
    active: list[str] = field(default_factory=list)  # what in it could run (core/ingestion/active_content.py)


@dataclass
class UploadResult:
    documents: list[Document]
    job: Job


class DocumentService:
    def __init__(self, session: AsyncSession, settings: Settings, files: FileStore) -> None:
        self.session = session
        self.settings = settings
        self.files = files
        self.documents = DocumentRepository(session)
        self.courses = CourseService(session)
        self.jobs = JobService(session)

    async def upload(self, principal: Principal, course_id: str, incoming: Sequence[IncomingFile]) -> UploadResult:
        """Files first, the transaction after: nothing holds a database lock while bytes arrive."""
        return await self.register(principal, course_id, await self.stage(course_id, incoming))

    async def stage(self, course_id: str, incoming: Sequence[IncomingFile]) -> list[StagedFile]:
        """Write, hash and identify the files under the course's folder; touches no database.

        Until `register` commits they are no document: it (or this, on a refusal) removes them.
        """
        if not is_id(course_id):
            raise NotFound("course not found")
        if not incoming:
            raise InvalidInput("no files in the request: send them as multipart field 'files'")
        if len(incoming) > self.settings.max_files_per_request:
            raise InvalidInput(
                f"too many files: {len(incoming)} (limit {self.settings.max_files_per_request} per request)"
            )
        staged: list[StagedFile] = []
        try:
            total = 0
            for item in incoming:
                saved = await self._store_one(course_id, item, total)
                total += saved.size
                staged.append(StagedFile(display_name(item.filename), saved, ""))
                staged[-1].kind = await asyncio.to_thread(detect_kind, saved, item.filename)
                staged[-1].active = await asyncio.to_thread(active_content.scan, saved.path, staged[-1].kind)
        except BaseException:
            # Nothing of a refused request stays behind; earlier uploads are untouched.
            self.discard(staged)
            raise
        return staged

    async def register(self, principal: Principal, course_id: str, staged: Sequence[StagedFile]) -> UploadResult:
        """The documents and their ingest job, in the caller's transaction."""
        try:
            course = await self.courses.get_manageable(principal, course_id)
            documents = [await self._register(course.id, f) for f in staged]
            job = await self.jobs.create(
                JobKind.INGEST,
                course_id=course.id,
                created_by=principal.user_id,
                payload={"document_ids": [d.id for d in documents], "warnings": active_warnings(staged)},
                max_attempts=self.settings.job_max_attempts,
            )
        except BaseException:
            self.discard(staged)
            raise
        return UploadResult(documents, job)

    def discard(self, staged: Sequence[StagedFile]) -> None:
        for f in staged:
            self.files.delete(f.saved.storage_name)

    async def _store_one(self, course_id: str, item: IncomingFile, total_so_far: int) -> StoredFile:
        name = display_name(item.filename)
        limit = int(self.settings.max_file_mb * MB)
        remaining_total = int(self.settings.max_request_mb * MB) - total_so_far
        if remaining_total <= 0:
            raise TooLarge(f"the request is larger than the limit of {self.settings.max_request_mb:g} MB")
        saved = await self.files.save(
            f"{course_id}/{new_id()}", item.chunks, max_bytes=min(limit, remaining_total), label=name
        )
        if saved.size == 0:
            self.files.delete(saved.storage_name)
            raise InvalidInput(f"{name} is empty")
        return saved

    async def _register(self, course_id: str, staged: StagedFile) -> Document:
        saved = staged.saved
        duplicate = await self.documents.find_by_sha(course_id, saved.sha256)
        if duplicate is not None:
            raise Conflict(
                f"{staged.name} is already in this course as {duplicate.original_name}",
                details={"document_id": duplicate.id},
            )
        document = Document(
            id=saved.storage_name.rsplit("/", 1)[-1],
            course_id=course_id,
            original_name=staged.name,
            storage_name=saved.storage_name,
            sha256=saved.sha256,
            size_bytes=saved.size,
            file_type=staged.kind,
        )
        self.documents.add(document)
        await self.session.flush()
        return document

    async def list(self, principal: Principal, course_id: str) -> list[Document]:
        await self.courses.get_manageable(principal, course_id)
        return await self.documents.list_for_course(course_id)

    async def get(self, principal: Principal, course_id: str, document_id: str) -> Document:
        await self.courses.get_visible(principal, course_id)
        document = await self.documents.get_in_course(course_id, document_id)
        if document is None:
            raise NotFound("document not found")
        return document

    async def page_image(
        self,
        principal: Principal,
        course_id: str,
        document_id: str,
        page: int,
        cache: PageCache,
        before_render: Callable[[], Awaitable[None]] | None = None,
    ) -> bytes:
        """A cited page as a PNG (PDFs only), rendered once and kept beside the file.

        `before_render` runs only when the page must be rendered (the per-user render limit):
        a cached page costs a file read and is not counted.
        """
        document = await self.get(principal, course_id, document_id)
        if document.file_type != "pdf":
            raise NotFound("page images exist for PDF documents only")
        source = self.files.path_of(document.storage_name)
        cached = await asyncio.to_thread(cache.get, source, page)
        if cached is not None:
            return cached
        if before_render is not None:
            await before_render()
        try:
            png = await asyncio.to_thread(
                render_page,
                source,
                page,
                max_pixels=self.settings.page_image_max_pixels,
                max_side_px=self.settings.page_image_max_side_px,
            )
        except ParseError as exc:
            raise NotFound(str(exc)) from exc
        await asyncio.to_thread(cache.put, source, page, png)
        return png

    async def delete(self, principal: Principal, course_id: str, document_id: str) -> Job:
        await self.courses.get_manageable(principal, course_id)
        document = await self.documents.get_in_course(course_id, document_id)
        if document is None:
            raise NotFound("document not found")
        await self.documents.delete(document)
        # Vectors, the file and the lessons built on it go in a job: the request stays fast.
        return await self.jobs.create(
            JobKind.INGEST,
            course_id=course_id,
            created_by=principal.user_id,
            payload={"document_ids": [], "removed": [{"id": document.id, "storage_name": document.storage_name}]},
            max_attempts=self.settings.job_max_attempts,
            message=f"removing {document.original_name}",
        )


def active_warnings(staged: Sequence[StagedFile]) -> list[str]:
    """One sentence per file holding active content, for the teacher (the job's warnings)."""
    return [
        f"{f.name}: {'; '.join(f.active)}. It is taught from its text and never served to run: "
        "students see its pages as images and the original only downloads as a file."
        for f in staged
        if f.active
    ]


def is_id(value: str) -> bool:
    """Whether `value` has the form of our ids (32 hex digits), so it is safe as a folder name."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def display_name(filename: str) -> str:
    """The uploaded name, for display only: path parts and control characters removed."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "unnamed"


def detect_kind(saved: StoredFile, filename: str) -> str:
    try:
        return detect_type(saved.path, filename)
    except ParseError as exc:
        raise UnsupportedMedia(f"{display_name(filename)}: {exc}") from exc

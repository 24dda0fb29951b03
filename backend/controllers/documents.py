from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.response import File

from backend.db import ServicesDep, SessionDep
from backend.headers import FILE_CSP
from backend.rate_limits import acquire, in_flight, per_user
from backend.schemas.courses import DocumentOut, UploadOut
from backend.schemas.jobs import JobOut
from backend.uploads import files_from_form
from core.security.concurrency import Kind
from core.security.principal import Principal
from core.security.rate_limits import Rule
from core.services.documents import DocumentService

PrincipalRequest = Request[Principal, Any, Any]

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "html": "text/plain; charset=utf-8",  # never served as HTML: it is untrusted content
}


class DocumentController(Controller):
    path = "/api/v1/courses/{course_id:str}/documents"
    tags = ["documents"]

    @post(
        "/",
        status_code=202,
        guards=[per_user(Rule.UPLOAD)],
        summary="Upload one or more files (multipart field 'files'); starts a job",
    )
    async def upload(
        self, course_id: str, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> UploadOut:
        async with in_flight(svc, Kind.UPLOAD, request.user.user_id):
            incoming, _ = await files_from_form(request)
            result = await DocumentService(session, svc.settings, svc.files).upload(request.user, course_id, incoming)
        return UploadOut(JobOut.of(result.job), [DocumentOut.of(d) for d in result.documents])

    @get("/", summary="The course's documents with their processing status")
    async def list_documents(
        self, course_id: str, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> list[DocumentOut]:
        docs = await DocumentService(session, svc.settings, svc.files).list(request.user, course_id)
        return [DocumentOut.of(d) for d in docs]

    @get("/{document_id:str}", summary="One document")
    async def get_document(
        self, course_id: str, document_id: str, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> DocumentOut:
        doc = await DocumentService(session, svc.settings, svc.files).get(request.user, course_id, document_id)
        return DocumentOut.of(doc)

    @get("/{document_id:str}/file", summary="Download the original file, as an attachment (students of the course too)")
    async def download(
        self, course_id: str, document_id: str, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> File:
        doc = await DocumentService(session, svc.settings, svc.files).get(request.user, course_id, document_id)
        return File(
            path=svc.files.path_of(doc.storage_name),
            filename=doc.original_name,
            media_type=MEDIA_TYPES.get(doc.file_type, "application/octet-stream"),
            # Saved, never rendered in the API's origin; a browser that opens it anyway runs nothing.
            content_disposition_type="attachment",
            headers={"Content-Security-Policy": FILE_CSP},
        )

    @get(
        "/{document_id:str}/pages/{page:int}",
        summary="One page of a PDF as a PNG image (to show a cited page)",
        media_type="image/png",
    )
    async def page_image(
        self,
        course_id: str,
        document_id: str,
        page: int,
        request: PrincipalRequest,
        session: SessionDep,
        svc: ServicesDep,
    ) -> Response[bytes]:
        service = DocumentService(session, svc.settings, svc.files)

        async def count_render() -> None:
            await acquire(svc, Rule.PAGE_RENDER, request.user.user_id)

        png = await service.page_image(
            request.user, course_id, document_id, page, svc.page_images, before_render=count_render
        )
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @delete("/{document_id:str}", status_code=202, summary="Remove a document; a job re-indexes the course")
    async def delete_document(
        self, course_id: str, document_id: str, request: PrincipalRequest, session: SessionDep, svc: ServicesDep
    ) -> JobOut:
        job = await DocumentService(session, svc.settings, svc.files).delete(request.user, course_id, document_id)
        return JobOut.of(job)

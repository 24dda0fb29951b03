"""What every citation tells about the document it cites: its name and its file type.

The file type (pdf, docx, pptx, md, txt, html) is the one detected from the upload's content, so a
client can tell whether a cited page is a real PDF page the API can render, whatever the name says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.db.models.documents import Document


@dataclass(frozen=True)
class DocumentRef:
    name: str
    file_type: str


def document_refs(documents: Iterable[Document]) -> dict[str, DocumentRef]:
    """Document id -> what its citations show of it."""
    return {d.id: DocumentRef(d.original_name, d.file_type) for d in documents}

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from backend.schemas.common import Input
from core.db.models.chat import ChatMessage, ChatSession
from core.services.chat import ChatReply

Question = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
SessionId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
LanguageCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")]


class ChatIn(Input):
    question: Question
    session_id: SessionId | None = None
    # The student's language (core/languages.py SUPPORTED); left out, the question's own.
    language: LanguageCode | None = None


class LegacyChatIn(Input):
    course_id: SessionId
    question: Question
    session_id: SessionId | None = None
    language: LanguageCode | None = None


class CitationOut(msgspec.Struct):
    """[n] in the answer resolves to the citation numbered n: a page a student can open."""

    n: int
    document_id: str
    document_name: str
    page: int
    quote: str
    # pdf, docx, pptx, md, txt or html, detected from the file's content (only a pdf has page images);
    # null in answers stored before citations carried it, and for a removed document.
    file_type: str | None = None

    @classmethod
    def many(cls, raw: list[dict[str, Any]]) -> list[CitationOut]:
        return [msgspec.convert(c, cls) for c in raw or []]


class ChatOut(msgspec.Struct):
    session_id: str
    message_id: str
    answer: str
    citations: list[CitationOut]
    mode: str  # extractive | llm | general | not_covered
    language: str  # the answer's: the student's with a model; offline, the material's it quotes
    material_language: str  # the language the course material cited is written in

    @classmethod
    def of(cls, r: ChatReply) -> ChatOut:
        return cls(
            r.session_id, r.message_id, r.answer, CitationOut.many(r.citations), r.mode, r.language,
            r.material_language,
        )


class ChatSessionOut(msgspec.Struct):
    id: str
    course_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int | None = None

    @classmethod
    def of(cls, s: ChatSession, count: int | None = None) -> ChatSessionOut:
        return cls(s.id, s.course_id, s.title, s.created_at, s.updated_at, count)


class ChatMessageOut(msgspec.Struct):
    id: str
    role: str
    content: str
    citations: list[CitationOut]
    language: str
    created_at: datetime

    @classmethod
    def of(cls, m: ChatMessage) -> ChatMessageOut:
        return cls(m.id, m.role, m.content, CitationOut.many(m.citations), m.language, m.created_at)


class ChatSessionDetailOut(msgspec.Struct):
    session: ChatSessionOut
    messages: list[ChatMessageOut]

"""The course tutor: grounded answers with numbered citations, streamed, kept per session.

A turn has two short transactions around the slow part: `prepare` checks access and reads
the session's history, then the answer streams (an LLM call may take a minute) with no
transaction open, and `_persist` writes the question and the answer together, grouped
with the other turns finishing at the same time (core/services/chat_writes.py). Holding one
request transaction across the stream would lock SQLite's single writer for that long.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models.chat import ChatMessage, ChatSession
from core.db.models.courses import Course
from core.db.read_pool import ReadPool
from core.errors import InvalidInput, NotFound, ServiceUnavailable, UnsupportedLanguage
from core.generation.extractive import Sentence
from core.languages import SUPPORTED, canonical, detect_language
from core.repositories.chat import ChatRepository
from core.repositories.tutor_reads import TutorReads
from core.security.principal import Principal
from core.services.chat_writes import SESSION_NOT_FOUND, ChatWriter, TurnRecord
from core.services.citations import DocumentRef, document_refs
from core.services.courses import COURSE_NOT_FOUND, CourseService, can_see_course
from core.services.llm_chat import LLMAnswerer, build_messages, translate_question
from core.services.passages import (
    SENTENCE_FLOOR,
    Cited,
    PageIndexCache,
    candidates,
    fallback_quote,
    passage_text,
    pick,
    rank_candidates,
    word_span,
)
from core.services.question_kinds import HOW, code_after, question_kind
from core.services.retrieval import Retriever, Vector
from core.services.scope import out_of_scope
from core.services.tutor_phrases import lead_line, nearby, not_covered
from core.settings import Settings
from core.storage import FileStore
from core.vectors.store import SearchHit

NOT_COVERED = not_covered("en")
GENERAL_PREFIX = "General knowledge (not from the course material): "
MAX_QUESTION_CHARS = 2000
MAX_CITATIONS = 5
E5_SENTENCE_FLOOR = 0.78  # the sentence floor in e5's space (its cosines sit ~0.45 higher than MiniLM's)
# Follow-ups like "and why is that?" carry no topic of their own: retrieval adds the last question.
_ANAPHORA = re.compile(r"^(?:and|but|so|what about|how about|why|it|that|this|those|these|they|them|its)\b", re.I)
log = logging.getLogger(__name__)


@dataclass
class Turn:
    """Everything an answer needs, read in `prepare`; no database object escapes it."""

    user_id: str
    course_id: str
    course_title: str
    question: str
    language: str  # the student's: the one asked for, else the question's own
    session_id: str | None  # None: a new session is created with the answer
    history: list[tuple[str, str]]
    mode: str  # extractive | llm | general | not_covered
    citations: list[Cited] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)  # LLM context, numbered like citations
    extractive: list[str] = field(default_factory=list)  # offline answer sentences, [n] = index + 1
    material_language: str = "en"  # the language the course material (and its quotes) is in
    nearby: list[str] = field(default_factory=list)  # sections close to a declined question

    @property
    def answer_language(self) -> str:
        """The language the answer is written in: the student's when a model writes it; offline,
        the material's, which it quotes. Speech of the answer uses this voice."""
        return self.language if self.mode in ("llm", "general") else self.material_language


@dataclass
class ChatReply:
    session_id: str
    message_id: str
    answer: str
    citations: list[dict[str, Any]]
    mode: str
    language: str
    material_language: str = "en"


def cite(refs: dict[str, DocumentRef], document_id: str, page: int, quote: str) -> Cited:
    ref = refs.get(document_id)
    return Cited(document_id, ref.name if ref else "", page, quote, ref.file_type if ref else None)


def retrieval_query(question: str, history: list[tuple[str, str]]) -> str:
    last_user = next((c for r, c in reversed(history) if r == "user"), "")
    if last_user and (len(question.split()) <= 5 or _ANAPHORA.match(question)):
        return f"{last_user} {question}"
    return question


def student_language(language: str | None, question: str) -> str:
    """The language to answer in: the one asked for, else the question's; a 400 listing the
    supported ones for anything else."""
    if language is None:
        return detect_language(question)
    code = canonical(language)
    if code not in SUPPORTED:
        raise UnsupportedLanguage(
            f"unsupported language {language!r}; use one of {', '.join(SUPPORTED)}", details={"supported": SUPPORTED}
        )
    return code


_REFERS_BACK = re.compile(r"^(it|this|that|these|those|they|such|then|otherwise|however|so)\b", re.I)


def with_antecedent(sentence: Sentence, located: Sequence[Sentence], chosen: Sequence[Sentence]) -> str:
    """A sentence that opens with "It", "This", ... with the sentence it refers to before it:
    "It can be used when a statement is required..." says nothing without "The pass statement
    does nothing." (the answer) just before it."""
    if not _REFERS_BACK.match(sentence.text):
        return sentence.text
    i = next((n for n, s in enumerate(located) if s is sentence), -1)
    before = located[i - 1] if i > 0 else None
    if before is None or before.paragraph != sentence.paragraph or any(before is c for c in chosen):
        return sentence.text
    return f"{before.text} {sentence.text}"


def with_follower(text: str, sentence: Sentence, located: Sequence[Sentence], chosen: Sequence[Sentence]) -> str:
    """The best sentence and the next one of its paragraph: a passage's key sentence is often
    completed by the next ("...return a value, albeit a rather boring one." "This value is
    called None")."""
    i = next((n for n, s in enumerate(located) if s is sentence), -1)
    after = located[i + 1] if 0 <= i < len(located) - 1 else None
    if after is None or after.paragraph != sentence.paragraph or any(after is c for c in chosen):
        return text
    return f"{text} {after.text}"


def nearby_topics(hits: Sequence[SearchHit], limit: int = 3) -> list[str]:
    """The sections of the closest chunks, for a declined answer: what the course does cover."""
    seen: list[str] = []
    for hit in hits:
        title = " ".join(hit.section.split())
        if title and title not in seen:
            seen.append(title)
    return seen[:limit]


class ChatService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings, retriever: Retriever,
                 files: FileStore, reads: ReadPool, pages: PageIndexCache | None = None, *,
                 writer: ChatWriter, answerer: LLMAnswerer | None = None) -> None:
        self.sessions = sessions
        # The process's writer (turns are grouped across requests) and LLM client (one
        # connection pool), both from the composition root.
        self.writer = writer
        self.answerer = answerer
        # The reads before an answer go past the ORM, one statement per hop, and never queue
        # behind writers (core/repositories/tutor_reads.py).
        self.reads = TutorReads(reads)
        self.settings = settings
        self.retriever = retriever
        self.pages = pages or PageIndexCache(files)

    async def check_course(self, principal: Principal, course_id: str) -> Course:
        """The course, or NotFound unless the caller may chat about it (exactly like a missing id)."""
        found = await self.reads.course(course_id, principal.user_id)
        if found is None or not can_see_course(principal, *found):
            raise NotFound(COURSE_NOT_FOUND)
        return found[0]

    # --- a turn --------------------------------------------------------------------
    async def prepare(self, principal: Principal, course_id: str, question: str,
                      session_id: str | None = None, language: str | None = None) -> Turn:
        question = " ".join((question or "").split())
        if not question:
            raise InvalidInput("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise InvalidInput(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        language = student_language(language, question)
        # Access first: another user's course answers 404 before anything is searched.
        course = await self.check_course(principal, course_id)
        history: list[tuple[str, str]] = []
        if session_id is not None:
            if await self.reads.session_course(session_id, principal.user_id) != course.id:
                raise NotFound(SESSION_NOT_FOUND)
            history = await self.reads.history(session_id)
        documents = await self.reads.ready_documents(course.id)
        general = course.allow_general_knowledge
        turn = Turn(principal.user_id, course.id, course.title, question, language, session_id, history, "")
        tutor = await self.pages.get(course_id, documents)
        turn.material_language = tutor.material_language
        llm = self.settings.llm_provider == "openai"
        asked_in = detect_language(question)
        query = retrieval_query(question, history)
        # MiniLM and BM25 only match within one language (and MiniLM only English): e5 takes
        # over when the question and the material differ, or neither is English.
        across = asked_in != turn.material_language or asked_in != "en"
        cross = tutor.cross if across else None
        search_query = query
        if across and llm and self.answerer is not None:
            search_query = await translate_question(self.answerer, query, turn.material_language)
        found = await self.retriever.search(course_id, search_query, k=5, cross=cross, original=query)
        hits = found.hits
        latin = asked_in in ("de", "fr", "es")
        reason = out_of_scope(question, tutor.vocabulary, tutor.subject, latin, tutor.beginnings)
        if hits and reason:
            log.info("declined a question outside the course (%s)", reason)
            hits = []
        if not hits:
            turn.mode = "general" if general and llm else "not_covered"
            turn.nearby = nearby_topics(found.candidates)
            return turn
        refs = document_refs(documents)
        e5 = found.space == "e5"

        async def embed(texts: Sequence[str]) -> list[Vector]:
            return await self.retriever.embed(texts, known=tutor.known(texts))

        found_sentences = candidates(hits, course_id, tutor.pages, tutor.located)
        kind = question_kind(search_query if search_query != query else question)
        scores = None
        if e5 and tutor.cross is not None and found.window_scores is not None:
            # Across languages a sentence scores as the best window of the course around it.
            cross, windows = tutor.cross, found.window_scores
            scores = [cross.span_score(windows, c.sentence.chunk.id, *word_span(c.sentence)) for c in found_sentences]
        ranked = await rank_candidates(search_query, found.query_vector, found_sentences, embed, kind, scores)
        # The quotes' language: the best passage's document's (a course may mix languages).
        turn.material_language = tutor.languages.get(hits[0].document_id, turn.material_language)
        if llm:
            turn.mode = "llm"
            for hit in hits:
                best = next((c for c in ranked if c.sentence.chunk.id == hit.chunk_id), None)
                where = (best.sentence.page, best.sentence.quote) if best else (hit.page_start, fallback_quote(hit))
                page, quote = where
                turn.citations.append(cite(refs, hit.document_id, page, quote))
                turn.passages.append(passage_text(hit))
            return turn
        turn.mode = "extractive"
        floor = E5_SENTENCE_FLOOR if e5 else SENTENCE_FLOOR
        # Across languages a sentence scores as its window, so a chunk's sentences tie: one per
        # chunk lets five chunks be cited.
        chosen = pick(ranked, limit=MAX_CITATIONS, floor=floor, per_chunk=1 if e5 else 2)
        for i, c in enumerate(chosen):
            s = c.sentence
            turn.citations.append(cite(refs, s.chunk.document_id, s.page, s.quote))
            code = code_after(s) if kind == HOW and i < 2 else ""
            # A "how do I" answer shows the code its steps describe, under the same citation.
            located = tutor.located.get(s.chunk.id, [])
            text = with_antecedent(s, located, [o.sentence for o in chosen])
            if i == 0:  # the best passage goes on to the end of its thought
                text = with_follower(text, s, located, [o.sentence for o in chosen])
            turn.extractive.append(s.label + text + (f"\n\n```\n{code}\n```\n" if code else ""))
        if not turn.extractive:  # relevant chunks, but no prose sentence in them: quote the best one
            hit = hits[0]
            quote = fallback_quote(hit)
            turn.citations.append(cite(refs, hit.document_id, hit.page_start, quote))
            turn.extractive.append(quote)
        return turn

    async def stream(self, turn: Turn) -> AsyncIterator[dict[str, Any]]:
        """Events: token*, citations, done. Errors raise (DomainError) before anything is stored."""
        parts: list[str] = []
        async for text in self._answer(turn):
            parts.append(text)
            yield {"type": "token", "text": text}
        answer = "".join(parts).strip()
        cited = [c.as_dict(i) for i, c in enumerate(turn.citations, 1)]
        yield {"type": "citations", "citations": cited, "mode": turn.mode}
        session_id, message_id = await self._persist(turn, answer, cited)
        yield {"type": "done", "message_id": message_id, "session_id": session_id, "mode": turn.mode,
               "language": turn.answer_language, "material_language": turn.material_language}

    async def ask(self, principal: Principal, course_id: str, question: str,
                  session_id: str | None = None, language: str | None = None) -> ChatReply:
        turn = await self.prepare(principal, course_id, question, session_id, language)
        parts: list[str] = []
        done: dict[str, Any] = {}
        cited: list[dict[str, Any]] = []
        async for event in self.stream(turn):
            if event["type"] == "token":
                parts.append(event["text"])
            elif event["type"] == "citations":
                cited = event["citations"]
            else:
                done = event
        return ChatReply(done["session_id"], done["message_id"], "".join(parts).strip(), cited, turn.mode,
                         turn.answer_language, turn.material_language)

    async def _answer(self, turn: Turn) -> AsyncIterator[str]:
        if turn.mode == "not_covered":
            yield not_covered(turn.language)
            if turn.nearby:
                yield " " + nearby(turn.language, turn.nearby)
        elif turn.mode == "extractive":
            yield lead_line(turn.language, turn.material_language) + "\n\n"
            for i, sentence in enumerate(turn.extractive, 1):
                # Sentence-sized pieces: the client renders progressively, as it would with an LLM.
                code = sentence.find("\n\n```")
                text = f"{sentence[:code]} [{i}]{sentence[code:]}" if code >= 0 else f"{sentence} [{i}]"
                yield text + (" " if i < len(turn.extractive) else "")
        else:
            messages = build_messages(turn.course_title, turn.question, turn.language, turn.passages, turn.history)
            # The general-knowledge label goes out with the first delta, never before: a model
            # that fails at once must leave no partial answer behind.
            prefix = GENERAL_PREFIX if turn.mode == "general" else ""
            if self.answerer is None:
                raise ServiceUnavailable("no language model is configured for this answer")
            async for text in self.answerer.stream(messages):
                yield prefix + text
                prefix = ""

    async def _persist(self, turn: Turn, answer: str, cited: list[dict[str, Any]]) -> tuple[str, str]:
        record = TurnRecord(turn.user_id, turn.course_id, turn.session_id, turn.question, answer, cited,
                            turn.language, turn.answer_language)
        return await self.writer.write(record)


_Owned = TypeVar("_Owned", ChatSession, ChatMessage)


class ChatHistory:
    """Read side, on the request's own transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.chats = ChatRepository(session)

    async def sessions(self, principal: Principal, course_id: str) -> list[tuple[ChatSession, int]]:
        await CourseService(self.session).get_visible(principal, course_id)
        return await self.chats.sessions_of(course_id, principal.user_id)

    async def messages(self, principal: Principal, session_id: str) -> tuple[ChatSession, list[ChatMessage]]:
        chat = await self._still_visible(principal, await self.chats.get_owned(session_id, principal.user_id),
                                         SESSION_NOT_FOUND)
        return chat, await self.chats.messages_of(chat.id)

    async def message(self, principal: Principal, message_id: str) -> ChatMessage:
        """One of the caller's own messages, in a course they can still see; NotFound otherwise."""
        owned = await self.chats.message_owned(message_id, principal.user_id)
        return await self._still_visible(principal, owned, "chat message not found")

    async def _still_visible(self, principal: Principal, owned: _Owned | None, not_found: str) -> _Owned:
        """`owned` unless it is missing or its course is one the caller has since lost access to:
        both look exactly like no such thing."""
        if owned is None:
            raise NotFound(not_found)
        try:
            await CourseService(self.session).get_visible(principal, owned.course_id)
        except NotFound:
            raise NotFound(not_found) from None
        return owned

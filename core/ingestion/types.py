"""Value objects that flow through the ingestion and generation pipeline.

They carry no database identity: the pipeline is pure, the job layer persists.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ParseError(Exception):
    """A file that can't become text: the message is shown to the teacher as is."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int  # 1-based page (slide) number
    kind: str = "text"  # "code": a listing or session whose line breaks and indentation are kept


@dataclass
class Section:
    """A heading and the paragraphs under it, in reading order."""

    title: str
    level: int  # 1 = top level (chapter); 0 = text before any heading
    paragraphs: list[Paragraph] = field(default_factory=list)
    path: tuple[str, ...] = ()  # titles of enclosing sections, outermost first, this one last

    @property
    def page_start(self) -> int:
        return self.paragraphs[0].page if self.paragraphs else 0

    @property
    def page_end(self) -> int:
        return self.paragraphs[-1].page if self.paragraphs else 0

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass
class ParsedDocument:
    title: str
    page_count: int
    pages: list[str]  # full text of each page; pages[0] is page 1
    sections: list[Section]
    has_outline: bool = False  # headings came from the file's own outline (bookmarks, styles, slide titles)


@dataclass(frozen=True)
class Chunk:
    id: str  # deterministic: same document + same position + same text -> same id
    document_id: str
    course_id: str
    ordinal: int  # position within the document
    section: str  # " > ".join(section path)
    page_start: int
    page_end: int
    text: str


@dataclass(frozen=True)
class Citation:
    document_id: str
    page: int
    quote: str


@dataclass
class LessonDraft:
    title: str
    chunks: list[Chunk]


@dataclass
class ModuleDraft:
    title: str
    lessons: list[LessonDraft]


@dataclass
class LessonText:
    body: str  # markdown; citation markers like [1] refer to `citations` (1-based)
    citations: list[Citation]
    summary: str = ""


@dataclass
class QuestionDraft:
    prompt: str
    options: list[str]  # exactly 4
    answer_index: int  # 0..3
    explanation: str
    citation: Citation
    # cloze | definition | true_statement | code_output (offline); an LLM's are labelled likewise
    # or "concept". Recorded so a teacher (and the benchmark) can count the kinds in a quiz.
    kind: str = "cloze"

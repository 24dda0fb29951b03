"""Would a teacher publish the course? Builds each document's course offline and measures it.

Run: .venv/bin/python -m bench.course_quality [files...]   (default: the fixture documents)

Parse -> chunk -> outline -> lessons -> quizzes through the job's own functions
(core/pipeline/generation.py, with the writer the settings choose: offline by default), no
servers, no database. Per document it prints: chapters that got a module of their own, modules
made of front or back matter, near-empty lessons, code blocks kept against code blocks in the
source, quiz items per kind, distractors of the answer's phrase type, lesson quotes found as
printed on their cited page, and the wall time.
"""

from __future__ import annotations

import asyncio
import ctypes
import re
import sys
import time
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from core.generation.outline import build_outline, clean_title, wordset
from core.generation.quiz import extract_terms
from core.ingestion.parser import parse_document_inline
from core.ingestion.types import ParsedDocument, QuestionDraft
from core.pipeline.deps import PipelineDeps, build_writer
from core.pipeline.generation import CoursePlan, _plan, _write_lessons, _write_quizzes
from core.pipeline.job_context import JobContext
from core.pipeline.steps import chunks_of
from core.settings import Settings
from tests.fixtures_path import FIXTURES

DEFAULT_FILES = (
    *("python-tutorial-3.11.pdf", "nlp_11-transformers.pdf", "multicolumn.pdf", "pdflatex-outline.pdf"),
    *("errors-and-exceptions.docx", "data-structures.pptx", "input-output.md"),
    *("lshort-6.4.pdf", "discrete-maths-notes.pdf"),
)
SHORT_LESSON_WORDS = 40
_MATTER = re.compile(
    r"^(?:title page|copyright|(?:table of )?contents|list of (?:figures|tables|listings)|indexe?s?|"
    r"bibliography|references|further reading|acknowledge?ments?|thank you|preface|foreword|colophon|"
    r"about the authors?)$"
)
_MONO = re.compile(r"mono|typewriter|courier|cmtt|consol|menlo|code", re.I)
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_DETERMINERS = wordset("a an the this that these those some many several all each every any most few two three")
_NOT_NOUNS = wordset("sure later long much well also again too less only even yet still here there now soon")
_IDENT = re.compile(r"[\w.]*(?:[_.()\[\]]|[a-z][A-Z])[\w.()\[\]]*")


def norm(text: str) -> str:
    return " ".join(text.replace("\ufffe", "-").replace("\u00ad", "").split())


def title_key(title: str) -> str:
    return re.sub(r"[^\w ]", "", clean_title(title).casefold()).strip()


def is_matter(title: str, doc_title: str = "") -> bool:
    """Front or back matter by its title (a module titled as the document itself is its title page)."""
    key = title_key(title)
    return bool(_MATTER.match(key)) or (bool(doc_title) and key == title_key(doc_title))


def chapter_coverage(chapters: Sequence[str], module_titles: Sequence[str]) -> tuple[int, int]:
    """(chapters with a module of their own, chapters): a module titled as the chapter, or 'chapter (i/n)'."""
    keys = [title_key(t) for t in module_titles]
    wanted = [title_key(c) for c in chapters if not is_matter(c)]
    own = sum(any(k == c or (k.startswith(f"{c} ") and k[len(c) + 1 :].isdigit()) for k in keys) for c in wanted)
    return own, len(wanted)


def body_words(markdown: str) -> int:
    """Words a student reads: no code blocks, citation markers or heading marks."""
    text = _FENCE.sub(" ", markdown)
    text = re.sub(r"\[\d+\]|^#+ ", " ", text, flags=re.M)
    return len(text.split())


def fenced_blocks(markdown: str) -> int:
    return len(_FENCE.findall(markdown))


def runs(flags: Iterable[bool]) -> int:
    """Number of maximal runs of True: consecutive code lines are one block."""
    count, prev = 0, False
    for flag in flags:
        count += flag and not prev
        prev = flag
    return count


def question_kind(prompt: str) -> str:
    p = prompt.casefold()
    if "_____" in p or p.startswith("fill in"):
        return "blank"
    if "described as" in p or "which term" in p or "defined as" in p:
        return "definition"
    if re.search(r"\b(?:output|print|result of|evaluate)", p):
        return "code-output"
    if re.search(r"\b(?:true|correct|false)\b", p):
        return "true-statement"
    return "other"


def phrase_type(text: str) -> tuple[str, str, str]:
    """(token kind, class of the first word, class of the last): code identifier / word / phrase;
    a determiner or number first ("these packages"); last word -ing/-ed/-ly/-s or a non-noun ("too long")."""
    t = text.strip()
    kind = "code" if _IDENT.fullmatch(t) else "phrase" if " " in t else "word"
    first, last = (t.split()[0].casefold(), t.split()[-1].casefold()) if t.split() else ("", "")
    lead = "det" if kind == "phrase" and (first in _DETERMINERS or first.isdigit()) else ""
    suffix = next((s for s in ("ing", "ed", "ly", "s") if last.endswith(s) and len(last) > len(s) + 2), "")
    return kind, lead, "non-noun" if kind != "code" and last in _NOT_NOUNS else suffix


def distractors_matching(question: QuestionDraft) -> tuple[int, int]:
    """(distractors of the answer's phrase type and similar length: 0.5-2x or within 3 characters, distractors)."""
    answer = question.options[question.answer_index]
    wrong = [o for i, o in enumerate(question.options) if i != question.answer_index]
    ok = sum(phrase_type(o) == phrase_type(answer) and _similar_length(o, answer) for o in wrong)
    return ok, len(wrong)


def _similar_length(a: str, b: str) -> bool:
    return abs(len(a) - len(b)) <= 3 or 0.5 <= len(a) / max(1, len(b)) <= 2


def quote_on_page(quote: str, page_text: str) -> bool:
    return bool(norm(quote)) and norm(quote) in norm(page_text)


def _pdf_code_lines(path: Path) -> list[list[bool]]:
    """Per page, per text line: is it (>= 80 % of its visible characters) in a monospace font?"""
    pages: list[list[bool]] = []
    buf = ctypes.create_string_buffer(256)
    pdf = pdfium.PdfDocument(path)
    for page_no in range(len(pdf)):
        text = pdf[page_no].get_textpage()
        lines: list[bool] = []
        mono = total = 0
        for i in range(pdfium_c.FPDFText_CountChars(text.raw)):
            ch = pdfium_c.FPDFText_GetUnicode(text.raw, i)
            if ch in (10, 13):
                if total:
                    lines.append(total >= 3 and mono >= 0.8 * total)
                mono = total = 0
            elif ch > 32:
                pdfium_c.FPDFText_GetFontInfo(text.raw, i, buf, 256, None)
                total += 1
                mono += bool(_MONO.search(buf.value.decode(errors="replace")))
        if total:
            lines.append(total >= 3 and mono >= 0.8 * total)
        pages.append(lines)
    return pages


def source_code_blocks(path: Path, skip_pages: Collection[int] = ()) -> int:
    """Code blocks in the source: monospace line runs (PDF), code styles or fonts (DOCX, PPTX), fences (MD)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return sum(runs(lines) for no, lines in enumerate(_pdf_code_lines(path), 1) if no not in skip_pages)
    if suffix == ".docx":
        import docx

        doc = docx.Document(str(path))
        return runs("code" in (p.style.name if p.style else "").casefold() for p in doc.paragraphs)
    if suffix == ".pptx":
        import pptx

        deck = pptx.Presentation(str(path))
        frames = [s.text_frame for slide in deck.slides for s in slide.shapes if s.has_text_frame]
        return sum(
            runs(bool(p.runs) and all(_MONO.search(r.font.name or "") for r in p.runs) for p in f.paragraphs)
            for f in frames
        )
    if suffix in (".md", ".markdown"):
        from markdown_it import MarkdownIt

        return sum(t.type in ("fence", "code_block") for t in MarkdownIt().parse(path.read_text()))
    return 0


Heading = tuple[int, str, int]  # level (1 = top), title, first page


def headings(path: Path, parsed: ParsedDocument) -> list[Heading]:
    """A PDF's bookmarks, else the parser's headings that hold some text (in their subsections too)."""
    if path.suffix.lower() == ".pdf":
        toc = pdfium.PdfDocument(path).get_toc()
        marks = [(b.level + 1, b.get_title(), (d.get_index() or 0) + 1 if (d := b.get_dest()) else 0) for b in toc]
        if marks:
            return marks
    out, secs = [], parsed.sections
    for i, sec in enumerate(secs):
        end = next((j for j in range(i + 1, len(secs)) if secs[j].level <= sec.level), len(secs))
        if sec.level >= 1 and sum(len(t.text.split()) for t in secs[i:end]) >= SHORT_LESSON_WORDS:
            out.append((sec.level, sec.title, sec.page_start))
    return out


def top_chapters(marks: Sequence[Heading], doc_title: str) -> list[str]:
    """Titles at the top level that has any besides front/back matter and the document's own title
    (a book's single root bookmark). A one-chapter document has one chapter: it should be one module."""
    for level in sorted({m[0] for m in marks}):
        titles = [t for lv, t, _ in marks if lv == level and not is_matter(t, doc_title)]
        if titles:
            return titles
    return []


def matter_pages(marks: Sequence[Heading], doc_title: str, page_count: int) -> set[int]:
    """Pages of top-level front and back matter (and before the first heading): an index is no code."""
    top = sorted((p, t) for lv, t, p in marks if lv == min(m[0] for m in marks))
    if not top:
        return set()
    pages = set(range(1, top[0][0]))
    for (page, title), (end, _) in zip(top, [*top[1:], (page_count + 1, "")], strict=True):
        if is_matter(title, doc_title):
            pages.update(range(page, end))
    return pages


@dataclass
class Report:
    name: str
    pages: int = 0
    modules: list[str] = field(default_factory=list)
    chapters: tuple[int, int] = (0, 0)
    matter: list[str] = field(default_factory=list)
    lessons: int = 0
    short_lessons: int = 0
    code_kept: int = 0
    code_source: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    distractors: tuple[int, int] = (0, 0)
    quotes: tuple[int, int] = (0, 0)
    seconds: float = 0.0


async def _noop(stage: str, percent: int, message: str) -> None: ...


async def build_course(path: Path, settings: Settings) -> tuple[ParsedDocument, CoursePlan]:
    """The ingest job's generation stage on one document, minus the database and the vectors."""
    parsed = parse_document_inline(path, path.name, max_pages=settings.max_pages)
    chunks = chunks_of(settings, parsed, "doc", "course")
    plan = _plan(build_outline([("doc", parsed, chunks)]))
    pages = {"doc": parsed.pages}
    ctx = JobContext("bench", "course", None, {}, 1, settings, cast(Any, None), _noop, cast(Any, None))
    deps = PipelineDeps(cast(Any, None), cast(Any, None), cast(Any, None), build_writer(settings))
    await _write_lessons(ctx, deps, plan, pages, set())
    await _write_quizzes(ctx, deps, plan, pages, extract_terms(chunks), set())
    return parsed, plan


def measure(path: Path, settings: Settings) -> Report:
    started = time.perf_counter()
    parsed, plan = asyncio.run(build_course(path, settings))
    report = Report(path.name, parsed.page_count, [m.title for m in plan.modules])
    report.seconds = time.perf_counter() - started
    marks = headings(path, parsed)
    report.chapters = chapter_coverage(top_chapters(marks, parsed.title), report.modules)
    report.matter = [t for t in report.modules if len(report.modules) > 1 and is_matter(t, parsed.title)]
    texts = [lesson.text for m in plan.modules for lesson in m.lessons if lesson.text]
    report.lessons = len(texts)
    report.short_lessons = sum(body_words(t.body) < SHORT_LESSON_WORDS for t in texts)
    report.code_kept = sum(fenced_blocks(t.body) for t in texts)
    report.code_source = source_code_blocks(path, matter_pages(marks, parsed.title, parsed.page_count))
    quizzes = [m.quiz for m in plan.modules if m.quiz] + ([plan.final_quiz] if plan.final_quiz else [])
    questions = [q for quiz in quizzes for q in quiz.questions or []]
    # The kind each question records (the generator's word), else one read off its prompt.
    report.kinds = Counter((q.kind or question_kind(q.prompt)).replace("_", "-") for q in questions)
    # Phrase types compare terms: a statement or a printed value has no phrase type to match.
    pairs = [distractors_matching(q) for q in questions if (q.kind or "cloze") in ("cloze", "definition")]
    report.distractors = (sum(a for a, _ in pairs), sum(b for _, b in pairs))
    cites = [c for t in texts for c in t.citations]
    found = sum(0 < c.page <= len(parsed.pages) and quote_on_page(c.quote, parsed.pages[c.page - 1]) for c in cites)
    report.quotes = (found, len(cites))
    return report


def _share(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]} ({pair[0] / pair[1]:.0%})" if pair[1] else "-"


def rows(r: Report) -> list[tuple[str, str]]:
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(r.kinds.items())) or "none"
    return [
        ("chapters with a module of their own", _share(r.chapters)),
        ("front/back-matter modules", f"{len(r.matter)}/{len(r.modules)} {', '.join(r.matter)}".strip()),
        (f"lessons under {SHORT_LESSON_WORDS} words", f"{r.short_lessons}/{r.lessons}"),
        ("code blocks kept / in the source", f"{r.code_kept}/{r.code_source}"),
        ("quiz items by kind", f"{sum(r.kinds.values())}: {kinds}"),
        ("distractors of the answer's type", _share(r.distractors)),
        ("lesson quotes on their cited page", _share(r.quotes)),
        ("wall time", f"{r.seconds:.1f} s"),
    ]


def main(argv: Sequence[str]) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    paths = [Path(a) for a in argv] or [FIXTURES / name for name in DEFAULT_FILES]
    reports = []
    for path in paths:
        reports.append(measure(path, settings))
        print(f"\n{path.name} ({reports[-1].pages} pages)")
        for label, value in rows(reports[-1]):
            print(f"  {label:36} {value}")
    print("\n| document | " + " | ".join(label for label, _ in rows(reports[0])) + " |")
    print("| --- |" + " ---: |" * len(rows(reports[0])))
    for r in reports:
        print(f"| {r.name} | " + " | ".join(value for _, value in rows(r)) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])

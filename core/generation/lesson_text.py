"""Offline lessons that teach: the section's own content, in order, as cited markdown.

A lesson is what its chunks say, not a string of picked sentences: paragraphs, list items,
sub-headings and code listings (fenced, line breaks and indentation as printed), with the
overlap that chunking repeats taken out. Every paragraph, item and listing carries a
citation whose quote is cut from the page text itself, so it is found on the cited page; a
block no page can be found for is left out. A few key points (the section's most central
sentences, cited too) come first. A long section is capped at about `LESSON_WORDS` words,
with a pointer to where the rest is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from core.generation.extractive import CourseIndex, as_markdown, course_index, is_code_line, key_sentences
from core.generation.outline import clean_title
from core.ingestion.types import Chunk, Citation, LessonDraft, LessonText

LESSON_WORDS = 2000
KEY_POINTS = 4
KEY_POINTS_FROM_WORDS = 250  # a shorter lesson is read at a glance: key points would only repeat it
_FENCE = re.compile(r"^(`{3,})\n(.*?)\n\1$", re.S | re.M)
_ITEM = re.compile(r"^\s*(?:[•◦▪‣●○■□–*-]|\d{1,2}[.)]|\([a-z0-9]\)|[a-z][.)])\s+")
_GLYPH_ITEM = re.compile(r"^\s*[•◦▪‣●○■□–*-]\s+")
_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’)\]]$")
_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")
_PYTHON = re.compile(r"^(?:>>>|\.\.\.|def |class |import |from \S+ import|print\(|for |if |while |return )", re.M)
# identifiers whose stars and underscores markdown would read as emphasis
_EMPHASIS_RISK = re.compile(r"(?<![`\w])(\*{1,2}[A-Za-z_]\w*|\w*__\w+__\w*(?:\(\))?|_\w+_)(?![`\w])")


@dataclass
class Block:
    kind: str  # "text" | "item" | "code"
    text: str
    chunks: list[Chunk] = field(default_factory=list)  # where its parts come from, in order
    parts: list[str] = field(default_factory=list)  # the text of each part (a paragraph may cross a page)


def lesson_blocks(chunks: Sequence[Chunk]) -> list[tuple[str, list[Block]]]:
    """(section, its blocks) in order, each chunk's overlap with the one before removed."""
    out: list[tuple[str, list[Block]]] = []
    prev: Chunk | None = None
    for chunk in chunks:
        text = chunk.text
        same_run = prev is not None and prev.section == chunk.section and prev.document_id == chunk.document_id
        if same_run and prev is not None:
            text = _fresh(prev.text, text)
        if not out or out[-1][0] != chunk.section or not same_run:
            out.append((chunk.section, []))
        blocks = out[-1][1]
        continues = text.startswith(" ") and blocks and blocks[-1].kind != "code"
        for i, (kind, body) in enumerate(_split_blocks(text)):
            if i == 0 and continues:  # the chunk picks up in the middle of a paragraph
                blocks[-1].text += " " + body
                blocks[-1].chunks.append(chunk)
                blocks[-1].parts.append(body)
                continue
            _add(blocks, Block(kind, body, [chunk], [body]))
        prev = chunk
    return out


def _fresh(prev: str, text: str) -> str:
    """`text` without its leading part that repeats the end of `prev` (the chunker's overlap)."""
    if prev.endswith(text):
        return ""
    best = 0
    for m in re.finditer(r" |\n\n", text):
        b = m.start()
        if b > len(prev):
            break
        if prev.endswith(text[:b]) and (b == len(prev) or prev[-b - 1] in " \n"):
            best = b
    return text[best:]


def _split_blocks(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _FENCE.finditer(text):
        out += _prose_blocks(text[pos : m.start()])
        out.append(("code", m.group(2)))
        pos = m.end()
    return out + _prose_blocks(text[pos:])


def _prose_blocks(text: str) -> list[tuple[str, str]]:
    out = []
    for raw in re.split(r"\n\s*\n", text):
        lines = [line.rstrip() for line in raw.strip("\n").splitlines() if line.strip()]
        if len(lines) > 1 and sum(map(is_code_line, lines)) * 2 >= len(lines):
            # a listing parsed before code was fenced (a document indexed by an earlier version)
            out.append(("code", "\n".join(lines)))
            continue
        para = " ".join(raw.split())
        if para and (re.search(r"\w\w", para) or len(para) > 3):  # not a stray "|" or bullet
            out.append(("item" if _ITEM.match(para) else "text", para))
    return out


def _add(blocks: list[Block], block: Block) -> None:
    """A paragraph cut by a page break (no sentence end, the next part in lower case) is one;
    so is a listing cut by a page break or a chunk boundary (lines the chunker repeated dropped)."""
    last = blocks[-1] if blocks else None
    if last is not None and last.kind == "code" and block.kind == "code":
        fresh = _without_repeat(last.text.split("\n"), block.text.split("\n"))
        if fresh:
            last.text += "\n" + "\n".join(fresh)
            last.chunks.append(block.chunks[0])
            last.parts.append("\n".join(fresh))
        return
    if (
        last is not None
        and block.kind == "text"
        and last.kind in ("text", "item")
        and not _ENDS_SENTENCE.search(last.text)
        and block.text[:1].islower()
    ):
        last.text += " " + block.text
        last.chunks += block.chunks
        last.parts += block.parts
        return
    blocks.append(block)


def _without_repeat(head: list[str], tail: list[str]) -> list[str]:
    """`tail` without its first lines when they repeat the last lines of `head`."""
    for n in range(min(len(head), len(tail)), 0, -1):
        if head[-n:] == tail[:n] and (n >= 2 or len(tail[0].strip()) >= 8):
            return tail[n:]
    return tail


def _quote(text: str) -> list[str]:
    """Candidate quotes of a block, best first: its sentences, shortened to a page-sized span."""
    out = []
    for sentence in _SENTENCE.split(text)[:4]:
        words = sentence.split()
        out.append(" ".join(words[:30]))
        if len(words) > 30:
            out.append(" ".join(words[-20:]))
    return out


def _code_quote(code: str) -> list[str]:
    lines = [ln.strip() for ln in code.splitlines() if ln.strip()]
    out = []
    for start in range(min(len(lines), 6)):
        taken: list[str] = []
        for line in lines[start : start + 3]:
            taken.append(line)
            if sum(ch.isalnum() for ch in " ".join(taken)) >= 20:
                break
        out.append(" ".join(taken))
    return out


def cite(
    text: str, chunk: Chunk, index: CourseIndex | None, *, code: bool = False, before: str = "", after: str = ""
) -> Citation | None:
    """A citation of `text` (a part of `chunk`) whose quote is printed on the cited page. Text too
    short to be found for certain alone ("4", "Note") is quoted with its neighbours' words."""
    candidates = _code_quote(text) if code else _quote(text)
    if sum(ch.isalnum() for ch in " ".join(candidates[:1])) < 12:
        flat = " ".join(text.split())
        head, tail = " ".join(before.split()[-8:]), " ".join(after.split()[:8])
        candidates += [f"{flat} {tail}".strip(), f"{head} {flat}".strip()]
    for candidate in candidates:
        if index is None:
            if chunk.page_start == chunk.page_end and sum(ch.isalnum() for ch in candidate) >= 12:
                return Citation(chunk.document_id, chunk.page_start, candidate)
            continue
        hit = index.locate(chunk.document_id, candidate, chunk.page_start, chunk.page_end)
        if hit:
            return Citation(chunk.document_id, hit[0], hit[1])
    return None


def readable(text: str) -> str:
    """Prose as markdown that shows what the page shows: code-like words in backticks."""
    text = re.sub(r"(?<=[.!?])\s?\[\d{1,3}\](?=\s|$)", "", text)  # the source's own footnote marks
    text = _EMPHASIS_RISK.sub(r"`\1`", as_markdown(text))
    text = re.sub(r"(?<!\S)\[(\d+)\]", r"\\[\1]", text)  # the source's "[1]" is not one of our markers
    return re.sub(r"^([#>])", r"\\\1", text)


# "I went to my bank ..." is an example someone says, not a point the section makes.
_EXAMPLE_VOICE = re.compile(r"^[\"“']?I(?:'m|'ve)?\s")


def _language(code: str) -> str:
    return "python" if _PYTHON.search(code) else ""


def write_structured_lesson(
    draft: LessonDraft,
    *,
    pages: Mapping[str, list[str]] | None = None,
    max_words: int = LESSON_WORDS,
    key_points: int = KEY_POINTS,
) -> LessonText:
    index = course_index(pages) if pages else None
    citations: list[Citation] = []
    out: list[str] = []

    def mark(c: Citation) -> str:
        citations.append(c)
        return f"[{len(citations)}]"

    sections = lesson_blocks(draft.chunks)
    size = sum(len(b.text.split()) for _s, blocks in sections for b in blocks)
    # a key point states something; a short example sentence ("I went to my bank.") does not
    candidates = key_sentences(draft.chunks, draft.title, index, key_points + 6) if key_points else []
    best = sorted(
        (p for p in candidates if len(p[0].text.split()) >= 8 and not _EXAMPLE_VOICE.match(p[0].text)),
        key=lambda p: -p[1],
    )[:key_points]
    picked = [p for p in candidates if p in best]
    if len(picked) >= 2 and size >= KEY_POINTS_FROM_WORDS:
        points = [
            f"- {s.label}{readable(s.text)} {mark(Citation(s.chunk.document_id, s.page, s.quote))}" for s, _ in picked
        ]
        out.append("**Key points**\n\n" + "\n".join(points))
    titled = len({sec for sec, _ in sections}) > 1
    used, rest_from, last_heading = 0, None, ""
    for sec, blocks in sections:
        heading = clean_title(sec.split(" > ")[-1]) if sec else ""
        wrote_heading = False
        for block in blocks:
            size = len(block.text.split())
            if used and used + size > max_words:
                rest_from = rest_from or block.chunks[0]
                break
            rendered = _render(block, index, mark, _neighbours(blocks, block))
            if rendered is None:
                continue
            if titled and heading and heading not in (draft.title, last_heading) and not wrote_heading:
                out.append(f"### {heading}")
                wrote_heading = True
                last_heading = heading  # a slide's "cont." goes on under the same heading
            out.append(rendered)
            used += size
        if rest_from is not None:
            break
    if rest_from is not None:
        last = draft.chunks[-1]
        span = (
            f"page {rest_from.page_start}"
            if rest_from.page_start >= last.page_end
            else (f"pages {rest_from.page_start}–{last.page_end}")
        )
        out.append(f"*The section goes on in the source, {span}.*")
    short = [p for p in picked if len(p[0].text.split()) <= 30] or picked
    top = sorted(short, key=lambda p: -p[1])[:2]
    summary = " ".join(s.text for s, _ in sorted(top, key=lambda p: picked.index(p)))
    if not summary:
        summary = next((b.text for _s, blocks in sections for b in blocks if b.kind == "text"), "")[:300]
    return LessonText(body=_join_items("\n\n".join(out)), citations=citations, summary=summary)


def _neighbours(blocks: list[Block], block: Block) -> tuple[str, str]:
    at = blocks.index(block)
    before = blocks[at - 1].text if at else ""
    after = blocks[at + 1].text if at + 1 < len(blocks) else ""
    return before, after


def _render(
    block: Block, index: CourseIndex | None, mark: Callable[[Citation], str], around: tuple[str, str] = ("", "")
) -> str | None:
    before, after = around
    if block.kind == "code":
        cited = [
            cite(part, chunk, index, code=True, before=before, after=after)
            for part, chunk in zip(block.parts, block.chunks, strict=True)
        ]
        if cited[0] is None:  # where the listing starts must be found; a short continuation may not be
            return None
        ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", block.text)), default=0) + 1)
        markers = " ".join(mark(c) for c in cited if c)
        return f"{ticks}{_language(block.text)}\n{block.text}\n{ticks}\n{markers}"
    found_all = [
        c
        for c in (
            cite(part, chunk, index, before=before, after=after)
            for part, chunk in zip(block.parts, block.chunks, strict=True)
        )
        if c
    ]
    if not found_all:
        return None
    text = readable(_GLYPH_ITEM.sub("", block.text) if block.kind == "item" else block.text)
    markers = " ".join(mark(c) for c in found_all)
    return f"- {text} {markers}" if block.kind == "item" and _GLYPH_ITEM.match(block.text) else f"{text} {markers}"


def _join_items(body: str) -> str:
    """Consecutive bullet items form one list (no blank line between them)."""
    return re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", body)

"""DOCX, PPTX and HTML through unstructured; Markdown and plain text with small parsers of ours.

Markdown does not go through unstructured: it renders Markdown with python-markdown, which
leaves `#` headings inside raw HTML blocks as text (pandoc output is full of those), so the
headings were lost. markdown-it-py (CommonMark; installed with rich) keeps them. Plain text has
no markup for unstructured to use, and its heuristics need the spaCy tagger replaced below.

Files without pages (DOCX without page breaks, HTML, Markdown, text) get virtual pages of about
`VIRTUAL_PAGE_CHARS` characters, cut between paragraphs, so a citation still points somewhere
a reader can open rather than "page 1" of a 200-page text.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from core.ingestion.site_chrome import drop_site_chrome
from core.ingestion.types import Paragraph, ParsedDocument, ParseError, Section
from core.patches import unstructured_nlp

# Opt out of unstructured's telemetry ping and banner before it is imported anywhere.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("SCARF_NO_ANALYTICS", "1")
os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")

VIRTUAL_PAGE_CHARS = 3000
_HEADING_JUNK = re.compile(r"[¶#\s]+$")
_SENTENCE_END = re.compile(r"[.!?;]\s*$")
_MULTILINE_TAG = re.compile(r"<[A-Za-z/][^<>\n]*(?:\n[^<>\n]+)+>")
_Block = tuple[str, int, int]  # (text, heading level or 0 for body text, page or 0 if unknown)
# Code by its look in Word and PowerPoint: a code paragraph style (pandoc's "Source Code",
# "HTML Preformatted", "Macro Text") or every run in a monospace font.
_CODE_STYLE = re.compile(r"source code|preformatted|verbatim|macro text|^code|\bcode\b", re.I)
_MONO_FONT = re.compile(r"mono|courier|consol|menlo|inconsolata|typewriter|source code", re.I)


def parse_office(path: Path, kind: str, *, max_pages: int, fallback_title: str = "") -> ParsedDocument:
    code: set[str] = set()  # texts of the code blocks, whitespace-normalised
    if kind == "md":
        blocks = _markdown_blocks(_read_text(path), code)
    elif kind == "txt":
        blocks = _text_blocks(_read_text(path))
    else:
        blocks = _blocks_from_elements(_partition(path, kind), kind)
        code = _code_texts(path, kind)
    blocks = [(text, level, page) for text, level, page in blocks if text]
    if not any(level == 0 for _t, level, _p in blocks):
        raise ParseError("no extractable text")
    blocks = _paginate(blocks)
    page_count = max(page for _t, _l, page in blocks)
    if page_count > max_pages:
        raise ParseError(f"too many pages: {page_count} (limit {max_pages})")
    pages = ["" for _ in range(page_count)]
    sections = [Section(title="", level=0)]
    for text, level, page in blocks:
        pages[page - 1] = f"{pages[page - 1]}\n\n{text}" if pages[page - 1] else text
        if level:
            sections.append(Section(title=text, level=level))
            continue
        paragraphs = sections[-1].paragraphs
        if " ".join(text.split()) not in code:
            paragraphs.append(Paragraph(text=text, page=page))
        elif paragraphs and paragraphs[-1].kind == "code" and paragraphs[-1].page == page:
            paragraphs[-1] = Paragraph(f"{paragraphs[-1].text}\n{text}", page, "code")  # a listing, line by line
        else:
            paragraphs.append(Paragraph(text=text.strip("\n"), page=page, kind="code"))
    if not sections[0].paragraphs:
        sections.pop(0)
    sections = drop_site_chrome(sections)
    titled = [s.title for s in sections if s.level == 1]
    title = titled[0] if kind == "pptx" and titled else fallback_title
    return ParsedDocument(
        title=title, page_count=page_count, pages=pages, sections=sections, has_outline=len(sections) > 1
    )


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # filetypes already refused binary
    return text.replace("\r\n", "\n").replace("\r", "\n")


def preload(kind: str) -> None:
    """Import what parsing `kind` needs (a child process does this before capping its memory)."""
    if kind in ("docx", "pptx", "html"):
        _partitioner(kind)
        from unstructured.nlp.tokenize import _get_nlp

        _get_nlp()


def _partitioner(kind: str) -> Any:
    unstructured_nlp.install()  # offline sentence splitting (core/patches/unstructured_nlp.py)
    if kind == "docx":
        from unstructured.partition.docx import partition_docx

        return partition_docx
    if kind == "pptx":
        from unstructured.partition.pptx import partition_pptx

        return partition_pptx
    from unstructured.partition.html import partition_html

    return partition_html


def _partition(path: Path, kind: str) -> list[Any]:
    partition = _partitioner(kind)
    try:
        return list(partition(filename=str(path)))
    except (ParseError, MemoryError):
        raise
    except Exception as exc:  # the libraries raise anything from KeyError to lxml errors
        raise ParseError(f"the file is not a readable {kind.upper()} file (corrupt?)") from exc


def _code_texts(path: Path, kind: str) -> set[str]:
    """Paragraphs that are code, by style or font (unstructured's elements carry neither)."""
    try:
        if kind == "docx":
            import docx

            document = docx.Document(str(path))
            return {
                " ".join(p.text.split())
                for p in document.paragraphs
                if p.text.strip() and (_CODE_STYLE.search(p.style.name if p.style else "") or _all_mono(p.runs))
            }
        if kind == "pptx":
            import pptx

            deck = pptx.Presentation(str(path))
            return {
                " ".join(p.text.split())
                for slide in deck.slides
                for shape in slide.shapes
                if shape.has_text_frame
                for p in shape.text_frame.paragraphs
                if p.text.strip() and _all_mono(p.runs)
            }
    except Exception:  # noqa: BLE001 - the text is already read; without styles it is all prose
        return set()
    return set()


def _all_mono(runs: Any) -> bool:
    shown = [r for r in runs if r.text.strip()]
    return bool(shown) and all(_MONO_FONT.search(r.font.name or "") for r in shown)


def _looks_like_heading(text: str) -> bool:
    """unstructured calls short verbless lines titles; without a tagger every line is verbless,
    so sentences ("Return the number of items.") come back as titles. Demote them."""
    words = len(text.split())
    return 0 < words <= 20 and not (words > 3 and _SENTENCE_END.search(text))


def _blocks_from_elements(elements: list[Any], kind: str) -> list[_Block]:
    blocks: list[_Block] = []
    slide = 0
    for el in elements:
        text = (el.text or "").strip()
        page = el.metadata.page_number or 0
        if el.category == "PageBreak" or not text:
            continue
        is_title = el.category == "Title" and _looks_like_heading(text)
        depth = (el.metadata.category_depth or 0) if is_title else 0
        title = _HEADING_JUNK.sub("", text) if is_title else ""
        if kind == "pptx":
            # one slide = one page = one level-1 section named by the slide's title placeholder
            # (depth 0); titles in the slide body nest under it
            if page != slide:
                slide = page
                if is_title and depth == 0:
                    blocks.append((title, 1, page))
                    continue
                blocks.append((f"Slide {page}", 1, page))
            depth = max(depth, 1)
        if not is_title and el.category == "ListItem" and not text.startswith(("•", "-", "*")):
            text = f"• {text}"  # the lesson writer shows it as a list item
        blocks.append((title, depth + 1, page) if is_title else (text, 0, page))
    return blocks


def _markdown_blocks(source: str, code: set[str]) -> list[_Block]:
    from markdown_it import MarkdownIt

    # pandoc wraps long inline tags over lines; a heading is one line, so rejoin such tags first
    source = _MULTILINE_TAG.sub(lambda m: m.group(0).replace("\n", " "), source)
    tokens = MarkdownIt("commonmark").parse(source)
    blocks: list[_Block] = []
    level = 0
    lists: list[int] = []  # per open list: the next item number, or 0 for bullets
    item = ""  # the marker the next paragraph starts with (first paragraph of a list item)
    for tok in tokens:
        if tok.type == "heading_open":
            level = int(tok.tag[1:])
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(int(tok.attrGet("start") or 1) if tok.type == "ordered_list_open" else 0)
        elif tok.type in ("bullet_list_close", "ordered_list_close") and lists:
            lists.pop()
        elif tok.type == "list_item_open" and lists:
            item = f"{lists[-1]}. " if lists[-1] else "• "
            lists[-1] += 1 if lists[-1] else 0
        elif tok.type == "inline":
            text = _inline_text(tok.children or [])
            blocks.append((_HEADING_JUNK.sub("", text) if level else item + text, level, 0))
            level, item = 0, ""
        elif tok.type in ("fence", "code_block"):
            blocks.append((tok.content.rstrip("\n"), 0, 0))
            code.add(" ".join(tok.content.split()))
        elif tok.type == "html_block":
            blocks.append((_strip_tags(tok.content), 0, 0))
    return blocks


def _inline_text(children: list[Any]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _strip_tags(fragment: str) -> str:
    text = re.sub(r"<(script|style|svg)\b.*?</\1>|<[^>]+>", " ", fragment, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(html.unescape(text).split())


def _text_blocks(source: str) -> list[_Block]:
    """Paragraphs are separated by blank lines; a short line underlined with === or --- is a
    heading (the one convention plain text commonly uses), anything else is body text."""
    blocks: list[_Block] = []
    for chunk in re.split(r"\n\s*\n", source):
        lines = [ln.rstrip() for ln in chunk.strip("\n").split("\n")]
        if len(lines) >= 2 and re.fullmatch(r"(=+|-+)", lines[1].strip()) and _looks_like_heading(lines[0]):
            blocks.append((lines[0].strip(), 1 if lines[1].strip()[0] == "=" else 2, 0))
            lines = lines[2:]
        text = "\n".join(lines).strip()
        if text:
            blocks.append((text, 0, 0))
    return blocks


def _paginate(blocks: list[_Block]) -> list[_Block]:
    """Keep real page numbers; give virtual pages to files that have none (see module doc)."""
    if any(page for _t, _l, page in blocks):
        out, last = [], 1
        for text, level, page in blocks:
            last = page or last
            out.append((text, level, last))
        return out
    paged: list[_Block] = []
    page, used = 1, 0
    for text, level, _page in blocks:
        if used and used + len(text) > VIRTUAL_PAGE_CHARS and level == 0:
            page, used = page + 1, 0
        paged.append((text, level, page))
        used += len(text)
    return paged

"""PDF to ParsedDocument with pypdfium2: text per line, headings from bookmarks or font sizes.

pdfium's page text has "\\r\\n" between lines and one char index per UTF-16 unit, so a few raw
calls per line (not per char) give the geometry the heuristics need: 125 pages in ~0.3 s.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from core.ingestion import pdf_chars, tex_glyphs
from core.ingestion.line_text import code_block, join_lines, vocabulary
from core.ingestion.types import Paragraph, ParsedDocument, ParseError, Section

_FPDF_ERR_ENCRYPTED = (4, 5)  # wrong password; unsupported security handler (encrypted all the same)
_BULLETS = ("•", "◦", "▪", "‣", "●", "○", "■", "□", "–")
# Ligatures (ﬁ ﬂ ...) only: full NFKC would also rewrite ², ½ or full-width text.
_LIGATURES = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0xFB00, 0xFB07)}
# pdfium marks a soft hyphen at a line break as U+FFFE (raw char 0x02) and drops the break.
_DROP = {0xFFFE: None, 0x00AD: None, 0x02: None, 0x00: None}
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?(\d{1,4})(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[ivxlc]+\.|[a-z]\.|appendix\s+\w+\.?)\s+", re.IGNORECASE)
_URL = re.compile(r"^(?:https?://|www\.)\S+$")


@dataclass
class _Line:
    text: str
    page: int  # 1-based
    y: float  # baseline in page space (bookmark destinations use it)
    v: float  # baseline position, growing down the page as a reader sees it
    v_end: float  # same for the last char: a soft-hyphen join makes one line of two
    h: float  # start position, growing rightwards as a reader sees it
    size: float
    bold: bool
    mono: bool
    cells: tuple[tuple[float, str], ...] = ()  # a code line's words with their start positions (indentation)
    h_end: float = 0.0  # start position of the last char
    pitch: float = 0.0  # a code line's char width (monospace)


_Mark = tuple[int, str, int, int]  # (line index where the section starts, title, level, lines it takes)
_Bookmark = tuple[str, int, int, float | None]  # (title, level 1-based, page index, top y)


def parse_pdf(path: Path, *, max_pages: int, fallback_title: str = "") -> ParsedDocument:
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in _FPDF_ERR_ENCRYPTED:
            raise ParseError("the PDF is password-protected") from None
        raise ParseError("the file is not a readable PDF (corrupt?)") from None
    try:
        n_pages = len(pdf)
        if n_pages > max_pages:
            raise ParseError(f"too many pages: {n_pages} (limit {max_pages})")
        try:
            lines = [line for i in range(n_pages) for line in _page_lines(pdf, i)]
            bookmarks = _bookmarks(pdf)
            meta_title = (pdf.get_metadata_dict().get("Title") or "").strip()
        except pdfium.PdfiumError:
            raise ParseError("the file is not a readable PDF (corrupt?)") from None
    finally:
        pdf.close()
    if sum(ch.isalnum() for line in lines for ch in line.text) < 10 * max(n_pages, 1):
        raise ParseError("no extractable text (scanned?)")
    lines = _drop_running_lines(lines, n_pages)
    by_page: list[list[_Line]] = [[] for _ in range(n_pages)]
    for line in lines:
        by_page[line.page - 1].append(line)
    vocab = vocabulary(line.text for line in lines)
    # a line ending in a broken word or URL joins the next one here too, so quotes match the lessons
    pages = [join_lines([ln.text for ln in page_lines], vocab, sep="\n") for page_lines in by_page]
    marks = _locate_bookmarks(lines, bookmarks) if bookmarks else _font_headings(lines)
    sections = _build_sections(lines, marks, vocab)
    title = meta_title or fallback_title  # a first bookmark is often a chapter, not the document
    return ParsedDocument(title, n_pages, pages, sections, has_outline=bool(bookmarks))


def _clean(text: str) -> str:
    return " ".join(_shown(text).split())


def _shown(text: str) -> str:
    return text.translate(_DROP).translate(_LIGATURES)


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[_Line]:
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        rotation = page.get_rotation()
        axes = functools.partial(_reader_axes, rotation)
        math = pdf_chars.has_math_font(page)
        if math:  # get_text_range() leaves out NULs (CMSY's minus is code 0), which shifts every index after
            count = pdfium_c.FPDFText_CountChars(textpage)
            raw_text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
        else:
            raw_text = textpage.get_text_range()
        out: list[_Line] = []
        x, y, flags = ctypes.c_double(), ctypes.c_double(), ctypes.c_int()
        name = ctypes.create_string_buffer(128)
        pos = 0  # char index = UTF-16 unit offset, so count astral characters twice
        for raw in raw_text.split("\r\n"):
            start, pos = pos, pos + len(raw.encode("utf-16-le")) // 2 + 2
            shown = raw
            if math:
                shown = tex_glyphs.fix_chars(pdf_chars.math_chars(textpage, start, raw, name, axes))
            text = _clean(shown)
            if not text:
                continue
            lead = raw[: len(raw) - len(raw.lstrip())]
            first = start + len(lead.encode("utf-16-le")) // 2
            mid = first + len(raw.strip()) // 2
            pdfium_c.FPDFText_GetCharOrigin(textpage, start + len(raw.rstrip().encode("utf-16-le")) // 2 - 1, x, y)
            v_end, h_end = _reader_axes(rotation, x.value, y.value)
            pdfium_c.FPDFText_GetCharOrigin(textpage, first, x, y)
            size = max(pdfium_c.FPDFText_GetFontSize(textpage, first), pdfium_c.FPDFText_GetFontSize(textpage, mid))
            v, h = _reader_axes(rotation, x.value, y.value)
            n = len(raw.strip())
            mono = pdf_chars.is_mono(textpage, [first + n * k // 4 for k in range(4)], flags, name)
            bold = pdfium_c.FPDFText_GetFontWeight(textpage, mid) >= 600
            cells, pitch = pdf_chars.word_cells(textpage, start, raw, axes, _shown) if mono else ((), 0.0)
            out.append(_Line(text, index + 1, y.value, v, v_end, h, size, bold, mono, cells, h_end, pitch))
        return _join_script_lines(out) if math else out
    finally:
        textpage.close()
        page.close()


def _join_script_lines(lines: list[_Line]) -> list[_Line]:
    """pdfium starts a new line at a sub- or superscript set apart ("w" / "n" / "⟩ input ..."):
    a short line that sits within the previous line's height, right after its end, goes back into it."""
    out: list[_Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and abs(line.v - prev.v) < 0.8 * prev.size
            and -0.5 * prev.size <= line.h - prev.h_end <= 1.5 * prev.size
            and not (line.mono or prev.mono)
        ):
            raised, lowered = line.v < prev.v - 0.15 * prev.size, line.v > prev.v + 0.15 * prev.size
            if line.size < 0.9 * prev.size and (raised or lowered):
                text = prev.text + tex_glyphs.as_script(line.text, raised=raised)
            else:
                text = f"{prev.text} {line.text}"
            out[-1] = dataclasses.replace(prev, text=text, h_end=line.h_end)
            continue
        out.append(line)
    return out


def _reader_axes(rotation: int, x: float, y: float) -> tuple[float, float]:
    """Page-space origin -> (down, right) as the rotated page is displayed."""
    return {90: (x, y), 180: (y, -x), 270: (-x, -y)}.get(rotation, (-y, x))


def _drop_running_lines(lines: list[_Line], n_pages: int) -> list[_Line]:
    """Drop page numbers, running headers/footers and slide navigation repeated on most pages."""
    by_page: dict[int, list[_Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    edge_keys: Counter[str] = Counter()
    short_texts: Counter[str] = Counter()
    placed: Counter[tuple[str, int, int]] = Counter()
    offsets: Counter[int] = Counter()  # PDF page - printed page number, from numbers at a page's edge
    for page_lines in by_page.values():
        edges = page_lines[:2] + page_lines[-2:]
        edge_keys.update({re.sub(r"\d+", "#", ln.text.lower()) for ln in edges})
        offsets.update({ln.page - n for ln in edges for n in _edge_numbers(ln.text)})
        short = [ln for ln in page_lines if len(ln.text.split()) <= 8]
        short_texts.update({ln.text for ln in short if len(ln.text.split()) <= 4})
        placed.update({_place(ln) for ln in short})

    offset, hits = offsets.most_common(1)[0] if offsets else (0, 0)
    numbered = hits >= max(3, 0.2 * n_pages)  # the book prints its page numbers at the edges

    def running(line: _Line, is_edge: bool) -> bool:
        if line.mono and line.text.isdigit():
            return False  # a listing's output ("20" after ">>> 4 * 5" at the top of a page)
        if numbered and is_edge and len(line.text.split()) <= 12 and line.page - offset in _edge_numbers(line.text):
            return True  # "44 Typesetting Mathematical Formulae", "3.2 Single Equations 45"
        m = _PAGE_NUMBER.match(line.text)
        # "12" mid-page is more likely code output than a page number; "12 / 39" is not
        if m and abs(int(m.group(1)) - line.page) <= 3 and (is_edge or not line.text.isdigit()):
            return True
        # a running head/foot; a slide deck's navigation; the current part's navigation (same spot)
        return n_pages >= 4 and (
            (is_edge and edge_keys[re.sub(r"\d+", "#", line.text.lower())] >= 0.5 * n_pages)
            or short_texts[line.text] >= 0.8 * n_pages
            or (len(line.text.split()) <= 8 and placed[_place(line)] >= max(3, 0.25 * n_pages))
        )

    kept: list[_Line] = []
    for page_lines in by_page.values():
        last = len(page_lines) - 1
        kept += [ln for i, ln in enumerate(page_lines) if not running(ln, i < 2 or i > last - 2)]
    return kept


def _edge_numbers(text: str) -> set[int]:
    """Numbers a running head or foot may carry: first or last on the line."""
    m = re.match(r"^(\d{1,4})(?=\s|$)|^.*\s(\d{1,4})$", text)
    return {int(n) for n in m.groups() if n} if m else set()


def _place(line: _Line) -> tuple[str, int, int]:
    return line.text, round(line.v / 2), round(line.h / 2)


def _bookmarks(pdf: pdfium.PdfDocument) -> list[_Bookmark]:
    """(title, level 1-based, page index, top y of the destination or None) in outline order."""
    out = []
    for bm in pdf.get_toc(max_depth=8):
        dest = bm.get_dest()
        page_index = dest.get_index() if dest is not None else None
        title = _clean(bm.get_title())
        if page_index is None or not title:
            continue
        mode, view = dest.get_view() if dest is not None else (0, [])
        top = view[1] if mode == pdfium_c.PDFDEST_VIEW_XYZ and len(view) >= 2 else None
        out.append((title, bm.level + 1, page_index, top))
    return out


def _norm(text: str) -> str:
    return _NUMBERING.sub("", text.lower().replace("¶", "")).strip()


def _match(lines: list[_Line], i: int, title: str) -> int:
    """Number of lines from i that spell the title (headings wrap), or 0."""
    want, have = _norm(title), ""
    for j in range(i, min(i + 4, len(lines))):
        if lines[j].page != lines[i].page:
            break
        have = _norm(f"{have} {lines[j].text}") if have else _norm(lines[j].text)
        if have == want:
            return j - i + 1
        if not want.startswith(have) or not have:
            break
    return 0


def _locate_bookmarks(lines: list[_Line], bookmarks: list[_Bookmark]) -> list[_Mark]:
    """Place each bookmark on its heading line, else at its destination's y, else at the page
    top; never before the previous bookmark, so the marks come out in reading order."""
    page_first: dict[int, int] = {}
    for i, line in enumerate(lines):
        page_first.setdefault(line.page, i)
    marks: list[_Mark] = []
    cursor = 0
    for title, level, page_index, top in bookmarks:
        page = page_index + 1
        first = page_first.get(page)
        if first is None:  # page has no text left: attach to the next page that has some
            first = next((page_first[p] for p in sorted(page_first) if p > page), len(lines))
        begin = max(first, cursor)
        at, span = begin, 0
        for i in range(begin, len(lines)):
            if lines[i].page != page:
                break
            span = _match(lines, i, title)
            if span:
                at = i
                break
        if not span and top is not None:
            at = next((i for i in range(begin, len(lines)) if lines[i].page == page and lines[i].y <= top + 1), begin)
        marks.append((at, title, level, span))
        cursor = at + span
    return marks


# "Chapter 3" printed above a chapter's title; "4.1." or "4.1.1" numbering a section's title
_LABEL = re.compile(r"^(?:chapter|appendix|part|lecture|kapitel|anhang|teil|vorlesung)\s+[\dIVXLCA-Z]{1,4}$", re.I)
_SECTION_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+[^\W\d_]")


def _font_headings(lines: list[_Line]) -> list[_Mark]:
    """Without an outline: lines clearly larger (or bold and larger) than the body are headings,
    and numbered ones ("4.1. if Statements") a little larger. Levels follow the sizes, then the
    numbering among headings of one size; a chapter label ("Chapter 3") joins the title under it.
    When most top-level headings open a page (a book's chapters), a big line mid-page is not one."""
    if not lines:
        return []
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    body = median(sorted(sizes.elements()))

    def is_heading(line: _Line) -> bool:
        big = line.size >= 1.3 * body or (line.bold and line.size >= 1.12 * body)
        numbered = line.size >= 1.1 * body and bool(_SECTION_NUMBER.match(line.text)) and not line.text.endswith(".")
        short = len(line.text.split()) <= 15 and any(c.isalpha() for c in line.text)
        return (big or numbered) and short and not line.mono

    heads = [is_heading(ln) for ln in lines]
    found: list[tuple[int, int, float]] = []  # (first line, lines it takes, size that ranks it)
    i = 0
    while i < len(lines):
        if not heads[i]:
            i += 1
            continue
        j = i + 1  # a wrapped heading continues on the next line at the same size
        while j < min(i + 3, len(lines)) and heads[j] and lines[j].page == lines[i].page:
            if abs(lines[j].size - lines[i].size) >= 0.5 or _LABEL.match(lines[i].text):
                break
            if _SECTION_NUMBER.match(lines[j].text):  # the next heading, not this one's second line
                break
            j += 1
        labelled = _LABEL.match(lines[i].text) and j < len(lines) and heads[j] and lines[j].page == lines[i].page
        if labelled:
            end = j + 1
            while end < min(j + 3, len(lines)) and heads[end] and abs(lines[end].size - lines[j].size) < 0.5:
                end += 1
            found.append((i, end - i, lines[j].size))
            i = end
        else:
            found.append((i, j - i, lines[i].size))
            i = j
    ranks = sorted({_size_rank(size) for _i, _n, size in found}, reverse=True)
    opens_page = {at: at == 0 or lines[at - 1].page != lines[at].page for at, _n, _s in found}
    top = [at for at, _n, size in found if _size_rank(size) == ranks[0]]
    book = len(top) >= 3 and 3 * sum(opens_page[at] for at in top) >= 2 * len(top)
    depth_of: dict[float, int] = {}
    for at, _n, size in found:
        depth_of[_size_rank(size)] = min(depth_of.get(_size_rank(size), 9), _depth(lines[at].text))
    marks: list[_Mark] = []
    for at, n, size in found:
        rank = _size_rank(size)
        if book and rank == ranks[0] and not opens_page[at]:
            continue  # big type in an example or a box, not a chapter
        level = min(ranks.index(rank) + 1, 3) + _depth(lines[at].text) - depth_of[rank]
        marks.append((at, " ".join(ln.text for ln in lines[at : at + n]), level, n))
    return marks


def _size_rank(size: float) -> float:
    return round(size * 2) / 2


def _depth(title: str) -> int:
    """1 for "4." or an unnumbered title, 2 for "4.1.", 3 for "4.1.1"."""
    m = _SECTION_NUMBER.match(title)
    return m.group(1).count(".") + 1 if m else 1


def _breaks(prev: _Line, cur: _Line) -> bool:
    """Whether `cur` starts a new paragraph after `prev` (both kept lines of one page)."""
    size = max(prev.size, cur.size, 1.0)
    if prev.mono != cur.mono or abs(prev.size - cur.size) > 0.15 * size:
        return True
    if cur.mono:  # a blank line or two inside a listing is part of it
        return not 0 < cur.v - prev.v_end <= 4 * size
    if cur.text.startswith(_BULLETS):
        return True
    pitch = cur.v - prev.v_end
    if pitch > 1.45 * size:  # blank space between the lines
        return True
    # a first-line indent on the next line of the same column
    return 0 < pitch <= 1.45 * size and cur.h - prev.h > 0.8 * size


def _build_sections(lines: list[_Line], marks: list[_Mark], vocab: frozenset[str] = frozenset()) -> list[Section]:
    """Walk the lines once: a mark opens a section (several at one line give empty parents)."""
    sections = [Section(title="", level=0)]
    m = 0
    para: list[_Line] = []

    def flush() -> None:
        if para:
            text = join_lines([ln.text for ln in para], vocab)
            last = sections[-1].paragraphs[-1] if sections[-1].paragraphs else None
            if para[0].mono and (len(para) > 1 or len(text) >= 6) and not _URL.match(text):
                # code keeps its lines, indentation and blank lines
                rows = [(ln.cells, ln.text, ln.v, ln.size, ln.pitch) for ln in para]
                sections[-1].paragraphs.append(Paragraph(code_block(rows), para[0].page, "code"))
            elif para[0].mono and last and last.kind == "text" and last.page == para[0].page:
                # a URL or symbol set in typewriter type inside a sentence
                sections[-1].paragraphs[-1] = Paragraph(join_lines([last.text, text], vocab), last.page)
            else:
                sections[-1].paragraphs.append(Paragraph(text, para[0].page))
            para.clear()

    skip = 0
    for i, line in enumerate(lines):
        while m < len(marks) and marks[m][0] <= i:
            flush()
            _at, title, level, span = marks[m]
            sections.append(Section(title=title, level=level))
            skip = max(skip, span)
            m += 1
        if skip:
            skip -= 1
            continue
        if para and (para[-1].page != line.page or _breaks(para[-1], line)):
            flush()
        para.append(line)
    flush()
    sections += [Section(title=title, level=level) for _at, title, level, _span in marks[m:]]
    if not sections[0].paragraphs:
        sections.pop(0)
    return sections

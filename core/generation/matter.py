"""Front and back matter: the parts of a book about the book (title page, contents, index...).

They are not course material: a lesson built from a table of contents or an index is a list
of page numbers. They are recognised by their heading (English and German), and, for text
that comes before a document's first heading (where a title page, a copyright notice and the
table of contents sit when the bookmarks start at chapter 1), by the look of its pages.
A preface is neither: it may open the course as a short introduction.
"""

from __future__ import annotations

import re
from enum import Enum

from core.generation.units import MIN_SECTION_WORDS, clean_title, module_depth, path_of, words
from core.ingestion.types import Chunk, ParsedDocument

_LISTED = (
    r"figures|tables|illustrations|abbreviations|symbols|algorithms|listings|acronyms|definitions|theorems"
    r"|examples|exercises"
)
_MATTER = re.compile(
    r"^(?:(?:table\s+of\s+)?contents|contents\s+in\s+brief|brief\s+contents|detailed\s+contents"
    rf"|list\s+of\s+(?:{_LISTED})(?:\s+and\s+(?:{_LISTED}))?"
    r"|(?:general\s+|subject\s+|author\s+|name\s+|alphabetical\s+)?index(?:\s+of\s+\w+)?"
    r"|bibliography|references|selected\s+references|cited\s+works|works\s+cited|literature(?:\s+cited)?"
    r"|(?:further|suggested|recommended)\s+reading|weiterführende\s+literatur"
    r"|acknowledge?ments?|about\s+(?:the|this)\s+(?:authors?|book|editors?)|colophon|copyright(?:\s+page)?"
    r"|title\s+page|half\s*[- ]?title|(?:front\s+|back\s+)?cover|dedication|imprint|also\s+by\s+.+"
    # German lecture notes and books
    r"|inhalt|inhaltsverzeichnis|inhaltsübersicht|verzeichnisse"
    r"|(?:abbildungs|tabellen|abkürzungs|symbol|stichwort|sach|literatur|quellen|namens|personen)verzeichnis"
    r"|sachregister|stichwortregister|literatur|danksagung|impressum|kolophon|widmung|titelseite"
    r"|über\s+(?:die|den)\s+autor(?:en|in|innen)?)$",
    re.IGNORECASE,
)
_PREFACE = re.compile(
    r"^(?:preface|foreword|prologue|preface\s+to\s+the\s+.+\s+edition|vorwort|geleitwort"
    r"|vorwort\s+zur\s+.+\s+auflage)$",
    re.IGNORECASE,
)
_REFERENCES = re.compile(
    r"^(?:references|bibliography|literature|works\s+cited|further\s+reading|literatur|literaturverzeichnis"
    r"|quellen|quellenverzeichnis|weiterführende\s+literatur)$",
    re.IGNORECASE,
)
_LEADER = re.compile(r"(?:\s?[.·…]){3,}\s*(?:\d{1,4}|(?-i:[ivxlc]{1,6}))\b")
_PAGE_REF = re.compile(r",\s*\d{1,4}(?:\s*[–-]\s*\d{1,4})?(?=[\s,;.]|$)")
_TOKEN = re.compile(r"[^\W_]+")
_YEAR = re.compile(r"\b(?:1[6-9]|20)\d\d[a-z]?\b")
_NUMBERING = re.compile(
    r"^\s*(?:(?:chapter|kapitel|appendix|anhang)\s+)?(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-Z]\.?)\s+", re.IGNORECASE
)
# A line of a table of contents or an index: words, maybe dot leaders, then page numbers.
_LISTING_LINE = re.compile(r"(?=.*[^\W\d_]).*[\s.·…](?:\d{1,4}|(?-i:[ivxlc]{1,6}))(?:\s*[,–-]\s*\d{1,4})*\s*", re.I)
_RIGHTS = re.compile(
    r"\bISBN\b|©|\(c\)\s*(?:19|20)\d\d|\bcopyright\s+(?:\(c\)\s*)?(?:19|20)\d\d|\ball rights reserved\b"
    r"|\blibrary of congress\b|\balle rechte vorbehalten\b|\bbibliografische information\b",
    re.IGNORECASE,
)


class Matter(Enum):
    CONTENT = "content"
    PREFACE = "preface"
    MATTER = "matter"  # never a module, lesson or lesson body


def _plain(title: str) -> str:
    text = _NUMBERING.sub("", " ".join(title.replace("¶", "").split()))
    return text.strip(" .:").strip()


def title_matter(title: str) -> Matter:
    plain = _plain(title)
    if _MATTER.match(plain):
        return Matter.MATTER
    if _PREFACE.match(plain):
        return Matter.PREFACE
    return Matter.CONTENT


def path_matter(path: tuple[str, ...], depth: int, text: str) -> Matter:
    """A chunk under `path` is matter when a heading of it down to the module level `depth` is
    ("Index", "Back Matter > Index"); below that, only when it is a reference list (by its
    heading and its look: a section "Bibliography" may also teach how to make one)."""
    kinds = [title_matter(title) for title in path[:depth]]
    if Matter.MATTER in kinds:
        return Matter.MATTER
    if Matter.PREFACE in kinds:
        return Matter.PREFACE
    if any(_REFERENCES.match(_plain(title)) for title in path[depth:]) and reference_list(text):
        return Matter.MATTER
    return Matter.CONTENT


def reference_list(text: str) -> bool:
    """Entries of a bibliography: a year every few dozen words."""
    return len(_YEAR.findall(text)) * 40 >= len(text.split())


def rights_notice(text: str) -> bool:
    """A copyright or licence notice (of a title page's back, or a book's colophon)."""
    return bool(_RIGHTS.search(text)) and len(text.split()) < 300


def is_matter_page(text: str) -> bool:
    """A page of front matter by its look: nearly empty (title, half title), a copyright
    notice, or a listing (contents, list of figures, index) whose lines end in page numbers."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    words = sum(len(line.split()) for line in lines)
    if words < 40:
        return True
    if rights_notice(text):
        return True
    listing = sum(bool(_LISTING_LINE.fullmatch(line)) for line in lines)
    return len(lines) >= 3 and listing >= 0.5 * len(lines)


def matter_pages(parsed: ParsedDocument, pages: range) -> bool:
    """Whether every page in `pages` (1-based) is front matter by its look."""
    return all(is_matter_page(parsed.pages[p - 1]) for p in pages if 0 < p <= len(parsed.pages))


def index_text(text: str) -> bool:
    """Text of a back-of-book index: "term, 12, 45" entries, a page reference every few words."""
    words = sum(any(ch.isalnum() for ch in token) for token in text.split())
    return len(_PAGE_REF.findall(text)) * 6 >= words


def listing_text(text: str) -> bool:
    """Text of a table of contents once its lines are joined: an entry's page number every few words."""
    words = sum(any(ch.isalnum() for ch in token) for token in text.split())
    return len(_LEADER.findall(text)) * 12 >= words


def _front_end(parsed: ParsedDocument, chunks: list[Chunk]) -> int:
    """How many leading chunks come before the first heading (a level-0 section, or one titled
    like the document: a title page); 0 when nothing else follows (a text without headings)."""
    titles = {(), (" ".join(parsed.title.split()),)}
    first = path_of(chunks[0])[:1] if chunks else ()
    if first and _book_title(first[0], parsed.title) and all(path_of(c)[:1] == first for c in chunks):
        titles.add(first)  # the text under a book's title heading, before its first chapter
    n = 0
    while n < len(chunks) and path_of(chunks[n]) in titles:
        n += 1
    return n if n < len(chunks) else 0


def _book_title(heading: str, doc_title: str) -> bool:
    """An unnumbered heading made of the document title's words ("Discrete Mathematics" for
    "Discrete Mathematics: Lecture Notes"); a numbered one is a chapter."""
    words = set(_TOKEN.findall(heading.lower()))
    return bool(words) and not _NUMBERING.match(heading) and words <= set(_TOKEN.findall(doc_title.lower()))


def split_matter(
    parsed: ParsedDocument, chunks: list[Chunk], intro_chunks: int
) -> tuple[list[Chunk], list[Chunk], str]:
    """(introduction chunks, course chunks, the introduction's title); matter is left out.

    Headings are matter at the levels above lessons (a chapter "Index", "Back Matter > Index");
    deeper, only a reference list is (a chapter's closing "References", not a section that
    teaches how to make a bibliography). Whatever comes before a preface is front matter too.
    The introduction is the preface, or what is left of the text before the first heading once
    its title page, copyright notice and table of contents are gone."""
    front = _front_end(parsed, chunks)
    body = [c for c in chunks[front:] if all(title_matter(t) is Matter.CONTENT for t in path_of(c)[:1])]
    depth = module_depth(body) if body else 1
    kinds = [path_matter(path_of(c), depth, c.text) for c in chunks]
    for i in range(len(chunks) - 1, front - 1, -1):  # an index or a list without its own heading, at the end
        if kinds[i] is not Matter.MATTER and not (index_text(chunks[i].text) or listing_text(chunks[i].text)):
            break
        kinds[i] = Matter.MATTER
    tiny_front = words(chunks[:front]) < MIN_SECTION_WORDS
    prefaces = [i for i, kind in enumerate(kinds) if kind is Matter.PREFACE and i >= front]
    preface = prefaces[0] if prefaces and prefaces[0] <= len(chunks) // 5 else None
    intro: list[Chunk] = []
    intro_title = ""
    content: list[Chunk] = []
    for i, (chunk, kind) in enumerate(zip(chunks, kinds, strict=True)):
        if kind is Matter.CONTENT and i < (front if preface is None else preface):
            # before the first heading: an introduction, unless a preface follows
            kind = Matter.PREFACE if preface is None else Matter.MATTER
        if kind is Matter.PREFACE:
            pages = range(chunk.page_start, chunk.page_end + 1)
            looks = rights_notice(chunk.text) or listing_text(chunk.text) or matter_pages(parsed, pages)
            if (i < front and tiny_front) or looks:
                kind = Matter.MATTER  # a title page, a copyright notice, a table of contents
        if kind is Matter.PREFACE and len(intro) < intro_chunks:  # a short introduction
            intro.append(chunk)
            named = [t for t in path_of(chunk) if title_matter(t) is Matter.PREFACE]
            intro_title = intro_title or (clean_title(named[0]) if named else "Introduction")
        elif kind is Matter.CONTENT or (kind is Matter.PREFACE and i < front):
            content.append(chunk)  # a long text before the first heading is course material
        # else: matter, or the rest of a long preface; both stay searchable for the tutor
    return intro, content, intro_title

"""Offline lesson writer: the key sentences of a lesson's chunks, each cited to the page it is on.

No model and no network. Sentences are scored TF-IDF/centroid style (a cheap stand-in for
TextRank) with the course's pages as the IDF corpus, and every quote is cut out of the page
text itself, so a citation always resolves to a page that really contains it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import takewhile

from core.generation.outline import STOPWORDS, clean_title, wordset
from core.ingestion.types import Chunk, Citation, LessonDraft, LessonText

_ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|Mr|Mrs|Dr|Fig|No|approx)\.$", re.I)
_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z])")
_TOKEN = re.compile(r"[a-z][a-z0-9_']+")
_PROSE_WORD = re.compile(r"^[\"“(]?[A-Za-z][a-z'’-]*[,.;:!?\"”)]*$")
_CODE_LINE = re.compile(
    r"^\s*(?:>>>|\.\.\.|\$ |#|def |class |import |from \S+ import|return\b|Traceback"
    r"|[A-Z]\w*(?:Error|Exception|Warning):)"
)
_DEFINITION = re.compile(r"^(?:An?|The)?\s*[\w.()-]+(?:\s[\w.()-]+){0,3} (?:is|are|refers to|means)\b")
_REFERENTIAL = re.compile(r"^(?:This|These|That|Those|It|They|Here|Such|So|But|Or|And|Also|Then)\b")
_POINTING = re.compile(r"\b(?:following|below|above|previous|next chapter|as shown)\b", re.I)
_SIGNATURE = re.compile(r"^[A-Za-z_][\w.]*\(.*\)$")
_BULLET = re.compile(r"^\s*[•●▪◦‣–*-]\s+")
# "... not found starting a new one The most direct way": output glued to a sentence.
_RUN_ON = re.compile(r"[a-z,] (?:The|This|These|It|If|When|To|In) [a-z]")
_LEGAL = re.compile(r"\b(?:licen[cs]ed?|copyright|all rights reserved|isbn)\b", re.I)
_FUNCTION_WORDS = wordset("a an the of to in is are be for on with as by it that from at and or not can")
_NOT_IMPERATIVE = wordset("this the a an it these that there if when in for you we note see")


def clean(text: str) -> str:
    """Reading form: PDF hyphen markers and bullet glyphs gone, whitespace collapsed."""
    text = text.replace("\ufffe", "-").replace("\u00ad", "")
    text = re.sub(r"(?m)^`{3,}\w*$", "", text)  # code fences of the chunk text
    text = re.sub(r"(?<=[.!?])\s?\[\d{1,3}\]", "", text)  # the source's own footnote marks
    return " ".join(_BULLET.sub("", text).split())


_SUBSCRIPT = re.compile(r"(?<![`\w])([A-Za-z_][\w.]*\[[^\]\s]*\](?:\.\w+|\[[^\]\s]*\])*)")


def as_markdown(text: str) -> str:
    """Code like sys.argv[0] in backticks: bare, its [0] would read as a citation marker."""
    return _SUBSCRIPT.sub(r"`\1`", text)


def words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


@dataclass
class Sentence:
    text: str  # cleaned, what the student reads
    chunk: Chunk
    paragraph: int  # index of the paragraph within the chunk
    first: bool  # first sentence of its paragraph
    page: int = 0
    quote: str = ""
    label: str = ""  # shown before the sentence (an API signature it describes), not quoted

    @cached_property
    def word_set(self) -> frozenset[str]:
        """Its content words; kept, since the tutor compares a sentence with every question."""
        return frozenset(words(self.text))


class CourseIndex:
    """Per-course statistics: IDF over pages, running headers, page keys for exact quoting."""

    def __init__(self, pages: Mapping[str, list[str]]) -> None:
        self.pages = pages
        df: Counter[str] = Counter()
        lines: Counter[str] = Counter()
        total = sum(len(texts) for texts in pages.values())
        for texts in pages.values():
            for text in texts:
                df.update(set(words(text)))
                lines.update({re.sub(r"\d+", "#", ln.strip()) for ln in text.splitlines() if ln.strip()})
        self.idf = {w: math.log((1 + total) / (1 + n)) + 1.0 for w, n in df.items()}
        self.default_idf = math.log(1 + total) + 1.0
        # A line repeated on many pages is a running header or footer, not content.
        self.boilerplate = {ln for ln, n in lines.items() if total >= 5 and n >= max(3, total * 0.3)}
        self._keys: dict[tuple[str, int], tuple[str, list[int]]] = {}

    def _page_key(self, document_id: str, page: int) -> tuple[str, list[int]]:
        cached = self._keys.get((document_id, page))
        if cached is None:
            text = self.pages[document_id][page - 1]
            positions = [i for i, ch in enumerate(text) if ch.isalnum()]
            cached = ("".join(text[i].lower() for i in positions), positions)
            self._keys[(document_id, page)] = cached
        return cached

    def locate(self, document_id: str, text: str, first: int, last: int) -> tuple[int, str] | None:
        """The page in [first-1, last+1] that holds `text`, and the text as printed there."""
        key = "".join(ch for ch in text.lower() if ch.isalnum())
        texts = self.pages.get(document_id)
        if len(key) < 12 or not texts:
            return None
        for page in range(max(1, first - 1), min(len(texts), last + 1) + 1):
            page_key, positions = self._page_key(document_id, page)
            at = page_key.find(key)
            if at >= 0:
                raw = texts[page - 1][positions[at] : positions[at + len(key) - 1] + 1]
                return page, " ".join(raw.replace("\ufffe", "-").split())
        return None


_INDEX_CACHE: dict[int, tuple[Mapping[str, list[str]], CourseIndex]] = {}


def course_index(pages: Mapping[str, list[str]]) -> CourseIndex:
    """Memoised per mapping object: a course's lessons share one index (the writer reuses `pages`)."""
    hit = _INDEX_CACHE.get(id(pages))
    if hit is not None and hit[0] is pages:
        return hit[1]
    if len(_INDEX_CACHE) > 8:
        _INDEX_CACHE.clear()
    index = CourseIndex(pages)
    _INDEX_CACHE[id(pages)] = (pages, index)  # holding `pages` keeps its id from being reused
    return index


def is_code_line(line: str) -> bool:
    s = line.strip()
    symbolic = sum(ch in "=()[]{}<>_/\\'\"`:;|" for ch in s) > 0.12 * len(s) > 0
    short = 0 < len(s.split()) <= 3 and not s.endswith(".")
    return bool(_CODE_LINE.match(s)) or symbolic or short


def is_prose(text: str) -> bool:
    """A whole, readable sentence: not code, not a fragment, not a heading."""
    toks = text.split()
    if not 6 <= len(toks) <= 60 or (not text[0].isupper() and text[0] not in '"“(') or ">>>" in text:
        return False
    if not text.endswith((".", "!")) or text.count("(") != text.count(")") or text.count('"') % 2:
        return False
    if _LEGAL.search(text) or _RUN_ON.search(text) or sum(t.lower() in _FUNCTION_WORDS for t in toks) < 2:
        return False  # licence lines, title-like lines without grammar
    return sum(bool(_PROSE_WORD.match(t)) for t in toks) / len(toks) >= 0.7


def split_sentences(chunk: Chunk, index: CourseIndex | None = None) -> list[Sentence]:
    """Prose sentences of a chunk, in order; code lines and running headers break the text."""
    out: list[Sentence] = []
    skip = index.boilerplate if index else set()
    signature = ""
    for p_no, para in enumerate(re.split(r"\n\s*\n", chunk.text)):
        blocks: list[tuple[str, list[str]]] = [(signature, [])]
        for line in para.splitlines():
            s = line.strip()
            if not s or s.isdigit() or re.sub(r"\d+", "#", s) in skip:
                continue
            if is_code_line(s):
                signature = s if _SIGNATURE.match(s) else ""
                blocks.append((signature, []))
            else:
                blocks[-1][1].append(s)
                signature = ""
        for sig, block in blocks:
            parts: list[str] = []
            for piece in _SPLIT.split(clean(" ".join(block))):
                if parts and _ABBREV.search(parts[-1]):
                    parts[-1] += " " + piece  # "e.g. Foo" is not a sentence boundary
                else:
                    parts.append(piece)
            for i, sent in enumerate(parts):
                if is_prose(sent):
                    # "list.pop([i])" then "Remove the item ...": keep what the sentence is about.
                    plain = sig and not re.search("[\"']", sig) and sent.split()[0].lower() not in _NOT_IMPERATIVE
                    label = f"`{sig}`: " if plain and i == 0 else ""
                    out.append(Sentence(sent, chunk, p_no, first=i == 0, label=label))
    return out


def confirm(sentences: Sequence[Sentence], index: CourseIndex | None) -> list[Sentence]:
    """Keep sentences whose page is certain, filling in page and the quote as printed."""
    kept = []
    for s in sentences:
        c = s.chunk
        single = (c.page_start, s.text) if c.page_start == c.page_end else None
        hit = index.locate(c.document_id, s.text, c.page_start, c.page_end) if index else single
        if hit:
            s.page, s.quote = hit
            kept.append(s)
    return kept


def score(sentences: Sequence[Sentence], title: str, index: CourseIndex | None) -> list[float]:
    """Centrality to the lesson (TF-IDF cosine to the centroid) plus cues of a key sentence."""
    idf, default = (index.idf, index.default_idf) if index else ({}, 1.0)
    vecs = [{w: c * idf.get(w, default) for w, c in Counter(words(s.text)).items()} for s in sentences]
    centroid: Counter[str] = Counter()
    for v in vecs:
        centroid.update(v)
    c_norm = math.sqrt(sum(x * x for x in centroid.values())) or 1.0
    title_words = set(words(title))
    scores = []
    for s, v in zip(sentences, vecs, strict=True):
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        value = sum(x * centroid[w] for w, x in v.items()) / (norm * c_norm)
        section_words = title_words | set(words(s.chunk.section.split(" > ")[-1]))
        value += 0.3 * len(section_words & v.keys()) / (len(section_words) or 1)
        value += 0.25 if _DEFINITION.match(s.text) else 0.0
        value += 0.1 if s.first else 0.0
        value -= 0.15 if _REFERENTIAL.match(s.text) else 0.0
        value -= 0.1 if _POINTING.search(s.text) else 0.0
        value -= 0.1 if len(s.text.split()) < 9 else 0.0
        scores.append(value)
    return scores


def key_sentences(
    chunks: Sequence[Chunk], title: str, index: CourseIndex | None, limit: int
) -> list[tuple[Sentence, float]]:
    """The best `limit` sentences with their scores, spread over the lesson's sections, in order."""
    sentences = confirm([s for c in chunks for s in split_sentences(c, index)], index)
    if not sentences:
        return []
    scores = score(sentences, title, index)
    sections = list(dict.fromkeys(c.section for c in chunks))
    per_section = Counter(c.section for c in chunks)
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []

    bags = [set(words(s.text)) for s in sentences]

    def take(i: int) -> bool:
        if i in chosen or any(len(bags[i] & bags[j]) > 0.5 * len(bags[i] | bags[j]) for j in chosen):
            return False
        chosen.append(i)
        return True

    # Every section gets a share in proportion to its size, then the best of the rest fill up.
    for sec in sections:
        quota = max(1, round(limit * per_section[sec] / len(chunks)))
        for i in (i for i in ranked if sentences[i].chunk.section == sec):
            if len(chosen) >= limit or quota == 0:
                break
            quota -= take(i)
    for i in ranked:
        if len(chosen) >= limit:
            break
        take(i)
    return [(sentences[i], scores[i]) for i in sorted(chosen)]


def _code_example(chunks: Sequence[Chunk], index: CourseIndex | None) -> tuple[Chunk, str, int, str] | None:
    """The first short interactive session (>>> lines and their output) printed on one page."""
    for chunk in chunks if index else ():
        lines = [ln.rstrip() for ln in chunk.text.splitlines() if ln.strip()]
        for i in (i for i, ln in enumerate(lines) if ln.lstrip().startswith(">>>")):
            if i and is_code_line(lines[i - 1]):
                continue  # not the start of a session
            run = lines[i : i + 8]
            block = list(takewhile(lambda ln: is_code_line(ln) and ">>>" not in ln.lstrip()[3:], run))
            # End on an output line, so the example shows a result.
            while len(block) > 2 and block[-1].lstrip().startswith((">>>", "...")):
                block.pop()
            if len(block) < 2 or all(b.lstrip().startswith((">>>", "...")) for b in block):
                continue
            hit = index.locate(chunk.document_id, "\n".join(block), chunk.page_start, chunk.page_end)  # type: ignore[union-attr]
            if hit:
                return chunk, "\n".join(block), hit[0], hit[1]
    return None


def write_lesson(
    draft: LessonDraft, *, max_sentences: int = 12, pages: Mapping[str, list[str]] | None = None
) -> LessonText:
    """Markdown lesson of cited key sentences under the lesson's subsection headings."""
    index = course_index(pages) if pages else None
    picked = key_sentences(draft.chunks, draft.title, index, max_sentences)
    citations: list[Citation] = []
    blocks: list[str] = []
    code = _code_example(draft.chunks, index)
    sections = list(dict.fromkeys(c.section for c in draft.chunks))
    for sec in sections:
        mine = [s for s, _ in picked if s.chunk.section == sec]
        heading = clean_title(sec.split(" > ")[-1])
        if mine and heading and len(sections) > 1 and heading != draft.title:
            blocks.append(f"### {heading}")
        para: list[str] = []
        last: tuple[str, int] | None = None
        for s in mine:
            where = (s.chunk.id, s.paragraph)
            if para and (len(para) >= 3 or last is None or where[0] != last[0] or where[1] - last[1] > 1):
                blocks.append(" ".join(para))
                para = []
            citations.append(Citation(s.chunk.document_id, s.page, s.quote))
            para.append(f"{s.label}{as_markdown(s.text)} [{len(citations)}]")
            last = where
        if para:
            blocks.append(" ".join(para))
        if code and code[0].section == sec and mine:
            citations.append(Citation(code[0].document_id, code[2], code[3]))
            blocks.append(f"```python\n{code[1]}\n```\n[{len(citations)}]")
            code = None
    short = [p for p in picked if len(p[0].text.split()) <= 30] or picked
    top = sorted(short, key=lambda p: -p[1])[:2]
    summary = " ".join(s.text for s, _ in sorted(top, key=lambda p: picked.index(p)))
    return LessonText(body="\n\n".join(blocks), citations=citations, summary=summary)

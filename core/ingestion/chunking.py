"""Sections -> retrieval chunks of about `target_tokens`, with page spans and stable ids.

A chunk never crosses a section boundary (its citation names one heading path). Inside a
section, small paragraphs are packed together, long ones are cut between sentences (or between
words, for a "sentence" such as a code listing that never ends), and each chunk after the first
repeats the last sentences of the previous one, up to `overlap_tokens`, so an answer that
straddles the cut is still found whole in one chunk.

Chunk text is light markdown: paragraphs apart by a blank line, a code paragraph (a listing,
an interactive session) fenced with ``` and its lines kept, cut between lines when too long.
The lesson writer renders that structure; search and the tutor read it as text.

Tokens are estimated as words * 1.3 (close to the WordPiece/BPE counts of English prose for
the embedders we use); no tokenizer is loaded for this.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from dataclasses import dataclass

from core.ingestion.types import Chunk, ParsedDocument, Section

TOKENS_PER_WORD = 1.3
# a sentence ends at . ! ? (plus closing quotes/brackets) before whitespace and a capital/digit
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class _Piece:
    """A sentence (or a slice of a very long one) with the page it comes from."""

    text: str
    page: int
    tokens: int
    paragraph: int  # index of its paragraph in the section: pieces of one paragraph join with " "
    code: bool = False  # a slice of a code paragraph: pieces of one join with a line break


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text.split()) * TOKENS_PER_WORD)


def chunk_id(document_id: str, ordinal: int, text: str) -> str:
    """Same document, position and text -> same id, so re-running a job upserts in place."""
    digest = hashlib.sha256(f"{document_id}\x1f{ordinal}\x1f{text}".encode()).hexdigest()
    return digest[:32]


def chunk_document(
    doc: ParsedDocument,
    *,
    document_id: str,
    course_id: str,
    target_tokens: int = 300,
    overlap_tokens: int = 40,
) -> list[Chunk]:
    if target_tokens <= 0 or overlap_tokens < 0 or overlap_tokens >= target_tokens:
        raise ValueError("need 0 <= overlap_tokens < target_tokens")
    chunks: list[Chunk] = []
    for section in doc.sections:
        name = " > ".join(section.path) if section.path else section.title
        for pieces in _section_windows(section, target_tokens, overlap_tokens):
            text = _join(pieces)
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    id=chunk_id(document_id, ordinal, text),
                    document_id=document_id,
                    course_id=course_id,
                    ordinal=ordinal,
                    section=name,
                    page_start=min(p.page for p in pieces),
                    page_end=max(p.page for p in pieces),
                    text=text,
                )
            )
    return chunks


def _pieces(section: Section, max_tokens: int) -> list[_Piece]:
    out: list[_Piece] = []
    for index, para in enumerate(section.paragraphs):
        if para.kind == "code":
            out += _code_pieces(para.text, para.page, index, max_tokens)
            continue
        # code keeps its lines; sentence splitting is for prose
        parts = [para.text] if estimate_tokens(para.text) <= max_tokens else _sentences(para.text)
        for part in parts:
            tokens = estimate_tokens(part)
            if tokens <= max_tokens:
                out.append(_Piece(part, para.page, tokens, index))
                continue
            words = part.split()
            step = max(1, int(max_tokens / TOKENS_PER_WORD))
            for start in range(0, len(words), step):
                piece = " ".join(words[start : start + step])
                out.append(_Piece(piece, para.page, estimate_tokens(piece), index))
    return out


def _code_pieces(text: str, page: int, paragraph: int, max_tokens: int) -> list[_Piece]:
    """Whole lines, as many as fit (a line longer than that stands alone)."""
    out: list[_Piece] = []
    lines: list[str] = []
    for line in text.strip("\n").split("\n"):
        if lines and estimate_tokens("\n".join([*lines, line])) > max_tokens:
            out.append(_Piece("\n".join(lines), page, estimate_tokens("\n".join(lines)), paragraph, code=True))
            lines = []
        lines.append(line)
    if lines:
        out.append(_Piece("\n".join(lines), page, estimate_tokens("\n".join(lines)), paragraph, code=True))
    return out


def _sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append(text[start : m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _section_windows(section: Section, target: int, overlap: int) -> list[list[_Piece]]:
    """Greedy packing of pieces into windows of <= target tokens (+ the overlap carried in)."""
    pieces = _pieces(section, target)
    windows: list[list[_Piece]] = []
    current: list[_Piece] = []
    carried = 0  # leading pieces of `current` repeated from the previous window
    fresh = 0  # tokens of the other pieces
    for piece in pieces:
        if fresh and fresh + piece.tokens > target:
            windows.append(current)
            current = _tail(current, overlap)
            carried, fresh = len(current), 0
        current.append(piece)
        fresh += piece.tokens
    if fresh:
        # a small remainder joins the previous window rather than standing alone
        if windows and fresh < target // 4 and sum(p.tokens for p in windows[-1]) + fresh <= target * 1.25:
            windows[-1].extend(current[carried:])
        else:
            windows.append(current)
    return windows


def _tail(window: list[_Piece], overlap: int) -> list[_Piece]:
    """The last whole sentences of `window` that fit in `overlap` tokens (maybe none)."""
    tail: list[_Piece] = []
    total = 0
    for piece in reversed(window):
        if total + piece.tokens > overlap:
            break
        tail.insert(0, piece)
        total += piece.tokens
    return tail


def _join(pieces: list[_Piece]) -> str:
    blocks: list[str] = []
    for _paragraph, group in itertools.groupby(pieces, key=lambda p: p.paragraph):
        parts = list(group)
        if parts[0].code:
            blocks.append(fence("\n".join(p.text for p in parts)))
        else:
            blocks.append(" ".join(p.text for p in parts))
    return "\n\n".join(blocks)


def fence(code: str) -> str:
    """A fence longer than any run of backticks in the code, so the code cannot close it."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}\n{code}\n{marks}"

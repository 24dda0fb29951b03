"""A chapter that two documents of a course hold (a DOCX and a PDF of the same text): taught once.

Two modules from different documents are the same chapter when most of one's text is in the
other (word 5-grams, so line breaks, hyphenation and headings do not matter). When each holds
the other (two copies of one text) the course keeps the copy of the document uploaded first,
the one it already had, so regenerating after adding the second copy changes nothing the
teacher arranged or edited; when one only holds part of the other (a document with a few
sections of a book's chapter) it keeps the whole one, so nothing is lost. The copy left out
stays searchable for the tutor. Each case is reported so the teacher can remove the extra
document. Two modules that only share a title stay both, the later one named after its
document, so no course has two modules of one name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.ingestion.types import ModuleDraft

SAME_TEXT = 0.5  # share of a module's 5-grams found in the other: the other holds it
COPIES = 0.8  # each holds this much of the other: two copies of one text
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class DuplicateChapter:
    title: str  # of the module taught
    kept_document_id: str
    dropped_document_id: str
    dropped_title: str  # of the module left out


def _shingles(module: ModuleDraft) -> frozenset[tuple[str, ...]]:
    tokens = _TOKEN.findall(" ".join(c.text for lesson in module.lessons for c in lesson.chunks).lower())
    return frozenset(tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4))


def _share(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """How much of `a` is in `b`."""
    return len(a & b) / len(a) if a else 0.0


def drop_duplicates(
    per_document: Sequence[tuple[str, list[ModuleDraft]]], document_titles: dict[str, str]
) -> tuple[list[ModuleDraft], list[DuplicateChapter]]:
    """All modules in document order without the second copy of a chapter, and the copies dropped."""
    entries = [(doc, module, _shingles(module)) for doc, modules in per_document for module in modules]
    dropped: set[int] = set()
    found: list[DuplicateChapter] = []
    for i, (doc_i, _module_i, text_i) in enumerate(entries):
        for j in range(i + 1, len(entries)):
            doc_j, _module_j, text_j = entries[j]
            if doc_j == doc_i or j in dropped or i in dropped:
                continue
            i_in_j, j_in_i = _share(text_i, text_j), _share(text_j, text_i)
            if max(i_in_j, j_in_i) < SAME_TEXT:
                continue
            copies = min(i_in_j, j_in_i) >= COPIES
            keep, drop = (i, j) if copies or j_in_i >= i_in_j else (j, i)
            dropped.add(drop)
            found.append(
                DuplicateChapter(entries[keep][1].title, entries[keep][0], entries[drop][0], entries[drop][1].title)
            )
    kept = [(doc, module) for k, (doc, module, _t) in enumerate(entries) if k not in dropped]
    first_of: dict[str, str] = {}  # title -> the document that has it first
    for doc, module in kept:
        if first_of.setdefault(module.title.casefold(), doc) != doc and document_titles.get(doc):
            module.title = f"{module.title} ({document_titles[doc]})"
    return [module for _doc, module in kept], found

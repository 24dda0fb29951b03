"""Definitions and true/false statements for quizzes, and the check that a changed statement is
verifiably wrong.

A statement is made false only in ways the material itself refutes: its key term swapped for
another term of the same kind that the course never uses on a page about the same thing, or a
plain statement (one "is", "are", "can", "must", ...; no hedge, no quantifier) negated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.generation.extractive import CourseIndex, Sentence, words
from core.generation.quiz_terms import STOP, WEAK, base_of, kind_of, pattern_of, wordset
from core.ingestion.types import Citation, QuestionDraft

if TYPE_CHECKING:
    from core.generation.quiz import Builder

_DEFINITION = re.compile(
    # "A function f : A → B is a relation ...": the term, then maybe its symbols (one letter or
    # a token with a sign in it), then the definition.
    r"^(?:An?|The)\s+((?:[a-z][\w-]*|[A-Z]\w*)(?: (?!(?:of|on|in|from|to|with|for)\b)[a-z][\w-]+){0,2})"
    r"(?: (?:[A-Za-z]|\S*[^\w\s,.;]\S*)){0,6} (?:is|are|refers to|means) "
    r"((?:an?|the|one|used)\b.*)$"
    r"|^([A-Z][a-z-]+(?: [a-z-]+){0,2}s) are ((?!often|usually|also|not|sometimes|never|always|only|just|"
    r"simply|very|more|less|then|now|still|called)[a-z].*)$"
    r"|^([A-Z][A-Za-z]*[A-Z][A-Za-z-]*)(?: \[[^\]]*\]| \([^)]*\))? is (an?\b.*)$"
)
_BAD_SUBJECT = wordset("it this that these those there here such one other result first following way")
_SIGNATURE = re.compile(r"^([A-Za-z_][\w.]*)\(.*\)$")
_NOT_IMPERATIVE = wordset("this the a an it these that there if when in for you we note see")
_REFS = re.compile(r"\s*\[[^\]]*\d{4}[^\]]*\]")
_AUX = re.compile(r"\b(is|are|can|must|will|should)\b( not\b)?|\b(cannot|isn't|aren't|can't|won't)\b")
_UNSAFE = re.compile(
    r"\b(?:not|no|never|none|nothing|may|might|could|would|often|usually|sometimes|generally|typically|"
    r"some|most|many|few|only|also|all|every|always|both|either|neither|nor|just|mostly|rather|than|"
    r"similar|similarly|if|unless|although|though|whether|e\.g|i\.e|etc)\b|n[’']t\b",
    re.I,
)
_NEGATED = {"cannot": "can", "isn't": "is", "aren't": "are", "can't": "can", "won't": "will"}
_REFERENTIAL = re.compile(
    r"^(?:This|These|That|Those|It|Its|They|Their|Here|Such|So|But|Or|And|Also|Then|Thus|However|"
    r"For (?:example|instance|brevity)|In (?:this|that|the following|the example)|As (?:such|a result)|"
    r"Note|Now|Otherwise|Instead|Similarly)\b"
)
PROMPT = "Which statement is true, according to the course?"


@dataclass
class Statement:
    """A defined term and its description, from one sentence."""

    term: str
    term_kind: str
    text: str
    sentence: Sentence

    @classmethod
    def of_definition(cls, s: Sentence) -> Statement | None:
        d = definition(s)
        return cls(d[0], kind_of(d[0]), d[1], s) if d else None


def definition(s: Sentence) -> tuple[str, str] | None:
    """'A set is an unordered collection ...' -> ('set', 'an unordered collection ...');
    '`list.append(x)`: Add an item ...' (a described signature) -> ('list.append()', 'Add an item ...')."""
    sig = re.match(r"`([A-Za-z_][\w.]*)\(", s.label)
    section = s.chunk.section.split(" > ")[-1].strip()
    if not sig and s.first and s.paragraph == 0 and _SIGNATURE.match(section):
        sig = _SIGNATURE.match(section)
    first = s.text.split()[0]
    if sig and first.lower() not in _NOT_IMPERATIVE and first[0].isupper() and not first.endswith("s"):
        return f"{sig.group(1)}()", s.text
    m = _DEFINITION.match(_REFS.sub("", s.text).rstrip("."))
    if not m:
        return None
    groups = [g for g in m.groups() if g is not None]
    term, rest = groups[0], groups[1]
    if set(term.lower().split()) & (_BAD_SUBJECT | WEAK | STOP) or len(rest.split()) < 5:
        return None
    if re.search(rf"\b{re.escape(base_of(term))}", rest, re.I):
        return None  # the description names the term: nothing to ask
    if kind_of(term) == "noun" and term[0].isupper() and not term[1:2].isupper():
        term = term[0].lower() + term[1:]
    return term, rest[0].upper() + rest[1:] + "."


_FACTS: dict[int, tuple[CourseIndex, Facts]] = {}


def facts_of(index: CourseIndex) -> Facts:
    """Memoised per course index, as the index is per course (extractive.course_index)."""
    hit = _FACTS.get(id(index))
    if hit is None or hit[0] is not index:
        if len(_FACTS) > 8:
            _FACTS.clear()
        hit = _FACTS[id(index)] = (index, Facts(index))
    return hit[1]


class Facts:
    """Which sentences of the course use which words, to tell a changed sentence it never says."""

    def __init__(self, index: CourseIndex) -> None:
        self.index = index
        self.units: list[str] = []  # the course's sentences, normalised
        self.by_word: dict[str, set[int]] = defaultdict(set)
        for texts in index.pages.values():
            for text in texts:
                for part in re.split(r"(?<=[.!?:;])\s+|\n\s*\n", text):
                    norm = _norm(part)
                    if norm:
                        for w in set(norm.split()):
                            self.by_word[w].add(len(self.units))
                        self.units.append(norm)

    def units_with(self, phrase: str) -> set[int]:
        parts = _norm(phrase).split()
        if not parts:
            return set()
        found = set.intersection(*(self.by_word.get(w, set()) for w in parts))
        key = f" {' '.join(parts)} "
        return {u for u in found if key in f" {self.units[u]} "}

    def wrong_in(self, sentence: str, answer: str, option: str) -> bool:
        """`option` in place of `answer` is said nowhere, and no sentence of the course uses it with
        the sentence's two most specific words (where the course might say it in other words)."""
        changed = re.sub(rf"(?<![\w.-]){re.escape(answer)}(?![\w-])", option, sentence, count=1, flags=re.I)
        at = _norm(changed).split()
        opt = _norm(option).split()
        for i in range(len(at) - len(opt) + 1):
            if at[i : i + len(opt)] == opt:
                if self.units_with(" ".join(at[max(0, i - 3) : i + len(opt) + 3])):
                    return False
                break
        rare = sorted(
            {w for w in words(sentence) if w not in _norm(answer).split() and w not in opt},
            key=lambda w: (-self.index.idf.get(w, self.index.default_idf), w),
        )[:2]
        where = self.units_with(option)
        for w in rare:
            where &= self.by_word.get(w, set())
        return not rare or not where


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9_]+", text.lower().replace("\ufffe", "-")))


_MATH = re.compile(r"[=<>≤≥≠∈∉⊆⊂∪∩→⇒⇔∀∃∅×∼|]")


def negate(text: str) -> str | None:
    """The plain statement with its one auxiliary negated (or its one negation removed)."""
    found = list(_AUX.finditer(text))
    if len(found) != 1 or len(text[: found[0].start()].split()) > 10 or re.match(r"\s+to\b", text[found[0].end() :]):
        return None
    m = found[0]
    rest = text[: m.start()] + text[m.end() :]
    # A negated claim must read as a claim: a word after the verb, no formula around it, and a
    # subject that is a phrase, not "Examples" or "that" (a clause's verb negates something else).
    after = text[m.end() :].split()[:1]
    if _UNSAFE.search(rest) or not after or not after[0].isalpha() or _MATH.search(text):
        return None
    if re.search(r"\b(?:that|which|who|examples?)\s*$", text[: m.start()], re.I):
        return None
    if m.group(3):
        return text[: m.start()] + _NEGATED[m.group(3).lower()] + text[m.end() :]
    if m.group(2):
        return text[: m.start()] + m.group(1) + text[m.end() :]
    word = m.group(1)
    return text[: m.start()] + ("cannot" if word == "can" else f"{word} not") + text[m.end() :]


def swap(s: Sentence, build: Builder) -> str | None:
    """The sentence with one of its key terms replaced by a same-kind term the course refutes."""
    if s.text not in build.swaps:
        build.swaps[s.text] = _swap(s, build)
    return build.swaps[s.text]


def _swap(s: Sentence, build: Builder) -> str | None:
    for term in build.pool:
        found = list(pattern_of(term).finditer(s.text))
        if len(found) != 1:
            continue
        # A plausible swap, not nonsense: a term the course uses much like this one.
        other = build.distractors(term, s.text, count=1, least=0.45 if kind_of(term) == "noun" else 0.3)
        if other:
            m = found[0]
            new = other[0][0].upper() + other[0][1:] if m.start() == 0 else other[0]
            return s.text[: m.start()] + new + s.text[m.end() :]
    return None


def _standalone(s: Sentence) -> bool:
    """A statement that reads alone: starts with a capital, points at nothing before it."""
    return s.text[0].isupper() and not _REFERENTIAL.match(s.text)


def _apart(mine: set[str], x: Sentence) -> bool:
    return len(mine & set(words(x.text))) < len(mine) / 2


def true_statement(s: Sentence, every: Sequence[Sentence], build: Builder, seed: str) -> QuestionDraft | None:
    """The course's sentence `s` among three statements made false from other sentences."""
    from core.generation.quiz import h, usable

    if not _standalone(s) or not any(pattern_of(t).search(s.text) for t in build.pool[:60]):
        return None
    mine = set(words(s.text))
    others = sorted(
        (x for x in every if x is not s and usable(x) and _standalone(x) and _apart(mine, x)),
        key=lambda x: h(seed, s.text + x.text),
    )
    false: list[str] = []
    made_of: set[str] = set()
    negations = 0
    for x in others:
        made = swap(x, build)
        if made is None and negations == 0:
            made = negate(x.text)
            negations += made is not None
        if made and made != x.text and made not in false and made != s.text:
            false.append(made)
            made_of.add(x.text)
        if len(false) == 3:
            break
    if len(false) < 3:
        return None
    q = QuestionDraft(
        prompt=PROMPT,
        options=[s.text, *false],
        answer_index=0,
        explanation=(
            f'True: "{s.text}" Each other option changes a statement of the course (a term swapped for '
            f'another, or a negation). On page {s.page}: "{s.quote}"'
        ),
        citation=Citation(s.chunk.document_id, s.page, s.quote),
        kind="true_statement",
    )
    build.sources[id(q)] = {s.text}
    build.falsified[id(q)] = made_of
    return q

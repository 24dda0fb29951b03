"""A course's key terms for quizzes: what they are (their kind), how they are used (their
contexts), and which are trivia no question should ask about (URLs, people, versions, files).

Options of one question are terms of one kind that the course uses in similar contexts, so a
wrong option fits the sentence as well as the answer does and only knowing the material tells
them apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from core.generation.extractive import is_code_line, split_sentences
from core.ingestion.types import Chunk


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROLE = r"(?:statement|keyword|clause)"
_CODE = re.compile(
    r"(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*\(\)|(?<![\w.])[A-Za-z]\w*(?:\.[A-Za-z_]\w*)+\b|"
    r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b|\b_{0,2}[a-z]+(?:_[a-z]+)+_{0,2}\b"
)
# Names written with two capitals or more: ELMo, BERT, GloVe, LSTM, self-attention is not one.
_NAME = re.compile(r"(?<![\w.-])(?=[A-Za-z]*[A-Z][a-z]*[A-Z])[A-Z][A-Za-z]{1,9}(?:-[A-Z0-9][A-Za-z0-9]*)?(?![\w-])")
_KEYWORD = re.compile(rf"\b[Tt]he ([a-z]+) {ROLE}\b")
_BIGRAM = re.compile(r"(?<![\w:.-])([a-z]{3,}(?:-[a-z]{3,})?) ([a-z]{4,}(?:-[a-z]{3,})?)(?![\w-])")
_HYPHENATED = re.compile(r"(?<![\w-])([a-z]{3,}-[a-z]{4,})(?![\w-])")
_EXCEPTION = re.compile(r"(?:Error|Exception|Warning|Interrupt|Iteration|Exit)$")
# Words that make a poor first or second half of a two-word term ("different types", "loop over").
WEAK = wordset(
    "different good special same many several various certain whole simple own common useful "
    "possible important small large actual general particular specific main real given previous next "
    "last single over after before under again instead away back out down into onto through without "
    "within import occurs returns contains means allows provides makes takes uses works needs gives "
    "calls looks becomes shows includes requires supports raises creates above below here there "
    "huge recent further little much less least best better pretty surprisingly simply "
    "during between among per via upon because while where whose whether until since toward towards "
    "every each some any all both either neither"
)
_NOT_NOUN = re.compile(r"(?:ly|ing|ed|able|ible|ful|less|ous|ive)$")
STOP = wordset(
    "the a an and or of to in is are be for on with as by it this that from at you your can not but "
    "if then than which was were has have will would should could may also more most such other into "
    "all any each one some when how does only about used using very same new first following example "
    "called two three four five what where why who these those its their our like"
)
# Trivia: nothing a student should learn by heart (where to read more, who helped, which version).
_TRIVIA_WORDS = wordset(
    "page pages figure fig table chapter section appendix version release copyright licence license "
    "email mail thanks website site url http https www edition isbn doi arxiv proceedings conference "
    "preprint journal author authors editor tutorial documentation docs"
)
_TRIVIA = re.compile(r"\d|://|www\.|@|\.(?:py|txt|html?|pdf|org|com|net|json|csv|md|cfg|ini|zip)\b", re.I)
# "multi-line", "built-in", "re-raise": adjectives and verbs, not terms.
_PREFIXES = wordset(
    "multi non pre re co sub semi built well high low read write user case end top left right short long"
)
_NOT_NAMES = wordset("I II III IV VI OK PDF URL HTTP HTTPS HTML API IDE GUI OS CPU GPU TODO USA UK EU IEEE ACM")
# Sections that hold no course content: references, thanks, licences, "about this document".
REFERENCE_SECTION = re.compile(
    r"\b(?:references?|bibliography|acknowledge?ments?|further reading|licen[cs]e|copyright|colophon|"
    r"about (?:this|the) (?:document|book|tutorial)|history and license|index)\b",
    re.I,
)


@lru_cache(maxsize=8192)  # pure: a bound, no state
def kind_of(term: str) -> str:
    """call, dotted, exception, class, snake, statement, clause, keyword, name, or noun."""
    if term.endswith("()"):
        return "call"
    m = re.search(rf" ({ROLE})$", term)
    if m:
        return m.group(1)
    if " " in term:
        return "noun"
    if "." in term:
        return "dotted"
    if "_" in term:
        return "snake"
    if _EXCEPTION.search(term) and term[0].isupper():
        return "exception"
    if _NAME.fullmatch(term) and re.search(r"[A-Z]{2}|[A-Z]$", term):
        return "name"  # BERT, ELMo, LSTM, GPT-3
    return "class" if re.search(r"[a-z][A-Z]", term) and term[0].isupper() else "noun"


@lru_cache(maxsize=8192)  # pure: a bound, no state
def base_of(term: str) -> str:
    """Variants of one term (plural, call parentheses, module prefix, role word) share a base."""
    if kind_of(term) in ("statement", "clause", "keyword"):
        return term.split()[0]
    t = term.lower().removesuffix("()").split(".")[-1].replace("-", " ")
    return re.sub(r"(?:es|s)$", "", t)


def shown(term: str) -> str:
    """What an option reads: the keyword of 'try statement', the term itself otherwise."""
    return term.split()[0] if kind_of(term) in ("statement", "clause", "keyword") else term


def plural(text: str) -> bool:
    last = text.split()[-1].lower() if text.split() else ""
    return kind_of(text) == "noun" and last.endswith("s") and not last.endswith(("ss", "us", "is", "ics"))


def is_trivia(term: str) -> bool:
    words = term.lower().replace("-", " ").split()
    return bool(_TRIVIA.search(term)) or any(w in _TRIVIA_WORDS for w in words) or term in _NOT_NAMES


def content_chunks(chunks: Sequence[Chunk]) -> list[Chunk]:
    """The chunks that teach: not references, acknowledgements or licences."""
    return [c for c in chunks if not REFERENCE_SECTION.search(c.section.split(" > ")[-1])]


@dataclass
class Terms:
    """Key terms, best first, and each one's bag of context words (for same-kind similarity)."""

    ranked: list[str]
    contexts: dict[str, Counter[str]] = field(default_factory=dict)

    def similarity(self, a: str, b: str) -> float:
        ca, cb = self.contexts.get(a), self.contexts.get(b)
        if not ca or not cb:
            return 0.0
        dot = sum(v * cb[k] for k, v in ca.items() if k in cb)
        return dot / (math.sqrt(sum(v * v for v in ca.values())) * math.sqrt(sum(v * v for v in cb.values())))


def _candidates(text: str) -> Iterable[str]:
    yield from (m.group(0) for m in _CODE.finditer(text) if len(m.group(0)) > 3)
    yield from (f"{m.group(1)} {m.group(0).split()[-1]}" for m in _KEYWORD.finditer(text))
    yield from (m.group(0) for m in _NAME.finditer(text) if m.group(0) not in _NOT_NAMES)
    for m in _HYPHENATED.finditer(text):
        first, second = m.group(1).split("-", 1)
        # Not "floating-point" or "well-tested": modifiers, not terms.
        modifier = _NOT_NOUN.search(second) or re.search(r"(?:ing|ed)$", first)
        if not {first, second} & (STOP | WEAK | _PREFIXES) and not modifier:
            yield m.group(1)
    for m in _BIGRAM.finditer(text):
        first, second = m.group(1), m.group(2)
        if not {first, second} & (STOP | WEAK) and not _NOT_NOUN.search(second):
            yield f"{first} {second}"


def analyse(chunks: Sequence[Chunk], defined: Iterable[str] = ()) -> Terms:
    """Terms used at least twice (noun phrases three times), defined terms the course uses again."""
    counts: Counter[str] = Counter()
    teaching = content_chunks(chunks)
    sentences = [s.text for c in teaching for s in split_sentences(c)]
    for text in sentences:
        counts.update(_candidates(text))
    # CamelCase words count only as code (MyClass, OrderedDict), not as product names (JavaScript).
    in_code = {w for c in teaching for ln in c.text.splitlines() if is_code_line(ln) for w in re.findall(r"\w+", ln)}
    for term in [t for t in counts if kind_of(t) == "class" and t not in in_code]:
        del counts[term]
    text_all = " ".join(sentences).lower()
    extra = {d for d in defined if text_all.count(d.lower()) >= 2}
    # Slides and short notes say a term fewer times than a book does.
    phrase_min = 3 if len(sentences) >= 300 else 2
    keep = {t for t, n in counts.items() if n >= (phrase_min if kind_of(t) in ("noun", "name") else 2)} | extra
    keep = {t for t in keep if not is_trivia(t)}
    ranked = sorted(keep, key=lambda t: (-counts[t] - (2 if t in extra else 0), t))
    seen: set[str] = set()
    out: list[str] = []
    for term in ranked:  # one spelling per base: "tuple" and "tuples" are one term
        if base_of(term) not in seen:
            seen.add(base_of(term))
            out.append(term)
    return Terms(out, _contexts(out, sentences))


@lru_cache(maxsize=8192)  # pure: a bound, no state
def pattern_of(term: str) -> re.Pattern[str]:
    """Where a term is used: a role keyword only before its role word ("try" in "try statement")."""
    text = shown(term)
    tail = rf"(?= {term.split()[-1]})" if text != term else r"(?![\w-])"
    return re.compile(rf"(?<![\w.-]){re.escape(text)}{tail}", re.I if kind_of(term) == "noun" else 0)


def _contexts(terms: Sequence[str], sentences: Sequence[str]) -> dict[str, Counter[str]]:
    """Neighbouring words (weighted up) and the sentence's other content words, per term."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    patterns = [(t, pattern_of(t)) for t in terms]
    for text in sentences:
        low = text.lower()
        words = re.findall(r"[a-z_]+", low)
        content = [w for w in words if w not in STOP and len(w) > 2]
        for term, pattern in patterns:
            m = pattern.search(text)
            if not m:
                continue
            left = re.findall(r"[a-z_]+", low[: m.start()])[-2:]
            right = re.findall(r"[a-z_]+", low[m.end() :])[:2]
            bag = out[term]
            bag.update({f"<{w}": 3 for w in left})
            bag.update({f">{w}": 3 for w in right})
            bag.update(w for w in content if w not in shown(term).lower())
    return dict(out)

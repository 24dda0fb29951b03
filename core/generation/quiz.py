"""Offline quiz questions built from the text: definitions and fill-in-the-blank.

Every question is grounded in one sentence whose page is confirmed (the citation quotes it as
printed); distractors come from the same course and look like the answer (same kind, similar
length), so a question can't be solved by spotting the odd option out.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from core.generation.extractive import Sentence, course_index, key_sentences, split_sentences
from core.ingestion.types import Chunk, Citation, QuestionDraft


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ROLE = r"(?:statement|keyword|clause)"
_CODE = re.compile(
    r"(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*\(\)|(?<![\w.])[A-Za-z]\w*(?:\.[A-Za-z_]\w*)+\b|"
    r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b|\b_{0,2}[a-z]+(?:_[a-z]+)+_{0,2}\b"
)
_KEYWORD = re.compile(rf"\b[Tt]he ([a-z]+) {_ROLE}\b")
_DEFINITION = re.compile(
    r"^(?:An?|The)\s+((?:[a-z][\w-]*|[A-Z]\w*)(?: [a-z][\w-]*){0,2}) (is|are|refers to|means) "
    r"((?:an?|the|one|used|called)\b.*)$|^([A-Z][a-z]+s) (are) ((?:an?|the|used|called)\b.*)$"
)
_BAD_SUBJECT = _wordset("it this that these those there here such one other result first following way")
_BIGRAM = re.compile(r"(?<![\w:.-])([a-z]{3,}) ([a-z]{4,})(?![\w-])")
# Words that make a poor first or second half of a two-word term ("different types", "loop over").
_WEAK = _wordset(
    "different good special same many several various certain whole simple own common useful "
    "possible important small large actual general particular specific main real given previous next "
    "last single over after before under again instead away back out down into onto through without "
    "within import occurs returns contains means allows provides makes takes uses works needs gives "
    "calls looks becomes shows includes requires supports raises creates above below here there"
)
_NOT_NOUN = re.compile(r"(?:ly|ing|ed)$")
_STOP = _wordset(
    "the a an and or of to in is are be for on with as by it this that from at you your can not but "
    "if then than which was were has have will would should could may also more most such other into "
    "all any each one some when how does only about used using very same new first following example "
    "called"
)


def _h(seed: str, text: str) -> int:
    return int(hashlib.sha1(f"{seed}|{text}".encode()).hexdigest()[:12], 16)


def _kind(term: str) -> str:
    """Options of one question share a kind: calls, dotted names, CamelCase, roles, phrases, words."""
    if term.endswith("()"):
        return "call"
    if " " in term:
        return "role" if re.search(rf" {_ROLE}$", term) else "noun"
    if "." in term:
        return "dotted"
    if "_" in term:
        return "snake"
    return "camel" if re.search(r"[a-z][A-Z]", term) else "noun"


def _base(term: str) -> str:
    """Variants of one term (plural, call parentheses, module prefix) share a base."""
    if _kind(term) == "role":
        return term.split()[0]  # "try statement" and "try clause" are the same option: "try"
    t = term.lower().removesuffix("()").split(".")[-1]
    return re.sub(r"(?:es|s)$", "", t)


def extract_terms(chunks: Sequence[Chunk]) -> list[str]:
    """Key terms of a course: code identifiers, `X statement` roles, defined terms, noun pairs."""
    counts: Counter[str] = Counter()
    defined: set[str] = set()
    for chunk in chunks:
        for s in split_sentences(chunk):
            counts.update(m.group(0) for m in _CODE.finditer(s.text) if len(m.group(0)) > 3)
            counts.update(f"{m.group(1)} {m.group(0).split()[-1]}" for m in _KEYWORD.finditer(s.text))
            counts.update(
                " ".join(m.groups())
                for m in _BIGRAM.finditer(s.text)
                if not {m.group(1), m.group(2)} & (_STOP | _WEAK) and not _NOT_NOUN.search(m.group(2))
            )
            d = _definition(s.text)
            if d:
                defined.add(d[0])
    keep = [t for t, n in counts.items() if n >= (3 if _kind(t) == "noun" else 2)]
    # A defined term counts only if the course uses it again: "A special problem is ..." doesn't.
    text = " ".join(c.text.lower() for c in chunks)
    terms = set(keep) | {d for d in defined if text.count(d.lower()) >= 2}
    ranked = sorted(terms, key=lambda t: (-counts[t] - (2 if t in defined else 0), t))
    seen: set[str] = set()
    out = []
    for term in ranked:  # one spelling per base: "tuple" and "tuples" are one term
        if _base(term) not in seen:
            seen.add(_base(term))
            out.append(term)
    return out


def _definition(text: str) -> tuple[str, str] | None:
    """'A set is an unordered collection ...' -> ('set', 'an unordered collection ...')."""
    m = _DEFINITION.match(text.rstrip("."))
    if not m:
        return None
    term, rest = (m.group(1), m.group(3)) if m.group(1) else (m.group(4), m.group(6))
    if term.split()[0].lower() in _BAD_SUBJECT | _WEAK or len(rest.split()) < 5:
        return None
    return (term if _kind(term) != "noun" or term[0].islower() else term.lower()), rest


def _distractors(answer: str, pool: Sequence[str], prompt: str, seed: str) -> list[str] | None:
    """Three options of the answer's kind, close in length, absent from the prompt."""
    kind, base = _kind(answer), _base(answer)
    if kind == "role":
        answer = answer.split()[0]
    seen = {base}
    options: list[tuple[tuple[int, int], str]] = []
    for term in pool:
        if _kind(term) != kind or _base(term) in seen:
            continue
        text = term.split()[0] if kind == "role" else term
        if _mentions(prompt, text) or base in _base(term) or _base(term) in base:
            continue
        seen.add(_base(term))
        plural = answer.endswith("s") != text.endswith("s")
        suffix = text[-4:] == answer[-4:]  # "TypeError" pairs with "ValueError", not "JavaScript"
        options.append(((abs(len(text) - len(answer)) // 3 + 2 * plural - 2 * suffix, _h(seed, text)), text))
    picked = [t for _, t in sorted(options)[:3]]
    return picked if len(picked) == 3 else None


def _mentions(prompt: str, answer: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", prompt, re.I) is not None


def _question(prompt: str, answer: str, wrong: list[str], s: Sentence) -> QuestionDraft:
    return QuestionDraft(
        prompt=prompt,
        options=[answer, *wrong],
        answer_index=0,
        explanation=f'The answer is "{answer}". On page {s.page}: "{s.quote}"',
        citation=Citation(s.chunk.document_id, s.page, s.quote),
    )


def _define(s: Sentence, pool: Sequence[str], seed: str) -> QuestionDraft | None:
    d = _definition(s.text)
    if not d or _base(d[0]) not in {_base(t) for t in pool} or re.search(rf"\b{re.escape(_base(d[0]))}", d[1], re.I):
        return None  # the description names the term: no question there
    prompt = f"Which term is described as: “{d[1]}”?"
    if _mentions(prompt, d[0]):
        return None
    wrong = _distractors(d[0], pool, prompt, seed)
    return _question(prompt, d[0], wrong, s) if wrong else None


def _cloze(s: Sentence, pool: Sequence[str], seed: str) -> QuestionDraft | None:
    present = []
    for term in pool:
        text = term.split()[0] if _kind(term) == "role" else term
        tail = rf"(?= {term.split()[-1]})" if _kind(term) == "role" else r"(?!\w)"
        pattern = re.compile(rf"(?<![\w.-]){re.escape(text)}{tail}", re.I if _kind(term) == "noun" else 0)
        if pattern.search(s.text):
            present.append((term, text, pattern))
    # The most specific term makes the best blank: code first, then longer terms.
    rank = {"camel": 0, "call": 0, "dotted": 0, "snake": 0, "role": 1, "noun": 2}
    for term, text, pattern in sorted(present, key=lambda p: (rank[_kind(p[0])], -len(p[1].split()), -len(p[1]), p[1])):
        blanked = pattern.sub("_____", s.text)
        if blanked.count("_____") > 2 or not 8 <= len(blanked.split()) <= 40:
            continue
        prompt = f"Fill in the blank: {blanked}"
        if _mentions(prompt, text):
            continue  # "in" or "open()" still readable elsewhere in the sentence
        wrong = _distractors(term, pool, prompt, seed)
        if wrong:
            return _question(prompt, text, wrong, s)
    return None


def balance_positions(questions: Sequence[QuestionDraft], seed: str) -> list[QuestionDraft]:
    """Move each answer to a position so A-D counts differ by at most one (seeded, deterministic)."""
    rng = random.Random(seed)
    targets = [i % 4 for i in range(len(questions))]
    rng.shuffle(targets)
    out = []
    for q, target in zip(questions, targets, strict=True):
        answer = q.options[q.answer_index]
        wrong = [o for i, o in enumerate(q.options) if i != q.answer_index]
        rng.shuffle(wrong)
        out.append(replace(q, options=[*wrong[:target], answer, *wrong[target:]], answer_index=target))
    return out


def make_questions(
    chunks: Sequence[Chunk],
    pages: Mapping[str, list[str]],
    *,
    n: int,
    seed: str,
    term_pool: Sequence[str],
) -> list[QuestionDraft]:
    """Up to `n` questions spread over the chunks' sections; fewer rather than weak ones."""
    index = course_index(pages)
    pool = list(term_pool)
    by_section: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_section.setdefault(chunk.section, []).append(chunk)
    queues: list[list[QuestionDraft]] = []
    for section, members in by_section.items():
        ranked = sorted(key_sentences(members, section.split(" > ")[-1], index, 8), key=lambda p: -p[1])
        found = [q for s, _ in ranked for q in (_define(s, pool, seed), _cloze(s, pool, seed)) if q]
        queues.append(found)
    order = sorted(range(len(queues)), key=lambda i: _h(seed, str(i)))
    picked: list[QuestionDraft] = []
    answers: set[str] = set()
    quotes: set[str] = set()
    while len(picked) < n and any(queues):
        for i in order:  # round-robin over sections so one section can't fill the quiz
            while queues[i] and len(picked) < n:
                q = queues[i].pop(0)
                key = _base(q.options[0])
                if key in answers or q.citation.quote in quotes:
                    continue
                answers.add(key)
                quotes.add(q.citation.quote)
                picked.append(q)
                break
    return balance_positions(picked, seed)

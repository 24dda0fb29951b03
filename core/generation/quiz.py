"""Offline quiz questions built from the text, of four kinds: term and definition, which
statement is true, what an example prints, and fill-in-the-blank.

Every question is grounded in text whose page is confirmed (the citation quotes it as printed).
Wrong options are of the answer's kind and fit where the answer goes (core/generation/quiz_terms.py),
and are verifiably wrong: the course never says the sentence with them, nor uses them on a
page about the same thing. Trivia (URLs, people thanked, versions, file names) is never asked.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from core.generation.extractive import CourseIndex, Sentence, course_index, key_sentences
from core.generation.quiz_code import code_question, examples
from core.generation.quiz_statements import Statement, definition, facts_of, true_statement
from core.generation.quiz_terms import (
    Terms,
    analyse,
    base_of,
    content_chunks,
    is_trivia,
    kind_of,
    pattern_of,
    plural,
    shown,
)
from core.ingestion.types import Chunk, Citation, QuestionDraft

KINDS = ("true_statement", "definition", "code_output", "cloze")  # the scarcest first
_SKIP = re.compile(
    r"\b(?:see|thanks?|et al|figure|fig\.|documentation|for (?:more )?(?:details|information)|chapter|"
    r"section \d|page \d|version \d|python \d|https?:|www\.|this tutorial|reference manual)\b|(?<![\w.])\.[a-z]\w*\b",
    re.I,
)


def h(seed: str, text: str) -> int:
    return int(hashlib.sha1(f"{seed}|{text}".encode()).hexdigest()[:12], 16)


def extract_terms(chunks: Sequence[Chunk]) -> list[str]:
    """Key terms of a course, best first (the pipeline hands them to every quiz as distractors)."""
    return analyse(chunks, _defined(chunks)).ranked


def _defined(chunks: Sequence[Chunk]) -> list[str]:
    from core.generation.extractive import split_sentences

    out = []
    for chunk in content_chunks(chunks):
        for s in split_sentences(chunk):
            d = definition(s)
            if d:
                out.append(d[0])
    return out


# An exercise or a step of a proof ("Prove that ...", "Let n be ...") states nothing to ask about.
_INSTRUCTION = re.compile(
    r"^(?:Prove|Show|Assume|Suppose|Let|Fix|Find|Compute|Determine|Exercise|Example|Hint|Proof)\b"
)


def usable(s: Sentence) -> bool:
    return (
        8 <= len(s.text.split()) <= 40
        and not _SKIP.search(s.text)
        and "?" not in s.text
        and not _INSTRUCTION.match(s.text)
    )


class Builder:
    """Question makers sharing one quiz's material: its terms, pages and seed."""

    def __init__(self, terms: Terms, pool: Sequence[str], index: CourseIndex, seed: str) -> None:
        self.terms, self.index, self.seed = terms, index, seed
        self.pool = [t for t in dict.fromkeys([*terms.ranked, *pool]) if not is_trivia(t)]
        self.facts = facts_of(index)
        # The sentences each question was made from: one quiz uses a sentence once, so a
        # statement made false in one question can't be checked against another question.
        self.sources: dict[int, set[str]] = {}
        self.falsified: dict[int, set[str]] = {}  # the sentences a question's wrong statements come from
        self.swaps: dict[str, str | None] = {}  # sentence -> its false version by a term swap

    def distractors(self, answer: str, sentence: str, count: int = 3, least: float = -1.0) -> list[str] | None:
        """`count` terms of the answer's kind and number, likeliest first, each wrong in `sentence`;
        with `least`, only terms the course uses at least that much like the answer."""
        kind, base = kind_of(answer), base_of(answer)
        roles = ("statement", "clause", "keyword")
        text_of = shown(answer)
        scored: list[tuple[tuple[float, int], str]] = []
        seen = {base}
        for term in self.pool:
            same = kind_of(term) == kind or (kind in roles and kind_of(term) in roles)
            if not same or base_of(term) in seen or base in base_of(term) or base_of(term) in base:
                continue
            option = shown(term)
            if kind == "noun" and plural(term) != plural(answer):
                continue
            if _vowel(option) != _vowel(text_of) and re.search(rf"\b(?:a|an)\s+{re.escape(text_of)}", sentence, re.I):
                continue  # "an _____" takes an option that starts like the answer
            if mentions(sentence, option) or not self.facts.wrong_in(sentence, text_of, option):
                continue
            seen.add(base_of(term))
            similar = self.terms.similarity(answer, term)
            if similar < least:
                continue
            closeness = similar + (0.3 if kind_of(term) == kind else 0.0)
            closeness -= 0.02 * abs(len(option.split()) - len(text_of.split()))
            scored.append(((-closeness, h(self.seed, option)), option))
        picked = [t for _, t in sorted(scored)[:count]]
        return picked if len(picked) == count else None

    def cloze(self, s: Sentence) -> QuestionDraft | None:
        if not usable(s):
            return None
        present = []
        for term in self.pool:
            text = shown(term)
            found = list(pattern_of(term).finditer(s.text))
            if len(found) == 1:  # one blank per question
                present.append((term, text, found[0]))
        rank = {"call": 0, "dotted": 0, "exception": 0, "class": 0, "snake": 0, "name": 1}
        for term, text, m in sorted(present, key=lambda p: (rank.get(kind_of(p[0]), 2), -len(p[1]), p[1])):
            blanked = f"{s.text[: m.start()]}_____{s.text[m.end() :]}"
            if mentions(blanked, text) or (blanked.startswith("_____") and kind_of(term) == "noun"):
                continue
            wrong = self.distractors(term, s.text)
            if wrong:
                return self.question(f"Fill in the blank: {blanked}", m.group(0), wrong, s, "cloze")
        return None

    def define(self, s: Sentence, definitions: Sequence[Statement]) -> QuestionDraft | None:
        """Term from its description, or (where the course defines enough terms) the reverse."""
        d = definition(s)
        if not usable(s) or d is None or is_trivia(d[0]):
            return None
        term, description = d
        others = [x for x in definitions if x.term_kind == kind_of(term) and base_of(x.term) != base_of(term)]
        others = [x for x in others if not mentions(x.text, shown(term)) and not mentions(description, x.term)]
        if len(others) >= 3 and h(self.seed, s.text) % 2:
            picked = sorted(others, key=lambda x: (-self.terms.similarity(term, x.term), h(self.seed, x.text)))[:3]
            what = "does" if term.endswith("()") else f"is {_article(term)}"
            prompt = f"According to the course, what {what} {term}{' do' if term.endswith('()') else ''}?"
            return self.question(prompt, description, [x.text for x in picked], s, "definition")
        prompt = f"Which {'one does this' if term.endswith('()') else 'term is described here'}: “{description}”?"
        if mentions(prompt, shown(term)):
            return None
        if term.endswith("()") and "." in term:
            # A described method (list.pop()) among the other methods the course describes, all
            # named alike (pop(), append()), so the odd spelling can't give the answer away.
            short = term.split(".")[-1]
            names = list(dict.fromkeys(x.term.split(".")[-1] for x in others if x.term.endswith("()")))
            names = [n for n in names if n != short and not mentions(description, n.removesuffix("()"))]
            names.sort(key=lambda n: h(self.seed, n))
            return self.question(prompt, short, names[:3], s, "definition") if len(names) >= 3 else None
        wrong = self.distractors(term, description)
        return self.question(prompt, shown(term), wrong, s, "definition") if wrong else None

    def question(self, prompt: str, answer: str, wrong: list[str], s: Sentence, kind: str) -> QuestionDraft:
        q = QuestionDraft(
            prompt=prompt,
            options=[answer, *wrong],
            answer_index=0,
            explanation=f'The answer is "{answer}". On page {s.page}: "{s.quote}"',
            citation=Citation(s.chunk.document_id, s.page, s.quote),
            kind=kind,
        )
        self.sources[id(q)] = {s.text}
        return q


def _article(term: str) -> str:
    if plural(term) or kind_of(term) != "noun":
        return ""
    return "an" if _vowel(term) else "a"


def _vowel(text: str) -> bool:
    return text[:1].lower() in "aeiou"


def mentions(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.I) is not None


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
    """Up to `n` questions of mixed kinds spread over the chunks' sections; fewer rather than weak ones."""
    index = course_index(pages)
    teaching = content_chunks(chunks)
    build = Builder(analyse(teaching, _defined(teaching)), term_pool, index, seed)
    by_section: dict[str, list[Chunk]] = {}
    for chunk in teaching:
        by_section.setdefault(chunk.section, []).append(chunk)
    picked_sentences = {}
    for section, members in by_section.items():
        ranked = sorted(key_sentences(members, section.split(" > ")[-1], index, 14), key=lambda p: -p[1])
        picked_sentences[section] = [s for s, _ in ranked]
    every = [s for ss in picked_sentences.values() for s in ss]
    definitions = [x for x in (Statement.of_definition(s) for s in every) if x is not None]
    queues: dict[str, list[list[QuestionDraft]]] = {kind: [] for kind in KINDS}
    for sentences in picked_sentences.values():
        queues["definition"].append([q for s in sentences if (q := build.define(s, definitions))])
        queues["cloze"].append([q for s in sentences if (q := build.cloze(s))])
        truths = [s for s in sentences if usable(s)]
        queues["true_statement"].append(
            [q for s in truths if (q := true_statement(s, every, build, seed))]
        )
    found = examples(teaching)
    codes = (code_question(ex, found, index, h(seed, str(i))) for i, ex in enumerate(found))
    queues["code_output"] = [[q for q in codes if q]]
    return balance_positions(_pick(queues, n, seed, build), seed)


def _pick(queues: dict[str, list[list[QuestionDraft]]], n: int, seed: str, build: Builder) -> list[QuestionDraft]:
    """Round-robin over kinds, and within a kind over sections, so no kind or section fills the quiz.
    An answer is asked once; where the material has few terms (slides), twice, in other sentences."""
    picked: list[QuestionDraft] = []
    answers: Counter[str] = Counter()
    used: set[str] = set()  # sentences a question asks about
    falsified: set[str] = set()  # sentences shown made false: never asked about elsewhere
    again: dict[str, list[list[QuestionDraft]]] = {kind: [[]] for kind in KINDS}

    def take(q: QuestionDraft, times: int) -> bool:
        key = base_of(q.options[0]) if q.kind in ("cloze", "definition") else q.options[0]
        made_of = build.sources.get(id(q), set()) | {q.citation.quote}
        false_from = build.falsified.get(id(q), set())
        if made_of & (used | falsified) or false_from & used:
            return False
        if answers[key] >= times:
            if times == 1:
                again[q.kind][0].append(q)
            return False
        answers[key] += 1
        used.update(made_of)
        falsified.update(false_from)
        picked.append(q)
        return True

    for times, pending in ((1, queues), (2, again)):
        cursors = {kind: h(seed, kind) for kind in KINDS}
        while len(picked) < n and any(any(q) for q in pending.values()):
            for kind in KINDS:
                sections = pending[kind]
                for step in range(len(sections)):
                    queue = sections[(cursors[kind] + step) % len(sections)]
                    taken = False
                    while queue and not taken:
                        taken = take(queue.pop(0), times)
                    if taken:
                        cursors[kind] += step + 1
                        break
                if len(picked) >= n:
                    break
    # No more blanks than other questions (where the material gives little
    # else, as slides do, three): the other kinds ask more than recall of a word.
    limit = max(sum(q.kind != "cloze" for q in picked), min(3, n))
    return [q for q in picked if q.kind != "cloze" or (limit := limit - 1) >= 0]

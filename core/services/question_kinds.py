"""What kind of answer a question wants, and the passage shape that gives it (offline tutor).

"What is X" wants the sentence that defines X; "how do I" wants the steps and the code that
follows them; "why" wants the reason. Closeness to the question alone picked neighbouring
sentences (for "how do I open a file for reading?" no `open()` was shown), so each kind
nudges the sentences that have its shape, and a "how" answer brings its code block along.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.generation.extractive import Sentence, is_code_line

DEFINITION, HOW, WHY, FACT = "definition", "how", "why", "fact"

# Question openings per kind, in the supported languages (lower case, after detection).
_KINDS = [
    (WHY, re.compile(r"^(why|what is the reason|warum|wieso|weshalb|pourquoi|por qu[eé])\b|क्यों|কেন|ஏன்|का\?|கார", re.I)),
    (HOW, re.compile(
        r"^(how (do|can|should|would|to|does one)|how\b.*\?$|what (command|statement|method|function|module) "
        r"(do|can|should)|which (command|module|method|function|statement)|show|wie\b|comment\b|c[oó]mo\b)"
        r"|कैसे|কীভাবে|কিভাবে|எப்படி|कसे|ఎలా|ಹೇಗೆ|എങ്ങനെ|કેવી રીતે|ਕਿਵੇਂ|କିପରି", re.I)),
    (DEFINITION, re.compile(
        r"^(what (is|are|does .* mean)|define|was (ist|sind|bedeutet)|qu'est-ce|qu[eé] (es|son)\b)"
        r"|क्या है|কী\?|என்றால் என்ன|म्हणजे काय", re.I)),
]
_DEFINES = re.compile(r"\b(is an?|is the|are (?:an?|the)?|is called|are called|means|refers to|stands for)\b", re.I)
_REASON = re.compile(
    r"\b(because|since|so that|otherwise|the reason|this is why|that is why|in order to|to avoid|"
    r"good practice|ensures?|which means|as a result|advantage)\b", re.I)
_STEP = re.compile(
    r"\b(use|using|call|write|type|run|put|pass|add|create|define|open|import|follow(?:ed|ing)?)\b", re.I)
_CODE_FENCE = re.compile(r"^\s*```")
MAX_CODE_LINES = 12


def question_kind(question: str) -> str:
    text = question.strip().lower()
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return FACT


def shape_bonus(kind: str, sentence: Sentence, has_code: bool) -> float:
    """How well a sentence has the shape the question's kind asks for (added to its closeness)."""
    text = sentence.text
    if kind == DEFINITION:
        return 0.06 * bool(_DEFINES.search(text)) + 0.02 * sentence.first
    if kind == WHY:
        return 0.07 * bool(_REASON.search(text))
    if kind == HOW:
        return 0.05 * has_code + 0.03 * bool(_STEP.search(text))
    return 0.0


def code_after(sentence: Sentence) -> str:
    """The code block printed right after a sentence in its chunk ("" if prose comes first):
    the steps of a "how do I" answer are only useful with the code they describe."""
    return _code_after(sentence.chunk.text, sentence.text)


@lru_cache(maxsize=50_000)
def _code_after(text: str, sentence: str) -> str:
    # Remembered: every "how" question looks at up to 80 sentences, the same ones again and again.
    # The sentence as printed: its last few words locate it in the chunk's raw text.
    tail = sentence.split()[-3:]
    pattern = r"\s+".join(re.escape(w) for w in tail)
    found = re.search(pattern, text) if tail else None
    if found is None:
        return ""
    lines: list[str] = []
    for line in text[found.end():].splitlines()[1:]:
        if not line.strip():
            if lines:
                break  # a blank line ends the block once it started
            continue
        if _CODE_FENCE.match(line):
            continue
        if not is_code_line(line) and not line.startswith((" ", "\t", ">>>", "...")):
            break
        lines.append(line.rstrip())
        if len(lines) >= MAX_CODE_LINES:
            break
    return "\n".join(lines) if len(lines) >= 1 and any(ch in "()=:[]" for ch in "".join(lines)) else ""

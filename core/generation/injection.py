"""Sentences of the material that speak to an AI instead of a student ("ignore all previous
instructions ..."): material is data, never commands, so they are left out of lessons and
quizzes. With an LLM the material is also fenced as quoted data (core/generation/llm_writer.py).

A pattern list, not a classifier: it catches the phrasings such planted text uses (addressing
"previous instructions", "the system prompt", "you are now ..."), and a course's own prose about
instructions ("the CPU executes instructions") does not match them.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(previous|prior|above|earlier|preceding|"
    r"all|any|your|the)\b[^.!?\n]{0,30}\b(instructions?|prompts?|directions?|rules|guidelines|context)\b",
    r"\b(system|developer)\s+(prompt|message|instructions?)\b",
    r"\byou\s+are\s+now\b",
    r"\b(new|updated|real)\s+instructions?\s*:",
    r"\bas\s+an?\s+(ai|a\.i\.|language\s+model|llm|assistant)\b[^.!?\n]{0,40}\b(you|must|should)\b",
    r"\b(reveal|print|repeat|output)\s+(your|the)\s+(system\s+)?(prompt|instructions)\b",
    r"\bdo\s+not\s+follow\s+(the|your|any)\s+(previous|prior|above|original)\b",
    r"\b(instead|from\s+now\s+on)\b[^.!?\n]{0,20}\b(respond|reply|answer|write|say|output)\b[^.!?\n]{0,40}\bonly\b",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+[\"')\]]*|\n|$)")


def is_planted_instruction(text: str) -> bool:
    """Whether `text` addresses an AI model the way injected instructions do."""
    return bool(_INSTRUCTION.search(text))


def without_planted_instructions(text: str) -> str:
    """`text` without its sentences that are planted instructions; a paragraph holding none is
    left exactly as it was (code, lists and line breaks included)."""
    if not _INSTRUCTION.search(text):
        return text
    paragraphs = re.split(r"(\n\s*\n)", text)
    for i in range(0, len(paragraphs), 2):
        if _INSTRUCTION.search(paragraphs[i]):
            kept = [s for s in _SENTENCE.findall(paragraphs[i]) if s.strip() and not _INSTRUCTION.search(s)]
            paragraphs[i] = " ".join(s.strip() for s in kept)
    return "".join(paragraphs)

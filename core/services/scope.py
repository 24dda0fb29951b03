"""Questions outside the course even when its pages share a word with them.

Similarity alone answered "how do I declare a pointer in C?" from a Python book's page that
mentions pointers, and a question about a library the book never names from pages about
something else. Two rules decline them before any passage is quoted:
- the question names a library, tool or other name that appears nowhere in the course (a
  name: not an ordinary English word, which the bundled tokenizer's whole-word vocabulary
  tells apart);
- it asks about another programming language than the one the course is about ("in C").
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from core.ai.embeddings import TOKENIZER_PATH

# Names of programming languages, as they are written in questions (lower case).
PROGRAMMING_LANGUAGES = {
    "python", "c", "c++", "c#", "java", "javascript", "typescript", "rust", "go", "golang", "ruby", "php", "perl",
    "kotlin", "swift", "scala", "haskell", "matlab", "lua", "julia", "fortran", "cobol", "dart", "elixir",
}
_LANGUAGE_MENTION = re.compile(
    r"\b(?:in|with|using|for|of|mit|en|con|avec|dans)\s+(c\+\+|c#|[a-z]+)(?=[\s?.!,]|$)", re.I)
_INDIAN_SCRIPT = re.compile(r"[\u0900-\u0dff]")
_LATIN_NAME = re.compile(r"(?<![\w+#])(C\+\+|C#|[A-Za-z]+)(?![\w+#])")
# Latin-script names as a question writes them: letters, then letters, digits, _ + # . -
_NAME = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z0-9_+#]*(?:\.[A-Za-z0-9_]+)*")
_IDENTIFIER = re.compile(r"[0-9_+#.]|[a-z][A-Z]|^[A-Z]{2,}")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Whole words of the MiniLM tokenizer's vocabulary (~20k English words, lower case)."""
    vocab = json.loads(TOKENIZER_PATH.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha())


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(TOKENIZER_PATH))


def prefixes(vocabulary: frozenset[str]) -> frozenset[str]:
    """The five-letter beginnings of a course's words (kept with its vocabulary)."""
    return frozenset(w[:5] for w in vocabulary if len(w) >= 5)


def ordinary_word(word: str, vocabulary: frozenset[str], beginnings: frozenset[str] = frozenset()) -> bool:
    """An English word, or a form of one the course prints: not a name.

    The whole-word vocabulary lacks many forms ("concisely", "snippet"), so a word also passes
    when the course prints a word with its first five letters ("embed" -> "embedded"), or
    when it splits into at most two word pieces of three letters or more ("snip" + "pet").
    Names split into shards ("mat" "##pl" "##ot" "##lib", "dj" "##ango", "panda" "##s").
    """
    low = word.lower()
    common = common_words()
    if any(form in common or form in vocabulary for form in _forms(low)):
        return True
    if len(low) >= 5 and low[:5] in (beginnings or prefixes(vocabulary)):
        return True
    pieces = [t.removeprefix("##") for t in _tokenizer().encode(low, add_special_tokens=False).tokens]
    return len(pieces) <= 2 and all(len(p) >= 3 for p in pieces)


def _forms(word: str) -> list[str]:
    """The word and what it may be a form of (lazily -> lazy, classes -> class, nested -> nest)."""
    forms = [word]
    for suffix, replacement in (("ily", "y"), ("ies", "y"), ("ly", ""), ("es", ""), ("s", ""), ("ed", ""),
                                ("ing", ""), ("er", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + replacement)
    return forms


def unknown_names(question: str, vocabulary: frozenset[str], latin_language: bool,
                  beginnings: frozenset[str] = frozenset()) -> list[str]:
    """Names in the question that the course never prints.

    In a German, French or Spanish question every word is Latin-script and most are absent
    from an English course, so there only identifier-looking names count (`psycopg2`, `C++`).
    """
    found = []
    for token in _NAME.findall(question):
        low = token.lower()
        if low in vocabulary or (len(low) < 3 and not _IDENTIFIER.search(token)):
            continue
        if latin_language and not _IDENTIFIER.search(token):
            continue
        if _IDENTIFIER.search(token) or not ordinary_word(token, vocabulary, beginnings):
            found.append(token)
    return found


def other_language(question: str, subject: str | None) -> str | None:
    """The programming language a question asks about, when the course is about another.

    In English (and German, French, Spanish: "in C", "en Java") a preposition introduces it;
    in an Indian script any Latin-letter name of a language is one ("C में", "Rust-এ")."""
    if subject is None:
        return None
    if _INDIAN_SCRIPT.search(question):
        for token in _LATIN_NAME.findall(question):
            name = token.lower()
            if name in PROGRAMMING_LANGUAGES and name != subject and (token[0].isupper() or len(name) > 2):
                return name
        return None
    for match in _LANGUAGE_MENTION.finditer(question):
        token = match.group(1)
        name = token.lower()
        if name in ("c", "go") and not token[0].isupper():
            continue  # "for c in s", "let go": a language only when written as its name
        if name in PROGRAMMING_LANGUAGES and name != subject:
            return name
    return None


def course_subject(mentions: dict[str, int]) -> str | None:
    """The programming language a course is about: the one it names most often, when one
    clearly dominates (a course that is not about programming names none)."""
    if not mentions:
        return None
    best = max(mentions, key=lambda k: mentions[k])
    rest = sum(v for k, v in mentions.items() if k != best)
    return best if mentions[best] >= 20 and mentions[best] > 3 * rest else None


def language_mentions(pages: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for page in pages:
        for word in re.findall(r"\b(?:python|java|javascript|rust|ruby|kotlin|haskell|perl|php|scala|swift)\b",
                               page.lower()):
            counts[word] = counts.get(word, 0) + 1
    return counts


def out_of_scope(question: str, vocabulary: frozenset[str], subject: str | None, latin_language: bool,
                 beginnings: frozenset[str] = frozenset()) -> str | None:
    """Why the course cannot answer the question (for logs), or None. `beginnings`: the
    vocabulary's `prefixes`, when the caller keeps them."""
    names = unknown_names(question, vocabulary, latin_language, beginnings)
    if names:
        return f"names the course never mentions: {', '.join(names)}"
    other = other_language(question, subject)
    return f"about {other}, not {subject}" if other else None

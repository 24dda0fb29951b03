"""Language codes as each speech engine wants them.

Requests carry the codes students pick (en, hi, ..., od for Odia) or a BCP-47 tag (ta-IN).
Sarvam AI writes Odia "od-IN"; ISO 639-1, espeak-ng and Whisper write it "or".
"""

from __future__ import annotations

import re

from core.errors import InvalidInput
from core.languages import described

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,2}$")
_TO_ISO = {"od": "or"}
_TO_SARVAM = {"or": "od"}


def check_language(language: str | None) -> str:
    language = (language or "en").strip()
    if not _LANGUAGE.match(language):
        raise InvalidInput(f"language {language!r} is not a language code such as en, hi or ta-IN")
    return language


def base_language(language: str) -> str:
    return re.split(r"[-_]", language)[0].lower()


def iso_language(language: str) -> str:
    """The ISO 639-1 code: what espeak-ng and Whisper understand."""
    base = base_language(language)
    return _TO_ISO.get(base, base)


def iso_tag(language: str) -> str:
    """The whole tag, lower case with hyphens, its language part in ISO 639-1 (od-IN -> or-in)."""
    parts = re.split(r"[-_]", language.lower())
    return "-".join([iso_language(language), *parts[1:]])


def sarvam_language(language: str) -> str:
    """Sarvam wants BCP-47 with the region: hi -> hi-IN, or -> od-IN."""
    parts = re.split(r"[-_]", language)
    base = base_language(language)
    return f"{_TO_SARVAM.get(base, base)}-{parts[1].upper() if len(parts) > 1 else 'IN'}"


def language_label(language: str) -> str:
    """A language for a message to a student: Hindi, or the code as given."""
    return described(base_language(language))

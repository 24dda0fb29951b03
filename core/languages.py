"""The languages the platform answers and speaks in, and their names for messages.

Codes are the ones students pick: ISO 639-1, except Odia, which the tutor (like Sarvam AI)
writes "od"; "or", its ISO code, is accepted as well.
"""

from __future__ import annotations

LANGUAGES = {
    "en": "English", "hi": "Hindi", "bn": "Bengali", "mr": "Marathi", "ta": "Tamil", "te": "Telugu",
    "kn": "Kannada", "ml": "Malayalam", "gu": "Gujarati", "pa": "Punjabi", "od": "Odia", "or": "Odia",
}


def language_name(code: str) -> str:
    """The English name of a language the tutor knows; English for anything else."""
    return LANGUAGES.get(code, "English")


def described(code: str) -> str:
    """A language for a message: its name when known, else the code as given."""
    return LANGUAGES.get(code.lower(), repr(code))

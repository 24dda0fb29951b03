"""The languages the platform answers and speaks in, their names, and telling them apart.

Codes are the ones students pick: ISO 639-1, except Odia, which the tutor (like Sarvam AI)
writes "od"; "or", its ISO code, is accepted as well. The list is the original system's
eleven (English and ten Indian languages) plus the common languages of uploaded material.
"""

from __future__ import annotations

import re

LANGUAGES = {
    "en": "English", "hi": "Hindi", "bn": "Bengali", "mr": "Marathi", "ta": "Tamil", "te": "Telugu",
    "kn": "Kannada", "ml": "Malayalam", "gu": "Gujarati", "pa": "Punjabi", "od": "Odia", "or": "Odia",
    "de": "German", "fr": "French", "es": "Spanish",
}
# What clients offer (the API's list in 400s): "or" is only an alias of "od".
SUPPORTED = ["en", "hi", "bn", "mr", "ta", "te", "kn", "ml", "gu", "pa", "od", "de", "fr", "es"]
# Each language's name in itself: how an answer names the language its quotes are in.
NATIVE_NAMES = {
    "en": "English", "hi": "हिन्दी", "bn": "বাংলা", "mr": "मराठी", "ta": "தமிழ்", "te": "తెలుగు",
    "kn": "ಕನ್ನಡ", "ml": "മലയാളം", "gu": "ગુજરાતી", "pa": "ਪੰਜਾਬੀ", "od": "ଓଡ଼ିଆ", "de": "Deutsch",
    "fr": "Français", "es": "Español",
}


def canonical(code: str) -> str:
    """The code the tutor works with ("or" is Odia's ISO alias of "od")."""
    code = code.lower()
    return "od" if code == "or" else code


def language_name(code: str) -> str:
    """The English name of a language the tutor knows; English for anything else."""
    return LANGUAGES.get(code, "English")


def described(code: str) -> str:
    """A language for a message: its name when known, else the code as given."""
    return LANGUAGES.get(code.lower(), repr(code))


# Unicode blocks of the Indian scripts: a question's script names its language, except
# Devanagari, which Hindi and Marathi share (told apart by their commonest words below).
_SCRIPTS = [
    ("\u0900", "\u097f", "hi"), ("\u0980", "\u09ff", "bn"), ("\u0a00", "\u0a7f", "pa"),
    ("\u0a80", "\u0aff", "gu"), ("\u0b00", "\u0b7f", "od"), ("\u0b80", "\u0bff", "ta"),
    ("\u0c00", "\u0c7f", "te"), ("\u0c80", "\u0cff", "kn"), ("\u0d00", "\u0d7f", "ml"),
]
_MARATHI = {"आहे", "आहेत", "काय", "कसे", "कसा", "कशी", "मध्ये", "आणि", "नाही", "करावे", "कोणते", "कोणता", "होते", "म्हणजे", "का"}
_HINDI = {"है", "हैं", "क्या", "कैसे", "में", "और", "नहीं", "के", "की", "को", "से", "होता", "करें", "कौन", "क्यों"}
# Function words that do not occur in English prose: a handful in one question are enough.
_LATIN = {
    "de": {"wie", "was", "ich", "ist", "eine", "einen", "einer", "der", "die", "das", "und", "nicht", "mit", "warum",
           "welche", "welcher", "wird", "kann", "man", "zu", "von", "für", "bei", "über", "werden", "mein", "sich",
           "wo", "wann", "auf", "den", "dem", "des", "oder", "ohne"},
    "fr": {"comment", "est", "une", "les", "des", "du", "je", "pourquoi", "quel", "quelle", "qu", "que", "dans",
           "pour", "avec", "sur", "et", "ne", "pas", "peut", "faire", "sont", "la", "le", "un", "mon", "ce", "cette"},
    "es": {"cómo", "como", "qué", "que", "por", "para", "una", "los", "las", "el", "es", "con", "del", "puedo",
           "cuál", "cuando", "cuándo", "dónde", "mi", "se", "un", "en", "y", "sin"},
}
_ENGLISH = {"the", "is", "how", "what", "why", "do", "does", "i", "a", "an", "of", "to", "in", "and", "can",
            "which", "when", "where", "my", "it", "with", "for", "on", "be", "are"}
# Words with their combining vowel signs: `\w` alone splits Indian words at every matra.
_WORD = re.compile(r"[\w\u0900-\u0dff]+")


def detect_language(text: str) -> str:
    """The language a question (or a passage) is written in, among SUPPORTED; "en" when unsure.

    Script first (one letter of an Indian script outweighs Latin code names in the same
    question), then function words for the Latin-script languages.
    """
    counts: dict[str, int] = {}
    for ch in text:
        if ch < "\u0900":
            continue
        for low, high, code in _SCRIPTS:
            if low <= ch <= high:
                counts[code] = counts.get(code, 0) + 1
                break
    tokens = [w.lower() for w in _WORD.findall(text)]
    if counts:
        script = max(counts, key=lambda c: counts[c])
        if script == "hi" and sum(t in _MARATHI for t in tokens) > sum(t in _HINDI for t in tokens):
            return "mr"
        return script
    english = sum(t in _ENGLISH for t in tokens)
    scores = {code: sum(t in words for t in tokens) for code, words in _LATIN.items()}
    # Endings English words do not have ("funktionieren", "Umgebung", "función").
    scores["de"] += sum(bool(re.search(r"(ieren|iert|ungen|ung|keit|heit|schaft)$", t)) for t in tokens)
    scores["es"] += sum(bool(re.search(r"(ción|ciones)$", t)) for t in tokens)
    # Accents are strong evidence on short questions ("¿Cómo...?", "ä/ö/ü/ß").
    if re.search(r"[äöüß]", text, re.I):
        scores["de"] += 2
    if re.search(r"[¿¡ñ]", text, re.I):
        scores["es"] += 2
    if re.search(r"[àâçèêëîïôœùû]", text, re.I):
        scores["fr"] += 2
    best = max(scores, key=lambda c: scores[c])
    return best if scores[best] >= 2 and scores[best] > english else "en"

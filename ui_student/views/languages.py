"""The languages a student may ask the tutor to answer in: the ones the API's chat accepts.

The one picker (above the tabs) sets the language of the tutor's answers, of the voice that
reads lessons and answers aloud, and of voice questions.
The list lives here, not imported from the server's code: the app talks to the API over HTTP
only. A test checks it against the API's list, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import gradio as gr

from ui_student.views.common import Problem

DEFAULT = "en"
# (label, code): the name in its own script first, so a student finds it; the English name for everyone else.
LANGUAGES: list[tuple[str, str]] = [
    ("English", "en"),
    ("हिन्दी · Hindi", "hi"),
    ("বাংলা · Bengali", "bn"),
    ("मराठी · Marathi", "mr"),
    ("தமிழ் · Tamil", "ta"),
    ("తెలుగు · Telugu", "te"),
    ("ಕನ್ನಡ · Kannada", "kn"),
    ("മലയാളം · Malayalam", "ml"),
    ("ગુજરાતી · Gujarati", "gu"),
    ("ਪੰਜਾਬੀ · Punjabi", "pa"),
    ("ଓଡ଼ିଆ · Odia", "od"),
    ("Deutsch · German", "de"),
    ("Français · French", "fr"),
    ("Español · Spanish", "es"),
]
CODES = frozenset(code for _, code in LANGUAGES)


def picker() -> gr.Dropdown:
    """The answer-language dropdown. No custom values: Gradio refuses anything not listed."""
    return gr.Dropdown(
        label="Answer language",
        info="Also the voice that reads aloud, and the language of voice questions.",
        choices=LANGUAGES,
        value=DEFAULT,
        interactive=True,
        allow_custom_value=False,
        elem_id="chat-language",
        scale=1,
        min_width=170,
    )


def checked(code: str | None) -> str:
    """The language to send. None (an API caller that left it out) means the default; the dropdown
    has already refused anything else, and this refuses it again rather than let the API do it."""
    if not code:
        return DEFAULT
    if code not in CODES:
        raise Problem("Choose an answer language from the list.")
    return code


def for_lesson(code: str | None) -> str | None:
    """The voice language for a lesson, or None for the course's own.

    A lesson is written in its course's language, so English, the default, does not force an
    English voice on a Hindi course; any other choice is the student's and is followed."""
    code = checked(code)
    return None if code == DEFAULT else code


def spoken_note(asked: str | None, spoken: str) -> str:
    """What to tell a student whose lesson is read in another language than the one they chose:
    the server reads a lesson as written unless a language model can translate it."""
    if not asked or not spoken or spoken.split("-")[0].lower() == asked.split("-")[0].lower():
        return ""
    names = {code: label.split(" · ")[-1] for label, code in LANGUAGES}
    return (
        f"Read in {names.get(spoken, spoken)}, the language the lesson is written in: reading it in "
        f"{names.get(asked, asked)} needs a language model on the server to translate it."
    )

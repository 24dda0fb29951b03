"""The tutor's languages: which it accepts, how it tells a question's language, its own words."""

from __future__ import annotations

import json

import pytest

from core.errors import UnsupportedLanguage
from core.languages import LANGUAGES, NATIVE_NAMES, SUPPORTED, detect_language
from core.services.chat import student_language
from core.services.tutor_phrases import PHRASE_TABLES, lead_line, nearby, not_covered
from tests.fixtures_path import FIXTURES


def test_the_original_languages_and_the_common_material_languages_are_supported() -> None:
    assert SUPPORTED[:11] == ["en", "hi", "bn", "mr", "ta", "te", "kn", "ml", "gu", "pa", "od"]
    assert {"de", "fr", "es"} <= set(SUPPORTED) and set(SUPPORTED) <= set(LANGUAGES)
    assert set(NATIVE_NAMES) == set(SUPPORTED)


def test_an_unsupported_language_is_refused_with_the_list() -> None:
    with pytest.raises(UnsupportedLanguage) as refused:
        student_language("xx", "What is a list?")
    assert refused.value.code == "unsupported_language" and refused.value.details == {"supported": SUPPORTED}
    assert student_language("or", "?") == "od" and student_language("DE", "?") == "de"
    assert student_language(None, "सूची क्या है?") == "hi"


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How do I define a function with default argument values?", "en"),
        ("Was ist ein Tupel?", "de"),
        ("Wie öffne ich eine Datei zum Lesen?", "de"),
        ("Comment ouvrir un fichier en lecture ?", "fr"),
        ("¿Cómo abro un archivo para leerlo?", "es"),
        ("range(10) में 10 शामिल होता है क्या?", "hi"),
        ("फंक्शन कसे परिभाषित करावे?", "mr"),
        ("ফাংশন কীভাবে সংজ্ঞায়িত করব?", "bn"),
        ("செயல்பாட்டை எப்படி வரையறுப்பது?", "ta"),
        ("ఫంక్షన్‌ను ఎలా నిర్వచించాలి?", "te"),
        ("ಫಂಕ್ಷನ್ ಅನ್ನು ಹೇಗೆ ವ್ಯಾಖ್ಯಾನಿಸುವುದು?", "kn"),
        ("ഫംഗ്ഷൻ എങ്ങനെ നിർവചിക്കാം?", "ml"),
        ("ફંક્શન કેવી રીતે વ્યાખ્યાયિત કરવું?", "gu"),
        ("ਫੰਕਸ਼ਨ ਕਿਵੇਂ ਪਰਿਭਾਸ਼ਿਤ ਕਰੀਏ?", "pa"),
        ("ଫଙ୍କସନ କିପରି ପରିଭାଷିତ କରିବା?", "od"),
        ("def f(x): return x", "en"),
    ],
)
def test_a_questions_language_is_detected(question: str, language: str) -> None:
    assert detect_language(question) == language


def test_the_fixture_translations_are_detected_as_their_language() -> None:
    fixture = json.loads((FIXTURES / "python-tutorial-qa-multilingual.json").read_text())
    for item in fixture["translations"] + fixture["unanswerable"]:
        for language, question in item.items():
            assert detect_language(question) == language, question


def test_the_tutors_own_words_exist_in_every_language_with_the_same_placeholders() -> None:
    for table in PHRASE_TABLES:
        assert set(table) == set(SUPPORTED) - {"or"}
        for text in table.values():
            assert ("{material}" in text) == ("{material}" in table["en"])
            assert ("{topics}" in text) == ("{topics}" in table["en"])
    assert lead_line("en", "en") == "From the course material:"
    assert lead_line("hi", "en").startswith("पाठ्यक्रम सामग्री से") and "(English में)" in lead_line("hi", "en")
    assert lead_line("de", "de") == "Aus dem Kursmaterial:" and "(Deutsch)" in lead_line("en", "de")
    assert "extractive" not in " ".join(t for table in PHRASE_TABLES for t in table.values())
    assert not_covered("ta") != not_covered("en") and "Lists; Tuples" in nearby("en", ["Lists", "Tuples"])

"""The student's language reaches the offline engines: an espeak-ng voice for each, Whisper's refusal."""

from __future__ import annotations

import pytest

from core.audio.decode import decode
from core.audio.formats import parse_wav
from core.audio.languages import iso_language, iso_tag, sarvam_language
from core.audio.stt import WhisperTranscriber
from core.audio.tts import EspeakSynthesizer, espeak_voices
from core.errors import InvalidInput, UnsupportedLanguage
from tests.unit.test_audio import tone
from ui_student.views.languages import CODES

needs_espeak = pytest.mark.skipif(not EspeakSynthesizer().binary, reason="espeak-ng is not installed")


def test_codes_for_each_engine() -> None:
    assert [iso_language(c) for c in ("od", "or", "hi-IN", "EN")] == ["or", "or", "hi", "en"]
    assert iso_tag("od-IN") == "or-in" and iso_tag("en_GB") == "en-gb"
    assert [sarvam_language(c) for c in ("od", "or", "hi", "ta-in")] == ["od-IN", "od-IN", "hi-IN", "ta-IN"]


@needs_espeak
def test_every_language_students_can_pick_has_an_espeak_voice() -> None:
    synth = EspeakSynthesizer()
    voices = {code: synth.voice_for(code) for code in sorted(CODES)}
    assert voices["en"] == "en-us" and voices["hi"] == "hi" and voices["od"] == "or"
    assert set(voices.values()) <= espeak_voices(synth.binary or "")
    assert synth.voice_for("hi-IN") == "hi"  # a region espeak-ng lacks falls back to the language
    odia = parse_wav(synth.synthesize("ନମସ୍କାର। ଆପଣ କେମିତି ଅଛନ୍ତି?", language="od"))
    assert odia.duration > 0.5


@needs_espeak
def test_a_configured_voice_speaks_english_and_its_own_language_only() -> None:
    english_voice = EspeakSynthesizer("en-gb+f3")
    assert english_voice.voice_for("en") == "en-gb+f3"
    assert english_voice.voice_for("hi") == "hi", "a Hindi answer is not read by an English voice"
    assert EspeakSynthesizer("hi+f3").voice_for("hi") == "hi+f3"


@needs_espeak
def test_a_language_without_a_voice_is_a_clear_400() -> None:
    with pytest.raises(UnsupportedLanguage, match="read-aloud in 'xx' is not available") as caught:
        EspeakSynthesizer().synthesize("Hello.", language="xx")
    assert isinstance(caught.value, InvalidInput) and caught.value.code == "unsupported_language"


def test_the_bundled_english_model_refuses_other_languages_by_name() -> None:
    audio = decode(tone(1.0), max_mb=1, max_seconds=60)
    with pytest.raises(UnsupportedLanguage, match=r"voice questions in Hindi .* English only"):
        WhisperTranscriber().transcribe(audio, "hi")
    with pytest.raises(UnsupportedLanguage, match="in Odia"):
        WhisperTranscriber().transcribe(audio, "od")

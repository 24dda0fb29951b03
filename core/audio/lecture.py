"""What a lesson sounds like: read as written, in another language, or as a class-mode lecture.

Offline (the default) a lecture is the lesson's own text, cleaned for speech and framed with a
short introduction and closing, and a lesson is read in the language it is written in: with no
model to translate it, another language's voice would only mispronounce it, so the reply says
which language it is in instead (`SpokenText.language`). With LLM_PROVIDER=openai an
OpenAI-compatible chat model writes the lecture, or the lesson, in the language asked for;
what it writes is cached on disk (keyed by model, language and lesson text), so the same lesson
is not paid for twice and its audio stays cached too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.audio.cache import AudioCache
from core.audio.engines import AudioEngines
from core.audio.languages import check_language, iso_language
from core.audio.text import offline_lecture, speakable
from core.errors import ServiceUnavailable
from core.languages import LANGUAGES
from core.settings import Settings

LECTURE_PROMPT = (
    "You are a university lecturer. Rewrite the lesson you are given as the script of a short spoken "
    "lecture in {language}: a one-sentence welcome, the explanation in clear spoken {language} with short "
    "sentences, and a brief recap. Use only facts from the lesson. Plain text only: no markdown, no lists, "
    "no headings, no citation numbers, no code; describe code in words if it matters."
)
TRANSLATE_PROMPT = (
    "Translate the lesson you are given into {language}, to be read aloud to a student. Keep every fact "
    "and the order; keep names, keywords and code identifiers as they are. Plain text only: no markdown, "
    "no citation numbers. Reply with the translation only."
)
MAX_LESSON_CHARS = 12_000  # keeps the prompt inside small models' context windows
LLM_SEED = 7


@dataclass(frozen=True)
class SpokenText:
    text: str
    language: str  # what the text is written in, so the voice can match it
    source: str  # "offline" (the lesson's own words) or "llm:<model>"


def same_language(a: str, b: str) -> bool:
    return iso_language(a) == iso_language(b)


def _name(language: str) -> str:
    base = iso_language(language)
    return LANGUAGES.get(base) or LANGUAGES.get(language.lower()) or f"the language with the code {base!r}"


async def lesson_speech(
    engines: AudioEngines, title: str, body: str, language: str | None, written_in: str
) -> SpokenText:
    """The lesson to read aloud in `language` (default: its own): translated when it is written in
    another one and a model is configured; otherwise as written, in `written_in`."""
    settings = engines.settings
    language = check_language(language or written_in)
    own = speakable(f"# {title}\n\n{body}")
    if same_language(language, written_in):
        return SpokenText(own, language, "offline")
    if settings.llm_provider != "openai":
        return SpokenText(own, written_in, "offline")
    prompt = TRANSLATE_PROMPT.format(language=_name(language))
    words = 100 + 4 * len(own.split())
    text = await _written(settings, engines.cache, "translation", prompt, title, body, language, words)
    return SpokenText(speakable(text), language, f"llm:{settings.llm_model}")


async def lecture_script(
    engines: AudioEngines, title: str, body: str, summary: str = "", language: str | None = None,
    written_in: str = "en",
) -> SpokenText:
    """Class mode: the lesson as a lecture, in `language` (default: the lesson's own) when a model
    writes it; offline, the lesson framed as one, in the language it is written in."""
    settings = engines.settings
    language = check_language(language or written_in)
    if settings.llm_provider != "openai":
        spoken_in = language if same_language(language, written_in) else written_in  # en-GB stays en-GB
        return SpokenText(offline_lecture(title, body, summary), spoken_in, "offline")
    prompt = LECTURE_PROMPT.format(language=_name(language))
    # A lecture retells the lesson; much longer means the model is rambling (and costs time).
    words = 100 + 2 * len(body.split())
    text = await _written(settings, engines.cache, "lecture", prompt, title, body, language, words)
    return SpokenText(text, language, f"llm:{settings.llm_model}")


async def _written(
    settings: Settings, cache: AudioCache, what: str, prompt: str, title: str, body: str, language: str,
    max_tokens: int,
) -> str:
    key = cache.key(f"{title}\n\n{body}", None, f"{what}:{iso_language(language)}:{settings.llm_model}", "txt")
    cached = await asyncio.to_thread(cache.get, key, "txt")
    if cached is not None:
        return cached.decode()
    lesson = f"Lesson title: {title}\n\nLesson:\n{speakable(body)[:MAX_LESSON_CHARS]}"
    text = await _complete(settings, what, prompt, lesson, max_tokens=min(4096, max_tokens))
    await asyncio.to_thread(cache.put, key, "txt", text.encode())
    return text


async def _complete(settings: Settings, what: str, system: str, user: str, max_tokens: int) -> str:
    from openai import AsyncOpenAI, OpenAIError

    key = settings.openai_api_key
    client = AsyncOpenAI(
        base_url=settings.openai_base_url,
        api_key=key.get_secret_value() if key else "not-needed",
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )
    try:
        reply = await client.chat.completions.create(
            model=settings.llm_model,
            temperature=0.3,
            seed=LLM_SEED,  # the same lesson gives the same lecture, on any server that honours it
            max_tokens=max_tokens,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        )
    except OpenAIError as exc:
        raise ServiceUnavailable(f"the language model could not write the {what}: {exc}") from exc
    finally:
        await client.close()
    text = speakable((reply.choices[0].message.content or "").strip() if reply.choices else "")
    # A provider that answers with nothing speakable (nothing, or only code or markup) gives an
    # error, never an empty lecture or lesson.
    if len(text.split()) < 5:
        raise ServiceUnavailable(f"the language model returned no usable {what}")
    return text

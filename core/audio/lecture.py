"""Class mode: a lesson turned into a script meant to be heard rather than read.

Offline (the default) the script is the lesson's own text, cleaned for speech and framed with
a short introduction and closing. With LLM_PROVIDER=openai an OpenAI-compatible chat model
rewrites it as a lecture; that script is cached on disk (keyed by model and lesson text), so
the same lesson is not paid for twice and its audio stays cached too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.audio.cache import audio_cache
from core.audio.text import offline_lecture, speakable
from core.errors import ServiceUnavailable
from core.settings import Settings

SYSTEM_PROMPT = (
    "You are a university lecturer. Rewrite the lesson you are given as the script of a short spoken "
    "lecture: a one-sentence welcome, the explanation in clear spoken English with short sentences, and a "
    "brief recap. Use only facts from the lesson. Plain text only: no markdown, no lists, no headings, "
    "no citation numbers, no code; describe code in words if it matters."
)
MAX_LESSON_CHARS = 12_000  # keeps the prompt inside small models' context windows


@dataclass(frozen=True)
class LectureScript:
    script: str
    source: str  # "offline" or "llm:<model>"


async def lecture_script(settings: Settings, title: str, body: str, summary: str = "") -> LectureScript:
    if settings.llm_provider != "openai":
        return LectureScript(offline_lecture(title, body, summary), "offline")
    cache = audio_cache(settings.data_dir)
    key = cache.key(f"{title}\n\n{body}", None, f"lecture:{settings.llm_model}", "txt")
    cached = await asyncio.to_thread(cache.get, key, "txt")
    if cached is not None:
        return LectureScript(cached.decode(), f"llm:{settings.llm_model}")
    script = await _llm_script(settings, title, body)
    await asyncio.to_thread(cache.put, key, "txt", script.encode())
    return LectureScript(script, f"llm:{settings.llm_model}")


async def _llm_script(settings: Settings, title: str, body: str) -> str:
    from openai import AsyncOpenAI, OpenAIError

    key = settings.openai_api_key
    client = AsyncOpenAI(
        base_url=settings.openai_base_url, api_key=key.get_secret_value() if key else "not-needed",
        timeout=settings.llm_timeout_seconds, max_retries=settings.llm_max_retries,
    )
    lesson = speakable(body)[:MAX_LESSON_CHARS]
    try:
        reply = await client.chat.completions.create(
            model=settings.llm_model, temperature=0.3,
            # A lecture retells the lesson; much longer means the model is rambling (and costs time).
            max_tokens=min(2048, 100 + 2 * len(lesson.split())),
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"Lesson title: {title}\n\nLesson:\n{lesson}"},
            ],
        )
    except OpenAIError as exc:
        raise ServiceUnavailable(f"the language model could not write the lecture: {exc}") from exc
    finally:
        await client.close()
    text = (reply.choices[0].message.content or "").strip() if reply.choices else ""
    # A provider that answers with nothing gives an error, never an empty lecture.
    if len(text.split()) < 5:
        raise ServiceUnavailable("the language model returned no usable lecture script")
    return speakable(text)

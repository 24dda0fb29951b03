"""Questions by voice and answers read aloud, under the tutor's chat."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gradio as gr

from ui_student.api import ApiError
from ui_student.views import languages
from ui_student.views.common import Ctx, Problem, audio_file, inline, need_login

MAX_SPOKEN_CHARS = 4000
Message = dict[str, Any]


def message_text(content: Any) -> str:
    """The text of a chatbot message, whatever its shape (a string, or Gradio's list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list | tuple):
        return " ".join(message_text(part) for part in content if isinstance(part, str | dict))
    return ""


def speakable(text: str) -> str:
    """An answer as plain text to read aloud: no citation markers, no Markdown marks, and not the
    offline answer's lead line, which is in the student's language while the quotes below it are
    in the material's (one voice reads one language)."""
    text = re.sub(r"\A[^\n]*:[ \t]*\n\s*\n", "", text.lstrip(), count=1)
    text = re.sub(r"\s*\[\[\d+\]\]\(#cite-[a-z]+-\d+\)", "", text)
    text = re.sub(r"\s*\[\d+\]", "", text)
    text = re.sub(r"[*_`#>]+", "", text)
    return text.strip()[:MAX_SPOKEN_CHARS]


def build(ctx: Ctx, chatbot: gr.Chatbot, question: gr.Textbox, answer_language: gr.State) -> None:
    """The voice accordion; `answer_language` is the language the last answer on screen is written in."""
    language = ctx.language
    with gr.Accordion("Ask by voice · hear the answer", open=False, elem_id="voice-box"):
        voice = gr.Audio(
            label="Record or upload your question",
            sources=["microphone", "upload"],
            type="filepath",
            elem_id="voice-question",
        )
        with gr.Row():
            transcribe = gr.Button("Use the recording as my question", elem_id="transcribe-button", min_width=160)
            read_aloud = gr.Button("Read the last answer aloud", elem_id="read-aloud-button", min_width=160)
        voice_status = gr.Markdown(elem_id="voice-status")
        answer_audio = gr.Audio(
            label="The answer read aloud", type="filepath", interactive=False, elem_id="answer-audio"
        )

    @inline(at=1, count=2)
    def transcribe_voice(token: str, path: str | None, language_code: str | None) -> tuple[str, str]:
        need_login(token)
        if not path:
            raise Problem("Record or upload a question first.")
        file = Path(path)
        try:
            reply = ctx.api(token).stt(file.name, file.read_bytes(), languages.checked(language_code))
        except ApiError as exc:
            if exc.code != "unsupported_language":
                raise
            raise Problem(f"{exc.message.rstrip('.')}. Type your question instead.") from None
        text = str(reply.get("text") or "").strip()
        if not text:
            raise Problem("No speech was recognised in the recording: please try again.")
        return text, ""

    @inline(at=1, count=2)
    def read_last_answer(
        token: str, history: list[Message], language_code: str | None, written_in: str | None = None
    ) -> tuple[Any, str]:
        need_login(token)
        language_code = languages.checked(language_code)
        if written_in in languages.CODES:  # the answer on screen says what it is written in
            language_code = written_in
        answers = [m for m in history or [] if isinstance(m, dict) and m.get("role") == "assistant"]
        if not answers:
            raise Problem("Ask a question first: there is no answer to read yet.")
        text = speakable(message_text(answers[-1].get("content")))
        if not text:
            raise Problem("The last answer has no text to read.")
        return audio_file(ctx.api(token).tts(text, "mp3", language_code)), ""

    voice_inputs = [ctx.token, voice, language]
    transcribe.click(transcribe_voice, voice_inputs, [question, voice_status], api_name="transcribe")
    voice.stop_recording(transcribe_voice, voice_inputs, [question, voice_status], api_visibility="private")
    voice.upload(transcribe_voice, voice_inputs, [question, voice_status], api_visibility="private")
    read_aloud.click(
        read_last_answer,
        [ctx.token, chatbot, language, answer_language],
        [answer_audio, voice_status],
        api_name="read_aloud",
    )

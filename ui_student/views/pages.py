"""Cited pages as images: the student picks a citation and sees that page of the PDF, as the API renders it.

Used under the lesson's sources and under the tutor's sources. The image is fetched only when a
page is picked: most readers never open one, and each is a request the API has to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.views.common import Ctx, citation_number, friendly, need_course, temp_file

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class PageViewer:
    picker: gr.Dropdown
    image: gr.Image

    @property
    def outputs(self) -> list[Any]:
        """The components `offer` fills, in its order: add them to the outputs of whatever shows citations."""
        return [self.picker, self.image]


def has_page_image(citation: dict[str, Any]) -> bool:
    """Whether the cited page is a PDF page, which the API can render.

    The citation's file type (detected from the file's content) decides; the document's name
    only for citations without one (tutor answers stored before citations carried it).
    """
    file_type = citation.get("file_type")
    if isinstance(file_type, str) and file_type:
        return file_type.lower() == "pdf"
    return str(citation.get("document_name") or "").lower().endswith(".pdf")


def page_choices(citations: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """One (label, "document_id:page") choice per cited PDF page, in citation order.

    Only PDFs have pages the API can render (a Markdown or Word "page" is a position in the text),
    and several citations of one page make one choice that lists all their numbers.
    """
    numbers: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for i, c in enumerate(citations or [], start=1):
        name = str(c.get("document_name") or "")
        page = c.get("page")
        if not has_page_image(c) or not c.get("document_id") or not isinstance(page, int) or page < 1:
            continue
        value = f"{c['document_id']}:{page}"
        numbers.setdefault(value, []).append(citation_number(c, i))
        labels[value] = f"{name}, page {page}"
    return [(f"[{', '.join(map(str, numbers[v]))}] {labels[v]}", v) for v in numbers]


def offer(citations: list[dict[str, Any]]) -> tuple[Any, Any]:
    """Updates for `PageViewer.outputs`: these citations' pages to pick from, no page shown yet."""
    choices = page_choices(citations)
    return gr.update(choices=choices, value=None, visible=bool(choices)), gr.update(value=None, visible=False)


def build(ctx: Ctx, name: str) -> PageViewer:
    """A page picker and its image; `name` ("lesson", "chat") keeps element ids and API names apart."""
    picker = gr.Dropdown(
        label="See a cited page",
        info="Shows the page of the PDF that a citation points to.",
        choices=[],
        value=None,
        interactive=True,
        visible=False,
        elem_id=f"{name}-page-picker",
    )
    image = gr.Image(
        label="Cited page",
        type="filepath",
        interactive=False,
        visible=False,
        buttons=["download", "fullscreen"],
        elem_id=f"{name}-page-image",
    )

    @friendly
    def show_page(token: str, course_id: str, chosen: str | None) -> Any:
        need_course(token, course_id)
        if not chosen:
            return gr.update(value=None, visible=False)
        # The dropdown only accepts the choices `offer` gave this session, so `chosen` is one of them.
        document_id, _, page = chosen.rpartition(":")
        png = ctx.api(token).page_image(course_id, document_id, int(page))
        if not png.startswith(PNG_MAGIC):
            raise gr.Error("The server did not send an image of that page.", print_exception=False)
        return gr.update(value=temp_file(png, ".png"), visible=True, label=f"Cited page {page}")

    picker.input(show_page, [ctx.token, ctx.course_id, picker], [image], api_name=f"{name}_page")
    return PageViewer(picker, image)

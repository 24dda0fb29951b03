"""Cited pages as images: the student picks a citation and sees that page of the PDF, as the API renders it.

Used under the lesson's sources and under the tutor's sources. The image is fetched only when a
page is picked: most readers never open one, and each is a request the API has to render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.views.citations import citation_number, page_value
from ui_student.views.common import Ctx, Problem, inline, need_course, temp_file

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PAGE_VALUE = re.compile(r"[\w-]{1,64}:\d{1,5}")


@dataclass
class PageViewer:
    picker: gr.Dropdown
    image: gr.Image
    status: gr.Markdown

    @property
    def outputs(self) -> list[Any]:
        """The components `offer` fills, in its order: add them to the outputs of whatever shows citations."""
        return [self.picker, self.image, self.status]


def page_choices(citations: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """One (label, "document_id:page") choice per cited PDF page, in citation order.

    Only PDFs have pages the API can render (a Markdown or Word "page" is a position in the text),
    and several citations of one page make one choice that lists all their numbers.
    """
    numbers: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for i, c in enumerate(citations or [], start=1):
        value = page_value(c)
        if value is None:
            continue
        numbers.setdefault(value, []).append(citation_number(c, i))
        labels[value] = f"{c.get('document_name') or ''}, page {c.get('page')}"
    return [(f"[{', '.join(map(str, numbers[v]))}] {labels[v]}", v) for v in numbers]


def offer(citations: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
    """Updates for `PageViewer.outputs`: these citations' pages to pick from, no page shown yet."""
    choices = page_choices(citations)
    return (
        gr.update(choices=choices, value=None, visible=bool(choices)),
        gr.update(value=None, visible=False),
        "",
    )


def build(ctx: Ctx, name: str, sources: gr.HTML) -> PageViewer:
    """A page picker and its image; `name` ("lesson", "chat") keeps element ids and API names apart."""
    picker = gr.Dropdown(
        label="Or pick a cited page",
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

    status = gr.Markdown(elem_id=f"{name}-page-status")

    def page_image(token: str, course_id: str, chosen: str | None) -> Any:
        need_course(token, course_id)
        if not chosen:
            return gr.update(value=None, visible=False)
        document_id, _, page = chosen.rpartition(":")
        png = ctx.api(token).page_image(course_id, document_id, int(page))
        if not png.startswith(PNG_MAGIC):
            raise Problem("The server did not send an image of that page.")
        return gr.update(value=temp_file(png, ".png"), visible=True, label=f"Cited page {page}")

    @inline(at=1, count=2)
    def show_page(token: str, course_id: str, chosen: str | None) -> tuple[Any, str]:
        # The dropdown only accepts the choices `offer` gave this session, so `chosen` is one of them.
        return page_image(token, course_id, chosen), ""

    @inline(at=2, count=3)
    def show_clicked(token: str, course_id: str, evt: gr.EventData) -> tuple[Any, Any, str]:
        """A "Show page" button in the sources: the page it names, if it is one of the offered ones."""
        data = getattr(evt, "_data", None)
        chosen = str(data.get("page") or "") if isinstance(data, dict) else ""
        if not PAGE_VALUE.fullmatch(chosen):
            raise Problem("That source has no page image.")
        # The API checks that the document belongs to the open course, which the student may read.
        return gr.update(value=chosen), page_image(token, course_id, chosen), ""

    picker.input(show_page, [ctx.token, ctx.course_id, picker], [image, status], api_name=f"{name}_page")
    sources.click(show_clicked, [ctx.token, ctx.course_id], [picker, image, status], api_visibility="private")
    return PageViewer(picker, image, status)

"""Citations as the student reads them: clickable [n] markers and one source row per cited page.

A marker `[n]` in a lesson or an answer becomes a link to `#cite-<scope>-<n>`; a click (see `JS`)
opens the source row that holds citation n and scrolls to it. Several citations of one page make
one row that lists their quotes; a PDF page's row has a "Show page" button that asks the app for
the page image (the HTML component's click event carries `{"page": "<document id>:<page>"}`).
"""

from __future__ import annotations

import re
from typing import Any

from ui_student.views.common import esc

NO_CITATIONS = "<p class='muted'>No citations yet.</p>"
MARKER = re.compile(r"\[(\d{1,3})\](?!\()")

# Runs once per citations component. The document-wide listener is installed once (a flag on
# window), in the capture phase so that a marker inside the chatbot does not also select the message.
JS = """
if (!window.profaiCitations) {
  window.profaiCitations = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a[href*="#cite-"]') : null;
    if (!link) return;
    const m = (link.getAttribute('href') || '').match(/#cite-([a-z]+)-(\\d+)$/);
    if (!m) return;
    const row = document.querySelector(`#${m[1]}-citations details[data-n~="${m[2]}"]`);
    event.preventDefault();
    event.stopPropagation();
    if (!row) return;
    row.open = true;
    row.scrollIntoView({behavior: 'smooth', block: 'center'});
    row.classList.add('cited-now');
    setTimeout(() => row.classList.remove('cited-now'), 1600);
  }, true);
}
element.addEventListener('click', (event) => {
  const button = event.target.closest ? event.target.closest('button[data-page]') : null;
  if (button) trigger('click', {page: button.dataset.page});
});
"""


def citation_number(citation: dict[str, Any], fallback: int) -> int:
    value = citation.get("number", citation.get("n", fallback))
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else fallback


def has_page_image(citation: dict[str, Any]) -> bool:
    """Whether the cited page is a PDF page, which the API can render.

    The citation's file type (detected from the file's content) decides; the document's name
    only for citations without one (tutor answers stored before citations carried it).
    """
    file_type = citation.get("file_type")
    if isinstance(file_type, str) and file_type:
        return file_type.lower() == "pdf"
    return str(citation.get("document_name") or "").lower().endswith(".pdf")


def page_value(citation: dict[str, Any]) -> str | None:
    """ "<document id>:<page>" of a cited PDF page the API can render, else None."""
    page = citation.get("page")
    if not has_page_image(citation) or not citation.get("document_id") or not isinstance(page, int) or page < 1:
        return None
    return f"{citation['document_id']}:{page}"


def link_markers(text: str, scope: str) -> str:
    """Markdown text whose [n] markers link to the citation rows of `scope` ("lesson", "chat")."""
    return MARKER.sub(lambda m: f"[[{m.group(1)}]](#cite-{scope}-{m.group(1)})", text)


Row = tuple[list[int], dict[str, Any], dict[str, list[int]]]


def grouped(citations: list[dict[str, Any]]) -> list[Row]:
    """(numbers, first citation, {quote: its numbers}) per cited page, in order of first citation."""
    rows: dict[tuple[str, str], Row] = {}
    for i, c in enumerate(citations, start=1):
        key = (str(c.get("document_id") or c.get("document_name") or ""), str(c.get("page") or ""))
        numbers, _, quotes = rows.setdefault(key, ([], c, {}))
        n = citation_number(c, i)
        numbers.append(n)
        quote = str(c.get("quote") or "").strip()
        if quote:
            quotes.setdefault(quote, []).append(n)
    return list(rows.values())


def citations_html(citations: list[dict[str, Any]], scope: str = "lesson", open_first: bool = False) -> str:
    """One disclosure row per cited page: its citation numbers, document and page, then the quotes."""
    if not citations:
        return NO_CITATIONS
    items = []
    for index, (numbers, c, quotes) in enumerate(grouped(citations)):
        name = c.get("document_name") or "course document"
        page = c.get("page")
        where = f"{esc(name)}, page {esc(page)}" if page not in (None, "") else esc(name)
        marks = " ".join(f"[{n}]" for n in numbers)
        body = "".join(
            f"<blockquote><b>{' '.join(f'[{n}]' for n in ns)}</b> {esc(q).replace(chr(10), '<br>')}</blockquote>"
            for q, ns in quotes.items()
        )
        value = page_value(c)
        button = (
            f"<button type='button' class='show-page' data-page='{esc(value)}'>Show page {esc(page)}</button>"
            if value
            else ""
        )
        attrs = " open" if open_first and index == 0 else ""
        data_n = " ".join(str(n) for n in numbers)
        items.append(
            f"<details class='citation' data-n='{data_n}'{attrs}><summary><b>{marks}</b> {where}</summary>"
            f"{body or '<p><i>no quote</i></p>'}{button}</details>"
        )
    return "<div class='citations' role='list'>" + "".join(items) + "</div>"

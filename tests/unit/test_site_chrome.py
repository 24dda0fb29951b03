"""Navigation saved along with a web page is not course material."""

from __future__ import annotations

from core.ingestion.site_chrome import drop_site_chrome, is_site_chrome
from core.ingestion.types import Paragraph, Section


def section(title: str, level: int) -> Section:
    return Section(title, level, [Paragraph(f"text of {title}", 1)])


def test_navigation_headings_are_recognised() -> None:
    for title in ("Table of Contents", "Navigation", "Previous topic", "This Page", "Contents:", "Python »",
                  "modules |", "  Quick   search "):
        assert is_site_chrome(title), title
    for title in ("Search", "Modules", "Binary search trees", "8. Errors and Exceptions", "Indexing lists",
                  "Table of contents in LaTeX documents"):
        assert not is_site_chrome(title), title


def test_a_navigation_section_goes_with_what_is_nested_in_it() -> None:
    sections = [
        section("Lists", 1),
        section("Table of Contents", 2),
        section("1. Lists", 3),  # an entry of the table of contents, nested under it
        section("Stacks", 2),
        section("Navigation", 2),
        section("Queues", 1),
    ]
    assert [s.title for s in drop_site_chrome(sections)] == ["Lists", "Stacks", "Queues"]


def test_text_before_any_heading_is_kept() -> None:
    lead = Section("", 0, [Paragraph("Intro", 1)])
    assert drop_site_chrome([lead, section("Contents", 1)]) == [lead]

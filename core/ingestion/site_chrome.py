"""Site chrome in documents saved from the web: navigation that is not course material.

A page saved from a documentation site (as Markdown or HTML, or pasted into Word or
PowerPoint) keeps the site's table of contents, navigation bar, breadcrumbs and
"previous/next topic" boxes as headed sections. Left in, they became lessons called
"Table of Contents" and "Navigation", and passages the tutor could cite. Such a section is
recognised by its heading alone, and dropped with the sections nested under it.
"""

from __future__ import annotations

from core.ingestion.types import Section

# Headings that name navigation, never subject matter ("Search" or "Modules" alone could be
# a lesson of a computing course, so only their navigation forms are listed).
_CHROME_TITLES = frozenset(
    {
        "table of contents",
        "contents",
        "navigation",
        "site navigation",
        "previous topic",
        "next topic",
        "this page",
        "on this page",
        "show source",
        "report a bug",
        "quick search",
        "related topics",
        "breadcrumbs",
        "general index",
        "module index",
        "index",
    }
)
_BREADCRUMB_ENDS = ("»", "|", "›")  # "Python »", "modules |": pieces of a navigation bar


def is_site_chrome(title: str) -> bool:
    text = " ".join(title.split())
    if text.endswith(_BREADCRUMB_ENDS):
        return True
    return text.rstrip(":").lower() in _CHROME_TITLES


def drop_site_chrome(sections: list[Section]) -> list[Section]:
    """The sections without navigation ones (and what is nested under those)."""
    kept: list[Section] = []
    dropping_below: int | None = None  # level of the chrome heading being skipped
    for section in sections:
        if dropping_below is not None and section.level > dropping_below:
            continue
        dropping_below = None
        if section.level > 0 and is_site_chrome(section.title):
            dropping_below = section.level
            continue
        kept.append(section)
    return kept

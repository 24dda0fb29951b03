"""A parsed document kept next to its file, so regenerating a course never re-parses it."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.ingestion.types import Paragraph, ParsedDocument, Section

SUFFIX = ".parsed.json"


def cache_path(file_path: Path) -> Path:
    return file_path.with_name(file_path.name + SUFFIX)


def save_parsed(file_path: Path, doc: ParsedDocument) -> None:
    target = cache_path(file_path)
    partial = target.with_suffix(".part")
    partial.write_text(json.dumps(asdict(doc), ensure_ascii=False), encoding="utf-8")
    partial.replace(target)


def load_parsed(file_path: Path) -> ParsedDocument | None:
    path = cache_path(file_path)
    if not path.exists():
        return None
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    sections = [
        Section(
            title=s["title"],
            level=s["level"],
            path=tuple(s["path"]),
            paragraphs=[Paragraph(p["text"], p["page"], p.get("kind", "text")) for p in s["paragraphs"]],
        )
        for s in raw["sections"]
    ]
    return ParsedDocument(raw["title"], raw["page_count"], raw["pages"], sections, raw.get("has_outline", False))

"""The fixture documents and their licences live in the repository, in `tests/fixtures/`."""

from __future__ import annotations

from pathlib import Path

FIXTURES: Path = Path(__file__).resolve().parent / "fixtures"

"""Where the shared fixture documents live: $PROFAI_FIXTURES, else `shared/fixtures` beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES: Path = Path(os.environ.get("PROFAI_FIXTURES") or _REPO_ROOT.parent / "shared" / "fixtures")

"""The dependency rule of docs/architecture.md, checked on every import statement of the code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB_UI_QUEUE = {"litestar", "starlette", "uvicorn", "fastapi", "streamlit", "gradio", "huey"}
FORBIDDEN: dict[str, set[str]] = {
    "core": WEB_UI_QUEUE | {"backend", "jobs", "profai", "ui_teacher", "ui_student"},
    "jobs": {"backend", "profai", "ui_teacher", "ui_student", "litestar", "streamlit", "gradio"},
    "backend": {"profai", "ui_teacher", "ui_student", "streamlit", "gradio"},
    "ui_teacher": {"core", "backend", "jobs", "profai", "ui_student"},
    "ui_student": {"core", "backend", "jobs", "profai", "ui_teacher"},
    # The UIs' shared HTTP client: no framework, nothing of the application.
    "ui_common": {"core", "backend", "jobs", "profai", "ui_teacher", "ui_student", "streamlit", "gradio"},
}


def imported_roots(path: Path) -> set[tuple[str, int]]:
    """Top-level package of every absolute import in a file, with its line."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.module.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_the_dependency_rule_allows(package: str) -> None:
    broken = [
        f"{path.relative_to(REPO)}:{line} imports {root}"
        for path in sorted((REPO / package).rglob("*.py"))
        if "migrations/versions" not in path.as_posix()
        for root, line in sorted(imported_roots(path))
        if root in FORBIDDEN[package]
    ]
    assert not broken, "\n".join(broken)


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import litestar.app\nfrom core.settings import Settings\nfrom . import sibling\n")
    assert imported_roots(sample) == {("litestar", 1), ("core", 2)}

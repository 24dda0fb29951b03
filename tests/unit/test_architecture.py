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


def core_package_graph() -> dict[str, set[str]]:
    """core's subpackage -> the core subpackages its modules import (module-level or not)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((REPO / "core").rglob("*.py")):
        parts = path.relative_to(REPO / "core").parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        package = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if bits[0] == "core" and len(bits) > 1 and bits[1] != package and (REPO / "core" / bits[1]).is_dir():
                    graph.setdefault(package, set()).add(bits[1])
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # each cycle once, from its smallest member
                walk(nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, [start])
    return found


def test_core_packages_form_no_cycle() -> None:
    """E.g. services read what the pipeline stored; the pipeline never imports services."""
    assert cycles(core_package_graph()) == []


def test_the_cycle_finder_sees_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []

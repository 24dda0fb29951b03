"""No hidden process-wide state: every long-lived object is built by the composition root.

profai/container.py `build(settings)` makes the engines, stores, queue, embedder, retriever,
answerer, speech engines, chat writer, change feed and password hasher, and hands them on. So
no module of the application may, at import time, build an object that holds state or keep a
registry of objects built on first use. This test reads every module's top level and refuses:

- an assignment (or annotated assignment) whose value is a mutable container (`{}`, `[]`,
  `set()`, `dict()`, `defaultdict(...)`, `WeakKeyDictionary()`, `threading.local()`, ...) or a
  call that builds an object (anything not in SAFE_CALLS);
- a module-level function memoised with `functools.cache` / `lru_cache` (a registry in disguise);
- a module-level event listener (`@event.listens_for`, `event.listen(...)` at top level),
  which would attach to every session or engine of the process;
- a `global` statement anywhere (a module variable reassigned at run time).

What remains is listed in ALLOWED with the reason it may stay.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "backend", "jobs", "profai", "ui_common", "ui_teacher", "ui_student")
# Streamlit runs these files top to bottom on every interaction: their top level is a page's
# run, not import-time state.
PAGE_SCRIPTS = ("ui_teacher/app.py", "ui_teacher/views/")

# Calls whose result holds no state of the process: constants, types, compiled patterns,
# loggers (the logging module owns its registry), frozen containers.
SAFE_CALLS = {
    "logging.getLogger", "getLogger", "TypeVar", "ParamSpec", "re.compile", "frozenset", "tuple",
    "Path", "str", "int", "float", "bool", "object", "NewType", "namedtuple", "Literal", "Annotated",
    "field", "timedelta", "Decimal", "Enum", "os.environ.get", "os.getenv", "MappingProxyType",
    "len", "range", "set_of", "Dependency", "Parameter", "Body", "Provide", "Rule", "RateLimitItemPerMinute",
    "sorted", "max", "min", "sum", "dict.fromkeys", "Path.home", "os.cpu_count", "socket.gethostname",
    "os.getpid", "ContextVar", "re.escape", "struct.Struct", "np.dtype", "type", "cast",
}
MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "WeakKeyDictionary",
                 "WeakValueDictionary", "WeakSet", "local", "Counter"}

# file -> names allowed to stay, each with its reason. Keep this list short.
ALLOWED: dict[str, dict[str, str]] = {
    "backend/metrics.py": {
        "*": "Prometheus metrics are process-wide by design: prometheus_client's registry is global "
        "and multiprocess mode shares it through files; the metric objects are built once per name.",
    },
    "core/vectors/write_lock.py": {
        "_locks": "one lock per milvus-lite server for all threads of the process: it guards a server, "
        "not an object, and every ChunkStore of the process must share it (milvus-lite's flush races)",
        "_locks_guard": "guards _locks",
    },
    "core/services/scope.py": {
        "common_words": "memo (maxsize=1) of a file shipped in the repository: immutable data read once",
        "_tokenizer": "memo (maxsize=1) of the shipped tokenizer file: read-only after loading",
    },
    "ui_teacher/remember.py": {
        "fernet": "the console process's one cookie key: without a configured secret it is random and "
        "must stay the same for the process's life",
    },
    "ui_student/audio_stream.py": {
        "_tickets": "the student app's audio tickets (bounded by MAX_TICKETS, expiring): Gradio routes "
        "are module functions with no app object to hang them on yet",
        "_lock": "guards _tickets",
    },
    "core/services/question_kinds.py": {
        "_code_after": "bounded memo (lru_cache) of a pure function of two strings (a chunk's text, a "
        "sentence): no state, only speed (every 'how' question looks at the same sentences again)",
    },
    "core/generation/quiz_terms.py": {
        "kind_of": "bounded memo (lru_cache) of a pure function of a string: no state, only speed",
        "base_of": "bounded memo (lru_cache) of a pure function of a string",
        "pattern_of": "bounded memo (lru_cache) of a compiled pattern per term",
    },
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return _name(node.func)
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    return type(node).__name__


def _mutable_or_built(value: ast.expr | None) -> str | None:
    """Why this module-level value is state, or None."""
    if value is None:
        return None
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
        return "a mutable container"
    if isinstance(value, ast.Call):
        called = _name(value.func)
        if called.split(".")[-1] in MUTABLE_CALLS:
            return f"a mutable container ({called}())"
        if called in SAFE_CALLS or called.split(".")[-1] in SAFE_CALLS:
            return None
        if called[:1].isupper() and called.split(".")[-1].isupper():
            return None  # an ALL-CAPS constructor is a constant's alias
        return f"an object built at import ({called}(...))"
    return None


def _is_constant_name(target: ast.expr) -> bool:
    # ALL_CAPS names are constants by convention (read, never written: word lists, compiled
    # statements, tables); __all__ and the like are not state either.
    return isinstance(target, ast.Name) and (target.id.lstrip("_").isupper() or target.id.startswith("__"))


def violations(path: Path) -> list[tuple[str, int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, str]] = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            why = _mutable_or_built(node.value)
            if why and not all(_is_constant_name(t) for t in targets):
                for t in targets:
                    found.append((_name(t), node.lineno, why))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                called = _name(deco)
                if called.split(".")[-1] in ("cache", "lru_cache", "cached"):
                    found.append((node.name, node.lineno, f"a memoised function (@{called})"))
                if called.endswith("listens_for"):
                    found.append((node.name, node.lineno, "a process-wide event listener"))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            called = _name(node.value.func)
            if called.endswith(("event.listen", "listens_for")):
                found.append((called, node.lineno, "a process-wide event listener"))
    for any_node in ast.walk(tree):
        if isinstance(any_node, ast.Global):
            found.extend((name, any_node.lineno, "a `global` rebinding") for name in any_node.names)
    return found


def application_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if "migrations/versions" not in path.as_posix()
        and not path.relative_to(REPO).as_posix().startswith(PAGE_SCRIPTS)
    )


def test_no_module_keeps_state_or_builds_objects_at_import() -> None:
    broken = []
    for path in application_modules():
        rel = path.relative_to(REPO).as_posix()
        allowed = ALLOWED.get(rel, {})
        for name, line, why in violations(path):
            if "*" in allowed or name in allowed:
                continue
            broken.append(f"{rel}:{line} {name}: {why}")
    assert not broken, "module-level state (build it in profai/container.py instead):\n" + "\n".join(broken)


def test_every_allowance_is_still_needed() -> None:
    stale = []
    for rel, names in ALLOWED.items():
        flagged = {name for name, _, _ in violations(REPO / rel)}
        stale += [f"{rel}: {name}" for name in names if name != "*" and name not in flagged]
        if "*" in names and not flagged:
            stale.append(f"{rel}: *")
    assert not stale, "allowances for state that is gone: " + ", ".join(stale)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("_cache: dict[str, int] = {}\n", "_cache"),
        ("import threading\n_local = threading.local()\n", "_local"),
        ("from huey import SqliteHuey\nhuey = SqliteHuey('q')\n", "huey"),
        ("from functools import lru_cache\n@lru_cache\ndef f() -> int:\n    return 1\n", "f"),
        ("from sqlalchemy import event\n@event.listens_for(object, 'x')\ndef g() -> None: ...\n", "g"),
        ("x = 0\ndef h() -> None:\n    global x\n    x = 1\n", "x"),
        ("import weakref\n_w = weakref.WeakKeyDictionary()\n", "_w"),
    ],
)
def test_the_scan_sees_state(tmp_path: Path, source: str, expected: str) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(source)
    assert expected in {name for name, _, _ in violations(sample)}


@pytest.mark.parametrize(
    "source",
    [
        "import logging\nlog = logging.getLogger(__name__)\n",
        "import re\n_WORD = re.compile(r'\\w+')\n",
        "TABLE = {'a': 1}\n",
        "_WORDS = frozenset({'a'})\n",
        "from typing import TypeVar\nT = TypeVar('T')\n",
        "LIMIT = 5\n",
    ],
)
def test_the_scan_lets_constants_be(tmp_path: Path, source: str) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(source)
    assert violations(sample) == []

"""The console shows a finished job's warnings (ui_teacher/widgets.py `show_job`), without a server."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest


@pytest.fixture(autouse=True)
def keep_main() -> Iterator[None]:
    """AppTest leaves its generated script as `__main__`; a later test's spawned child process (the
    parser's, tests/unit/test_parsing.py) would then re-run that script and die."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def page() -> None:
    from ui_teacher.widgets import show_job

    warning = "“Errors and Exceptions” is in both a.pdf and b.docx: the course teaches it once, from a.pdf."
    job = {
        "id": "j1",
        "kind": "ingest",
        "status": "succeeded",
        "message": f"course ready: 2 modules, 9 lessons. Warning: {warning}",
        "result": {"warnings": [warning]},
    }
    show_job(job, key="t")


def test_a_finished_jobs_warnings_are_shown_each_in_a_box() -> None:
    at = AppTest.from_function(page).run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Processing uploaded files: finished: course ready: 2 modules, 9 lessons"]
    assert [w.value for w in at.warning] == [
        "“Errors and Exceptions” is in both a.pdf and b.docx: the course teaches it once, from a.pdf."
    ]

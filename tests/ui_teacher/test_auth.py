"""Logging in and out; errors from the API are messages, never tracebacks."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.vectors.lite_server import free_port
from tests.harness import PASSWORD
from tests.ui_teacher.conftest import APP, AppFactory, Teacher, button, texts


def log_in(email: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_wrong_password_shows_the_api_message(teacher: Teacher) -> None:
    at = log_in(teacher.email, "not-the-password")
    assert "token" not in at.session_state
    assert any("Could not log in" in e.value for e in at.error), texts(at)


def test_log_in_and_out(teacher: Teacher) -> None:
    at = log_in(teacher.email, PASSWORD)
    assert at.session_state["token"]
    assert "My courses" in texts(at)
    button(at, "Log out").click().run()
    assert "token" not in at.session_state
    assert "Teacher console" in texts(at)


def test_students_are_sent_to_the_tutor_app(stack: object) -> None:
    email, _ = stack.user("student")  # type: ignore[attr-defined]
    at = log_in(email, PASSWORD)
    assert "token" not in at.session_state
    assert any("for teachers" in e.value for e in at.error)


def test_unreachable_api_is_said_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("API_URL", url)
    at = log_in("someone@test.io", "whatever-123")
    assert any(f"the API is unreachable at {url}" in e.value for e in at.error), texts(at)


def test_expired_token_asks_to_log_in_again(app: AppFactory) -> None:
    at = app(token="not-a-real-token")
    assert not at.exception
    assert "token" not in at.session_state
    assert any("log in again" in w.value for w in at.warning), texts(at)

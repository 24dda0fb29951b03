"""The chat websocket logs in without the token in the URL, and no log keeps a token."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.api.test_chat import chat_socket, ws_turn
from tests.api.tutor_course import SMALL, built_course
from tests.harness import LOGS, Stack


def url_of(stack: Stack, course_id: str) -> str:
    return f"ws://127.0.0.1:{stack.api_port}/api/v1/ws/courses/{course_id}/chat"


def closed_with(socket: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            socket.recv(timeout=30)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_first_message_login_then_questions(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Files")
    with chat_socket(stack, course.id, course.student) as socket:  # sends {"token": ...}, gets ready
        events = ws_turn(socket, {"question": "How do I read a file?"})
        assert events[-1]["type"] == "done" and any(e["type"] == "citations" for e in events)


@pytest.mark.parametrize(
    "first",
    ['{"token": "pat_forged"}', '{"question": "no token first"}', "not json", '{"token": 42}'],
)
def test_a_socket_without_a_valid_first_login_is_closed(stack: Stack, first: str) -> None:
    course = built_course(stack, SMALL, "Files")
    with connect(url_of(stack, course.id)) as socket:
        socket.send(first)
        error = json.loads(socket.recv(timeout=30))
        assert error["type"] == "error" and error["code"] == "unauthenticated", error
        assert closed_with(socket) == 4401


def test_header_login_and_the_deprecated_url_token_still_work_and_logs_hide_tokens(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Files")
    token = course.student.headers["Authorization"].split()[1]
    headers = {"Authorization": f"Bearer {token}"}
    with connect(url_of(stack, course.id), additional_headers=headers) as socket:  # non-browser clients
        assert ws_turn(socket, {"question": "How do I read a file?"})[-1]["type"] == "done"
    with connect(f"{url_of(stack, course.id)}?token={token}") as socket:  # deprecated, still accepted
        assert ws_turn(socket, {"question": "How do I read a file?"})[-1]["type"] == "done"
    log = LOGS / f"{stack.data_dir.parent.name}-{stack.data_dir.name}-api.log"
    deadline = time.monotonic() + 5
    while "token=***" not in (text := log.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"/api/v1/ws/courses/{course.id}/chat?token=***" in text
    assert token not in text
    assert "deprecated" in text  # the API says once that a client still puts its token in the URL

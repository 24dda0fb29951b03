"""The tutor's LLM path against a real llama.cpp server (SmolLM2-135M): plumbing, not quality.

The API runs with LLM_PROVIDER=openai; the worker keeps the offline writer so the course
builds fast and without the chat model.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.api.test_auth import error_of
from tests.api.tutor_course import SMALL, Course, built_course, sse_events
from tests.harness import Stack
from tests.llm_server import llm_server  # noqa: F401 - the session fixture

QUESTION = "How do I read the contents of a file?"


@dataclass
class SplitStack(Stack):
    """A stack whose API process gets extra variables (the workers do not)."""

    api_env: dict[str, str] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        if name != "api":
            return super().start(name, *args)
        saved = self.extra_env
        self.extra_env = {**saved, **self.api_env}
        try:
            return super().start(name, *args)
        finally:
            self.extra_env = saved

    def restart_api(self, **env: str) -> None:
        self.stop("api")
        self.api_env.update(env)
        self.start_api()


@pytest.fixture(scope="module")
def llm_stack(tmp_path_factory: pytest.TempPathFactory, milvus_server: str, llm_server: str) -> Iterator[SplitStack]:  # noqa: F811
    api_env = {"LLM_PROVIDER": "openai", "OPENAI_BASE_URL": llm_server, "OPENAI_API_KEY": "x",
               "LLM_MODEL": "smollm2", "LLM_TIMEOUT_SECONDS": "120", "LLM_MAX_RETRIES": "0",
               # Short answers: a rambling 600 tokens took ~25 s each on 2 busy cores.
               "LLM_MAX_ANSWER_TOKENS": "48"}
    s = SplitStack(Path(tmp_path_factory.mktemp("llm")), milvus_server, api_env=api_env)
    try:
        yield s.boot(scheduler=False)  # type: ignore[misc]
    finally:
        s.stop_all()


@pytest.fixture(scope="module")
def course(llm_stack: SplitStack) -> Course:
    return built_course(llm_stack, SMALL, "LLM course")


def test_llm_answer_streams_with_citations(course: Course) -> None:
    started = time.perf_counter()
    first_token = None
    with course.student.stream("POST", f"/api/v1/courses/{course.id}/chat/stream",
                               json={"question": QUESTION}, timeout=180) as reply:
        assert reply.status_code == 200, reply.read()
        body = b""
        for chunk in reply.iter_bytes():
            if first_token is None and b"event: token" in chunk:
                first_token = time.perf_counter() - started
            body += chunk
    reply._content = body  # parsed like a read body
    events = sse_events(reply)
    kinds = [e["type"] for e in events]
    assert kinds[-2:] == ["citations", "done"] and kinds.count("token") >= 2, kinds
    citations = events[-2]["citations"]
    assert events[-2]["mode"] == "llm" and citations
    assert all(c["document_name"] == SMALL.name and c["page"] >= 1 and c["quote"] for c in citations)
    answer = "".join(e["text"] for e in events if e["type"] == "token").strip()
    # LLM_MAX_ANSWER_TOKENS=48 reached the provider: a word takes at least one token.
    assert answer and len(answer.split()) <= 48, answer
    detail = course.student.get(f"/api/v1/chat/sessions/{events[-1]['session_id']}").json()
    assert detail["messages"][-1]["content"] == answer and detail["messages"][-1]["citations"] == citations
    print(f"first token after {first_token:.2f} s")


def test_llm_full_answer_in_another_language_and_history(course: Course) -> None:
    first = course.student.post(f"/api/v1/courses/{course.id}/chat", json={"question": QUESTION, "language": "hi"},
                                timeout=180)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["mode"] == "llm" and body["language"] == "hi" and body["answer"] and body["citations"]
    assert "need an LLM provider" not in body["answer"]  # the offline note is not added to a model's answer
    follow = course.student.post(f"/api/v1/courses/{course.id}/chat",
                                 json={"question": "and how do I write one?", "session_id": body["session_id"]},
                                 timeout=180)
    assert follow.status_code == 200, follow.text
    assert follow.json()["session_id"] == body["session_id"]


def test_general_knowledge_is_marked(course: Course) -> None:
    patch = course.teacher.patch(f"/api/v1/courses/{course.id}", json={"allow_general_knowledge": True})
    assert patch.status_code == 200, patch.text
    try:
        reply = course.student.post(f"/api/v1/courses/{course.id}/chat",
                                    json={"question": "How long should sourdough bread be proofed?"}, timeout=180)
        body = reply.json()
        assert body["mode"] == "general" and body["citations"] == []
        assert body["answer"].startswith("General knowledge (not from the course material)")
    finally:
        course.teacher.patch(f"/api/v1/courses/{course.id}", json={"allow_general_knowledge": False})


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An endpoint that accepts connections and never answers: a hung provider."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def test_a_hung_provider_gives_a_clear_error_and_stores_nothing(
    llm_stack: SplitStack, course: Course, silent_server: str, llm_server: str  # noqa: F811
) -> None:
    sessions_before = course.student.get(f"/api/v1/courses/{course.id}/chat/sessions").json()
    llm_stack.restart_api(OPENAI_BASE_URL=silent_server, LLM_TIMEOUT_SECONDS="2")
    try:
        for path in ("chat", "chat/stream"):
            started = time.monotonic()
            reply = course.student.post(f"/api/v1/courses/{course.id}/{path}", json={"question": QUESTION})
            assert reply.status_code == 503, reply.text
            error = error_of(reply)
            assert error["code"] == "service_unavailable" and "language model" in str(error["message"])
            assert time.monotonic() - started < 30
        assert course.student.get(f"/api/v1/courses/{course.id}/chat/sessions").json() == sessions_before
    finally:
        llm_stack.restart_api(OPENAI_BASE_URL=llm_server, LLM_TIMEOUT_SECONDS="120")

"""An API process killed in the middle of an upload leaves a `.part` file; the scheduler
removes it once it is older than PARTIAL_FILE_MAX_AGE_SECONDS. A finished upload is kept.

The body of a multipart request is spooled by Litestar to an anonymous temporary file (gone
with the process), then copied to `<id>.part` and renamed: the kill lands during the copy."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from tests.api.test_bounds import multipart_head
from tests.api.test_courses import make_course
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload


@pytest.fixture
def sweeping(tmp_path_factory: pytest.TempPathFactory, milvus_server: str) -> Iterator[Stack]:
    env = {"PARTIAL_FILE_MAX_AGE_SECONDS": "3", "MAX_FILE_MB": "300", "MAX_REQUEST_MB": "300"}
    s = Stack(tmp_path_factory.mktemp("sweep"), milvus_server, extra_env=env)
    try:
        yield s.boot(workers=0, scheduler=False)
    finally:
        s.stop_all()


def wait_until(predicate: Callable[[], object], timeout: float = 60, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def test_partial_file_of_a_killed_api_is_swept(sweeping: Stack) -> None:
    _, teacher = sweeping.user("teacher")
    token = str(teacher.headers["Authorization"]).removeprefix("Bearer ")
    cid = make_course(teacher)["id"]
    kept = upload(teacher, cid, FIXTURES / "input-output.md")["documents"][0]
    folder = sweeping.data_dir / "uploads" / cid
    body = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.md"\r\n'
        b"Content-Type: text/markdown\r\n\r\n" + b"word " * 50_000_000  # 250 MB: a copy of ~1 s
        + b"\r\n--b--\r\n"
    )
    sock = socket.create_connection(("127.0.0.1", sweeping.api_port))
    sock.sendall(multipart_head(sweeping, token, cid, len(body), "b") + body)
    # The .part is being written: kill the API at once, before the copy ends and it is renamed.
    assert wait_until(lambda: list(folder.glob("*.part")), every=0.002)
    os.killpg(sweeping.procs.pop("api").pid, signal.SIGKILL)  # nothing gets to clean up
    sock.close()
    time.sleep(1)
    left = list(folder.glob("*.part"))
    assert len(left) == 1
    sweeping.start("scheduler", "scheduler")
    assert wait_until(lambda: not left[0].exists()), "the scheduler did not remove the partial file"
    assert (folder / kept["id"]).exists()  # a finished upload is not touched

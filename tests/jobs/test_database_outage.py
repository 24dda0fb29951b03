"""PostgreSQL restarted or down under a running stack: 503 with Retry-After while it is away,
200 as soon as it is back, and never a 500 (stale pooled connections of the ORM engine and
of the read pool included).

The machine's PostgreSQL is shared, so the stack reaches it through a TCP proxy the test
cuts (tests/tcp_proxy.py): a cut ends every connection and refuses new ones, as a restart
or an outage does.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.api.test_courses import make_course
from tests.conftest import new_pg_database
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job
from tests.jobs.test_durability import SLIDES, wait_for
from tests.tcp_proxy import TcpProxy

MD = FIXTURES / "input-output.md"


@pytest.fixture
def proxied(tmp_path_factory: pytest.TempPathFactory, milvus_server: str) -> Iterator[tuple[Stack, TcpProxy]]:
    # No Redis: without it there is no response cache, so every GET below reaches the database.
    with new_pg_database() as database, TcpProxy("127.0.0.1", 5432) as proxy:
        through_proxy = database.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
        assert through_proxy != database
        stack = Stack(tmp_path_factory.mktemp("pg_outage"), milvus_server, database_url=through_proxy)
        try:
            stack.boot(workers=1)
            yield stack, proxy
        finally:
            proxy.restore()  # let the processes say goodbye to the database
            stack.stop_all()


def sweep(client: httpx.Client, course_id: str, job_id: str, rounds: int = 4) -> list[httpx.Response]:
    """The routes of each pool, several at once (so several pooled connections are in play):
    the ORM engine (course list and detail, a write) and the read pool (job status)."""

    def one(i: int) -> list[httpx.Response]:
        return [
            client.get("/api/v1/courses", params={"limit": 50 - i % 7}),
            client.get(f"/api/v1/courses/{course_id}"),
            client.get(f"/api/v1/jobs/{job_id}"),
            client.post("/api/v1/courses", json={"title": f"during {i}"}),
        ]

    with ThreadPoolExecutor(8) as pool:
        return [r for batch in pool.map(one, range(rounds * 2)) for r in batch]


def statuses(replies: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in replies)


def test_database_restart_and_outage_answer_503_then_recover_without_a_500(
    proxied: tuple[Stack, TcpProxy],
) -> None:
    stack, proxy = proxied
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, MD)["job"]["id"]
    assert wait_job(teacher, job_id)["status"] == "succeeded"
    assert set(statuses(sweep(teacher, cid, job_id))) <= {200, 201}  # every pool holds connections now

    # A restart: every pooled connection dies, the server is back at once.
    proxy.cut()
    proxy.restore()
    after_restart = sweep(teacher, cid, job_id)
    assert set(statuses(after_restart)) <= {200, 201}, [(r.status_code, r.text[:200]) for r in after_restart]

    # An outage: 503 with Retry-After in the one error shape, never a 500.
    proxy.cut()
    time.sleep(3)  # past CACHE_TTL_SECONDS: the token must be looked up again, in the database
    during = sweep(teacher, cid, job_id, rounds=2)
    assert set(statuses(during)) == {503}, [(r.status_code, r.text[:200]) for r in during]
    for reply in during:
        assert int(reply.headers["Retry-After"]) > 0
        assert reply.json()["error"]["code"] == "service_unavailable"
        assert "unavailable" in reply.json()["error"]["message"]
    # A websocket whose login needs the database is closed with 1013 (try again later).
    token = teacher.headers["Authorization"].split()[1]
    with connect(f"ws://127.0.0.1:{stack.api_port}/api/v1/ws/courses/{cid}/chat") as socket:
        socket.send(json.dumps({"token": token}))
        event = json.loads(socket.recv(timeout=60))
        assert event["code"] == "service_unavailable" and event["retry_after"] > 0, event
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=60)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013

    proxy.restore()
    deadline = time.monotonic() + 60
    while teacher.get(f"/api/v1/courses/{cid}").status_code != 200:
        assert time.monotonic() < deadline, "the API did not recover"
        time.sleep(0.2)
    after = sweep(teacher, cid, job_id)
    assert set(statuses(after)) <= {200, 201}, [(r.status_code, r.text[:200]) for r in after]
    # Work goes on: a new upload runs to the end.
    job_id = upload(teacher, cid, FIXTURES / "pdflatex-outline.pdf")["job"]["id"]
    assert wait_job(teacher, job_id)["status"] == "succeeded"


def test_a_running_job_waits_out_a_database_outage_without_spending_an_attempt(
    proxied: tuple[Stack, TcpProxy],
) -> None:
    stack, proxy = proxied
    _, teacher = stack.user("teacher")
    cid = make_course(teacher)["id"]
    job_id = upload(teacher, cid, SLIDES)["job"]["id"]
    wait_for(teacher, job_id, lambda j: j["status"] == "running" and j["stage"] in ("parsing", "embedding"))
    proxy.cut()
    # Longer than JOB_STALE_SECONDS (6 s here): no heartbeat gets through meanwhile, so the
    # job looks stale when the database is back; the reaper must give it time to beat again.
    time.sleep(15)
    proxy.restore()
    job = wait_job(teacher, job_id, timeout=300)
    assert job["status"] == "succeeded" and job["attempts"] == 1, job
    docs = teacher.get(f"/api/v1/courses/{cid}/documents").json()
    assert [d["status"] for d in docs] == ["ready"]

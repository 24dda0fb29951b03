"""Bounded work per request, through the real server: page images capped in pixels, counted
per user and cached; slow or huge headers and trickled bodies cut off (408, 431); uploads in
flight capped per user (429); a cut-off upload leaves no partial file."""

from __future__ import annotations

import io
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest

from tests.api.test_auth import error_of
from tests.api.test_courses import make_course
from tests.harness import Stack

BOUNDED = {
    "RATE_LIMIT_PAGE_RENDER": "4/minute",
    "API_HEADER_TIMEOUT_SECONDS": "2",
    "API_MAX_HEADER_KB": "8",
    "API_BODY_IDLE_SECONDS": "2",
    "API_BODY_TIMEOUT_SECONDS": "8",
    "MAX_CONCURRENT_UPLOADS": "1",
}
WAIT = 30  # seconds a socket waits for the server's answer: far above every bound set here


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory, milvus_server: str) -> Iterator[Stack]:
    """An embedded stack with short deadlines and small caps (no workers: no job needs to run)."""
    s = Stack(tmp_path_factory.mktemp("bounded"), milvus_server, extra_env=BOUNDED)
    try:
        yield s.boot(workers=0, scheduler=False)
    finally:
        s.stop_all()


def pdf_bytes(*pages: tuple[float, float]) -> bytes:
    """A PDF with pages of the given sizes in points, a line of text on each."""
    pdf = pdfium.PdfDocument.new()
    for width, height in pages:
        pdf.new_page(width, height)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def upload_bytes(client: httpx.Client, course_id: str, name: str, data: bytes) -> dict[str, object]:
    reply = client.post(f"/api/v1/courses/{course_id}/documents", files=[("files", (name, data))])
    assert reply.status_code == 202, reply.text
    return dict(reply.json()["documents"][0])


def test_tall_pages_render_bounded_and_renders_are_counted(bounded: Stack) -> None:
    _, teacher = bounded.user("teacher")
    cid = make_course(teacher)["id"]
    strip = upload_bytes(teacher, cid, "strip.pdf", pdf_bytes((1, 14_400)))
    tall = upload_bytes(teacher, cid, "tall.pdf", pdf_bytes((100, 14_400), (612, 792), (612, 792), (612, 792)))
    api_pid = bounded.procs["api"].pid
    before = peak_rss_mb(api_pid)
    for doc in (strip, tall):
        reply = teacher.get(f"/api/v1/courses/{cid}/documents/{doc['id']}/pages/1")
        assert reply.status_code == 200, reply.text
        width, height = png_size(reply.content)
        # The width asked (1000 px) would make 14.4 G and 144 M pixels: the bounds win.
        assert width * height <= 4_000_000 and max(width, height) <= 8000, (width, height)
        assert height > width >= 1
    # Two renders of at most 16 MB of bitmap each: the process's peak stays far from 200 MB more.
    assert peak_rss_mb(api_pid) - before < 200

    # The same pages again come from the cache: not counted against the render limit.
    for _ in range(3):
        assert teacher.get(f"/api/v1/courses/{cid}/documents/{strip['id']}/pages/1").status_code == 200
    assert list((bounded.data_dir / "uploads" / cid).glob("*.page1.png"))
    # Renders 3 and 4 of the minute pass; the 5th new page is refused with Retry-After.
    for page in (2, 3):
        assert teacher.get(f"/api/v1/courses/{cid}/documents/{tall['id']}/pages/{page}").status_code == 200
    refused = teacher.get(f"/api/v1/courses/{cid}/documents/{tall['id']}/pages/4")
    assert refused.status_code == 429 and "page images" in str(error_of(refused)["message"])
    assert int(refused.headers["retry-after"]) >= 1
    # Another user has a count of their own (a student of the course would too).
    _, admin_client = "admin", bounded.client(bounded.admin_token)
    assert admin_client.get(f"/api/v1/courses/{cid}/documents/{tall['id']}/pages/4").status_code == 200


def read_answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(WAIT)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def connect(stack: Stack) -> socket.socket:
    return socket.create_connection(("127.0.0.1", stack.api_port), timeout=WAIT)


def test_slow_headers_get_408_and_the_api_keeps_answering(bounded: Stack) -> None:
    slow: list[socket.socket] = [connect(bounded) for _ in range(40)]
    answers: list[bytes] = [b""] * len(slow)
    stop = threading.Event()

    def trickle(i: int, sock: socket.socket) -> None:
        try:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
            for _ in range(40):  # one header byte every 0.25 s: would take 10 s, the bound is 2 s
                if stop.is_set():
                    break
                sock.sendall(b"X")
                time.sleep(0.25)
        except OSError:  # the server closed the connection: what this test waits for
            pass
        answers[i] = read_answer(sock)

    threads = [threading.Thread(target=trickle, args=(i, s)) for i, s in enumerate(slow)]
    for t in threads:
        t.start()
    # Meanwhile, a normal client is served.
    assert httpx.get(f"{bounded.url}/health/live", timeout=WAIT).status_code == 200
    for t in threads:
        t.join(WAIT)
    stop.set()
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), {a[:40] for a in answers}
    assert b'"code": "request_timeout"' in answers[0] and b"connection: close" in answers[0].lower()
    for s in slow:
        s.close()

    # A connection that never sends a byte is closed too, without an answer.
    idle = connect(bounded)
    assert read_answer(idle) == b""
    idle.close()


def test_huge_headers_get_431(bounded: Stack) -> None:
    sock = connect(bounded)
    sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n")
    answer = read_answer(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
    assert b"request_header_fields_too_large" in answer
    # Many small headers add up the same way.
    sock = connect(bounded)
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 90) for i in range(100))
    sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert read_answer(sock).startswith(b"HTTP/1.1 431 ")
    sock.close()
    # Headers under the cap are served.
    assert httpx.get(f"{bounded.url}/health/live", headers={"X-Small": "a" * 4000}).status_code == 200


def multipart_head(stack: Stack, token: str, course_id: str, length: int, boundary: str) -> bytes:
    return (
        f"POST /api/v1/courses/{course_id}/documents HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_trickled_upload_is_cut_off_holds_a_slot_meanwhile_and_leaves_no_partial_file(bounded: Stack) -> None:
    _, teacher = bounded.user("teacher")
    token = str(teacher.headers["Authorization"]).removeprefix("Bearer ")
    cid = make_course(teacher)["id"]
    boundary = "b0undary"
    part = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"notes.md\"\r\n"
        "Content-Type: text/markdown\r\n\r\n"
    ).encode() + b"# Notes\n\n" + b"word " * 100_000
    sock = connect(bounded)
    sock.sendall(multipart_head(bounded, token, cid, len(part) + 200, boundary) + part[:300_000])
    # While that upload is in flight, the same user's next upload is refused: one at a time here.
    deadline, attempt = time.monotonic() + WAIT, 0
    while True:
        attempt += 1  # a different file each time: one accepted before the first took its slot is no conflict
        body = f"# B\n\nb b b {attempt}".encode()
        second = teacher.post(f"/api/v1/courses/{cid}/documents", files=[("files", (f"b{attempt}.md", body))])
        if second.status_code == 429 or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # the first request may not have reached the handler yet
    assert second.status_code == 429, second.text
    assert "uploads at once" in str(error_of(second)["message"]) and int(second.headers["retry-after"]) >= 1
    # The rest of the body never comes: the server answers 408 and closes.
    answer = read_answer(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"request_timeout" in answer
    folder = bounded.data_dir / "uploads" / cid
    assert not list(folder.glob("*.part"))  # the cut-off upload left nothing behind
    assert len(list(folder.glob("*"))) == attempt - 1  # only the files of the uploads that were accepted
    # The slot came back: the next upload is accepted.
    assert upload_bytes(teacher, cid, "c.md", b"# C\n\nc c c")["filename"] == "c.md"

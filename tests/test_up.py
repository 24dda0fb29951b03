"""`profai up` starts every process on the embedded default and stops them all on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from core.vectors.lite_server import free_port
from tests.harness import REPO, wait_http


def test_up_starts_everything_and_stops_cleanly(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("API_PORT", "UI_TEACHER_PORT", "UI_STUDENT_PORT", "MILVUS_LITE_PORT")}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "MILVUS_", "API_"))}
    env.update({k: str(v) for k, v in ports.items()})
    env.update(
        DATA_DIR=str(tmp_path / "var"), MILVUS_URI=f"http://127.0.0.1:{ports['MILVUS_LITE_PORT']}",
        API_URL=f"http://127.0.0.1:{ports['API_PORT']}", PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        up = subprocess.Popen([sys.executable, "-m", "profai", "up"], env=env, cwd=REPO, stdout=out, stderr=out)
    try:
        api = f"http://127.0.0.1:{ports['API_PORT']}"
        wait_http(f"{api}/health/live", up, timeout=120)
        wait_http(f"http://127.0.0.1:{ports['UI_TEACHER_PORT']}/_stcore/health", up, timeout=120)
        wait_http(f"http://127.0.0.1:{ports['UI_STUDENT_PORT']}/", up, timeout=120)
        deadline = time.monotonic() + 60
        while httpx.get(f"{api}/health/ready").status_code != 200:
            assert time.monotonic() < deadline, httpx.get(f"{api}/health/ready").text
            time.sleep(0.5)
        banner = log.read_text()
        for port in ports.values():
            if port != ports["MILVUS_LITE_PORT"]:
                assert f":{port}" in banner, banner
        # The demo accounts it printed can log in.
        creds = (tmp_path / "var" / "demo-credentials.txt").read_text().splitlines()
        role, email, password = creds[0].split("\t")
        assert role == "teacher" and email in banner and password in banner
        assert httpx.post(f"{api}/api/v1/auth/login", json={"email": email, "password": password}).status_code == 200
        children = psutil.Process(up.pid).children(recursive=True)
        assert len(children) >= 6  # milvus-lite, api, worker, scheduler, two UIs
    finally:
        up.send_signal(signal.SIGINT)
        code = up.wait(90)
    assert code == 0, log.read_text()[-3000:]
    time.sleep(1)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]

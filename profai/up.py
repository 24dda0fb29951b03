"""`profai up`: every process of the platform on one machine, stopped together on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from core.settings import Settings
from core.vectors.lite_server import MilvusLiteServer

STOP_TIMEOUT = 30.0


def embedded_milvus(settings: Settings) -> MilvusLiteServer:
    # Loopback only: milvus-lite has no authentication.
    return MilvusLiteServer((settings.data_dir / "milvus").resolve(), port=settings.milvus_lite_port)


def serve_milvus_lite(settings: Settings, port: int | None) -> int:
    """Run the embedded vector store in the foreground (as its own process or container)."""
    server = embedded_milvus(settings)
    server.port = port or server.port
    server.data_dir.mkdir(parents=True, exist_ok=True)
    command = server.command()
    os.execv(command[0], command)


def uses_embedded_milvus(settings: Settings) -> bool:
    url = urlparse(settings.milvus_uri)
    return url.hostname in ("127.0.0.1", "localhost") and (url.port or 19530) == settings.milvus_lite_port


def wait_for_port(host: str, port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), 0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def run_up(settings: Settings) -> int:
    from core.db.migrate import upgrade
    from profai.accounts import ensure_demo_users

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    print("applying database migrations…", flush=True)
    upgrade(settings=settings)
    demo = asyncio.run(ensure_demo_users(settings))

    me = [sys.executable, "-m", "profai"]
    children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
        # A new process group, so that the terminal's Ctrl-C reaches us alone and we stop
        # the children in order (workers drain on SIGTERM).
        proc = subprocess.Popen(command, start_new_session=True)
        children.append((name, proc))
        return proc

    milvus = embedded_milvus(settings) if uses_embedded_milvus(settings) else None
    try:
        if milvus is not None:
            print("starting milvus-lite…", flush=True)
            milvus.start(timeout=90)
        api = start("api", [*me, "api"])
        start("worker", [*me, "worker"])
        start("scheduler", [*me, "scheduler"])
        start("ui-teacher", [*me, "ui-teacher"])
        start("ui-student", [*me, "ui-student"])
        wait_for_port(settings.api_host, settings.api_port, 60, api)
        print_banner(settings, demo)
        return supervise(children, milvus)
    finally:
        stop_all(children)
        if milvus is not None:
            milvus.stop()


def print_banner(settings: Settings, demo: list[tuple[str, str, str]]) -> None:
    api = f"http://{settings.api_host}:{settings.api_port}"
    lines = [
        "",
        "ProfessorAI is running (Ctrl-C stops everything):",
        f"  teacher console  http://{settings.ui_host}:{settings.ui_teacher_port}",
        f"  student app      http://{settings.ui_host}:{settings.ui_student_port}",
        f"  REST API         {api}/api/v1   (docs: {api}/schema/swagger)",
        f"  health, metrics  {api}/health/ready   {api}/metrics",
        f"  vector store     {settings.milvus_uri}",
        f"  data             {settings.data_dir.resolve()}",
    ]
    if demo:
        lines.append("  log in with:")
        lines += [f"    {role:8} {email}  password: {password}" for role, email, password in demo]
    else:
        lines.append("  log in with the accounts you created (`profai create-user`)")
    print("\n".join(lines) + "\n", flush=True)


def supervise(children: list[tuple[str, subprocess.Popen[bytes]]], milvus: MilvusLiteServer | None) -> int:
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stopping:
        for name, proc in children:
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}; stopping everything", file=sys.stderr)
                return 1
        if milvus is not None and not milvus.running:
            print("milvus-lite exited; stopping everything", file=sys.stderr)
            return 1
        time.sleep(0.5)
    print("stopping…", flush=True)
    return 0


def stop_all(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    # Reverse order: UIs and API first, the vector store last.
    for _, proc in reversed(children):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in reversed(children):
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in time; killing it", file=sys.stderr)
            proc.kill()
            proc.wait()

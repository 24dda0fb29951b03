"""`profai`: one command, one subcommand per process of the platform."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from core.settings import Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="profai", description="ProfessorAI: AI course platform")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("up", help="start everything on one machine (embedded default)")
    api = commands.add_parser("api", help="the REST/SSE/websocket API (uvicorn)")
    api.add_argument("--workers", type=int, default=None, help="uvicorn processes (default API_WORKERS)")
    worker = commands.add_parser("worker", help="a background worker (Huey consumer)")
    worker.add_argument("--threads", type=int, default=None, help="worker threads (default WORKER_THREADS)")
    commands.add_parser("scheduler", help="periodic tasks: the job reaper (run exactly one)")
    commands.add_parser("ui-teacher", help="the teacher console (Streamlit)")
    commands.add_parser("ui-student", help="the student tutor app (Gradio)")
    commands.add_parser("migrate", help="apply database migrations")
    milvus = commands.add_parser("milvus-lite", help="serve the embedded vector store (used by `up`)")
    milvus.add_argument("--port", type=int, default=None)
    user = commands.add_parser("create-user", help="create an admin, teacher or student account")
    user.add_argument("--email", required=True)
    user.add_argument("--name", default="")
    user.add_argument("--role", choices=["admin", "teacher", "student"], default="teacher")
    user.add_argument("--password", default=None, help="prompted for when omitted (or PROFAI_PASSWORD)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()  # the only read of the environment in this process
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    handler: Callable[[argparse.Namespace, Settings], int] = COMMANDS[args.command]
    return handler(args, settings)


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    from profai.up import run_up

    return run_up(settings)


def cmd_api(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    workers = args.workers or settings.api_workers
    with metrics_dir(workers):
        uvicorn.run(
            "profai.api:app_factory",
            factory=True,
            host=settings.api_host,
            port=settings.api_port,
            workers=workers,
            log_level=settings.log_level.lower(),
            proxy_headers=True,
            timeout_graceful_shutdown=20,
            timeout_keep_alive=settings.api_keepalive_seconds,
            # uvicorn's httptools protocol plus a deadline and a size cap on request headers.
            http="backend.timeouts:BoundedHttpToolsProtocol",
            # A spoken question arrives base64-encoded in one websocket message (4/3 of its size).
            ws_max_size=int(settings.max_audio_mb * 1024 * 1024 * 4 / 3) + 64 * 1024,
        )
    return 0


@contextmanager
def metrics_dir(workers: int) -> Iterator[None]:
    """Several API processes share their Prometheus values through files (backend/metrics.py).

    An operator's PROMETHEUS_MULTIPROC_DIR is used as given (it must start empty, e.g. an
    emptyDir volume); otherwise a fresh directory lives as long as this command."""
    if workers <= 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    path = tempfile.mkdtemp(prefix="profai-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path  # the worker processes inherit it
    try:
        yield
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(path, ignore_errors=True)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.worker import run_worker
    from profai.container import build

    root = build(settings)
    run_worker(settings, root.tasks, root.embedders, root.changes, args.threads)
    return 0


def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from jobs.scheduler import run_scheduler
    from profai.container import build

    root = build(settings)
    asyncio.run(run_scheduler(settings, root.queue, root.changes))
    return 0


def cmd_ui_teacher(args: argparse.Namespace, settings: Settings) -> int:
    script = REPO_ROOT / "ui_teacher" / "app.py"
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(settings.ui_teacher_port),
            "--server.address",
            settings.ui_host,
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
    )


def cmd_ui_student(args: argparse.Namespace, settings: Settings) -> int:
    from ui_student.app import launch

    launch()
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from core.db.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings=settings)
    print("database is up to date")
    return 0


def cmd_milvus_lite(args: argparse.Namespace, settings: Settings) -> int:
    from profai.up import serve_milvus_lite

    return serve_milvus_lite(settings, args.port)


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from core.db.models.users import Role
    from profai.accounts import create_user

    password = args.password or os.environ.get("PROFAI_PASSWORD") or getpass.getpass("password: ")
    user = asyncio.run(create_user(settings, args.email, password, args.name, Role(args.role)))
    print(f"created {user.role.value} {user.email} ({user.id})")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "up": cmd_up,
    "api": cmd_api,
    "worker": cmd_worker,
    "scheduler": cmd_scheduler,
    "ui-teacher": cmd_ui_teacher,
    "ui-student": cmd_ui_student,
    "migrate": cmd_migrate,
    "milvus-lite": cmd_milvus_lite,
    "create-user": cmd_create_user,
}

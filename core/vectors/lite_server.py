"""Run milvus-lite as a local server so that every process shares one data directory.

milvus-lite locks its data directory: only one process may open it. On the embedded
default `profai up` starts this server and every other process (API, workers, tests)
connects by URI, exactly as to a real Milvus.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self


class MilvusLiteError(RuntimeError):
    """The milvus-lite server could not be started or did not answer."""


def free_port() -> int:
    """A TCP port free on loopback right now (racy by nature; good enough for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _server_command() -> list[str]:
    # milvus-lite's own CLI, run by this interpreter (a venv started without activation
    # still finds its own packages) with our patches applied (lite_main.py, core/patches/).
    return [sys.executable, "-m", "core.vectors.lite_main"]


class MilvusLiteServer:
    """A milvus-lite server subprocess bound to loopback.

    with MilvusLiteServer(data_dir, port=free_port()) as srv:
        store = ChunkStore(srv.uri, dim=384)
    """

    def __init__(
        self,
        data_dir: str | Path,
        port: int = 19530,
        host: str = "127.0.0.1",
        max_workers: int = 10,
        log_path: str | Path | None = None,
    ) -> None:
        # The CLI's own default host is 0.0.0.0; an unauthenticated store must not be
        # reachable from the network, so loopback is the default here.
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.max_workers = max_workers
        self.log_path = Path(log_path) if log_path else self.data_dir / "milvus-lite.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self) -> list[str]:
        return [
            *_server_command(),
            "server",
            "--data-dir",
            str(self.data_dir),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--max-workers",
            str(self.max_workers),
        ]

    def start(self, timeout: float = 60.0) -> Self:
        if self.running:
            return self
        # Something already listening would answer our readiness probe in place of our
        # child (which then dies on the bind): refuse up front.
        if _listening(self.host, self.port):
            raise MilvusLiteError(f"port {self.port} on {self.host} is already in use")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = self.command()
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            # Its own session: a terminal's Ctrl-C reaches our owner, which stops it last.
            self._proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        finally:
            log.close()  # the child holds its own descriptor
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        # A TCP accept alone isn't enough: the port opens before the gRPC service answers,
        # so finish with a real call.
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise MilvusLiteError(
                    f"milvus-lite exited with code {self._proc.returncode}; last log lines:\n{self._log_tail()}"
                )
            if _listening(self.host, self.port) and self._answers():
                return
            time.sleep(0.2)
        raise MilvusLiteError(f"milvus-lite did not answer on {self.uri} within {timeout:.0f}s:\n{self._log_tail()}")

    def _answers(self) -> bool:
        from pymilvus import MilvusClient

        try:
            client = MilvusClient(uri=self.uri, timeout=5)
            try:
                client.list_collections()
            finally:
                client.close()
        except Exception:  # noqa: BLE001 - whatever the failure, the server isn't ready yet
            return False
        return True

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 15.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        # SIGINT is what the server handles: it drains requests and closes the database
        # (flushing it); SIGTERM would skip that. Escalate only if it hangs.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

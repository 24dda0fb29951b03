"""No network: parsing (unstructured included), embeddings, generation, chat and speech all
run inside a network namespace that has nothing but loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.harness import REPO


def test_whole_pipeline_without_network() -> None:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.fail("this test needs root and util-linux's unshare to cut the network off")
    script = f"ip link set lo up && exec {sys.executable} -m tests.offline_pipeline"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "MILVUS_"))}
    run = subprocess.run(
        ["unshare", "--net", "sh", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "job: succeeded" in run.stdout

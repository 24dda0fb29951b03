"""Job threads: heavy work at WORKER_NICE, the loop that holds database transactions at normal priority."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from core.settings import Settings
from jobs.runtime import ThreadRuntime


def test_executor_threads_run_niced_and_the_loop_does_not(tmp_path: Path) -> None:
    seen: dict[str, int] = {}

    def in_thread() -> None:
        runtime = ThreadRuntime(Settings(data_dir=tmp_path, worker_nice=7, _env_file=None))  # type: ignore[call-arg]
        try:
            seen["loop"] = os.nice(0)
            seen["executor"] = runtime.loop.run_until_complete(asyncio.to_thread(os.nice, 0))
            seen["loop after"] = os.nice(0)
        finally:
            runtime.loop.run_until_complete(runtime.engine.dispose())
            runtime.loop.close()

    base = os.nice(0)
    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert seen == {"loop": base, "executor": min(base + 7, 19), "loop after": base}
    assert os.nice(0) == base

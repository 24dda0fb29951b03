"""Concurrent single-item requests served in batches, per key.

Fifty students asking at once would otherwise make fifty model calls of one short question
each, and fifty searches of one vector each, where a call's fixed cost dominates. Here items
queue while their key's previous batch runs, and all of them go into the next one: there is
no waiting window, so a lone request goes at once, and under load each call carries
everything that arrived meanwhile. Keys keep apart what cannot share a call (the searches of
different courses).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Hashable, Sequence
from concurrent.futures import Executor
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")


class _LoopState(Generic[K, T, R]):
    def __init__(self) -> None:
        self.queues: dict[K, list[tuple[T, asyncio.Future[R]]]] = {}
        self.workers: dict[K, asyncio.Task[None]] = {}


class Batcher(Generic[K, T, R]):
    def __init__(
        self, run: Callable[[K, Sequence[T]], Sequence[R | BaseException]], max_batch: int = 32,
        executor: Executor | None = None,
    ) -> None:
        self._run = run  # blocking: called in `executor` (default: the loop's)
        self.max_batch = max_batch
        self._executor = executor
        # Futures belong to an event loop; a process may run several (tests, benchmarks).
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState[K, T, R]] = (
            weakref.WeakKeyDictionary()
        )

    async def submit(self, key: K, item: T) -> R:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = self._states[loop] = _LoopState()
        future: asyncio.Future[R] = loop.create_future()
        state.queues.setdefault(key, []).append((item, future))
        worker = state.workers.get(key)
        if worker is None or worker.done():
            state.workers[key] = loop.create_task(self._drain(loop, state, key))
        return await future

    async def _drain(self, loop: asyncio.AbstractEventLoop, state: _LoopState[K, T, R], key: K) -> None:
        while queue := state.queues.get(key):
            batch, state.queues[key] = queue[: self.max_batch], queue[self.max_batch :]
            batch = [(item, future) for item, future in batch if not future.done()]  # callers gone
            if not batch:
                continue
            try:
                results = await self._call(loop, key, [item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to every caller of the batch
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, BaseException):  # this item's own failure
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        state.queues.pop(key, None)

    async def _call(self, loop: asyncio.AbstractEventLoop, key: K, items: list[T]) -> Sequence[R | BaseException]:
        return await loop.run_in_executor(self._executor, self._run, key, items)


class AsyncBatcher(Batcher[K, T, R]):
    """The same queueing for a coroutine (a database write): one batch at a time per key.

    `run` may put an exception in place of an item's result to fail that item alone."""

    def __init__(self, run: Callable[[K, Sequence[T]], Awaitable[Sequence[R | BaseException]]],
                 max_batch: int = 32) -> None:
        super().__init__(lambda key, items: [], max_batch)
        self._run_async = run

    async def _call(self, loop: asyncio.AbstractEventLoop, key: K, items: list[T]) -> Sequence[R | BaseException]:
        return await self._run_async(key, items)

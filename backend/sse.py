"""Server-sent events written as they become ready: events produced together leave in one write.

Litestar's ServerSentEvent sends each event as its own ASGI message (one socket write each) and
starts every response with a hop to a worker thread to read its (here empty) list of header
lines. An offline tutor answer is ready all at once, so its token and citation events went out
as some eight writes per answer: with 50 questions at once that was ~15 % of the API's CPU
(docs/benchmarks.md). Here each write carries every event that was ready without waiting; an
event that takes time (an LLM's next delta, the stored message id) still leaves the moment it
exists. Clients see the same events, byte for byte, in fewer TCP segments.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

from litestar.response import ServerSentEventMessage, Stream


async def ready_groups(events: AsyncIterator[Any]) -> AsyncGenerator[list[Any], None]:
    """The events in groups: each group is the next event and all that followed it at once."""
    it = aiter(events)
    pending: asyncio.Future[Any] = asyncio.ensure_future(anext(it))
    try:
        while True:
            try:
                group = [await pending]
            except StopAsyncIteration:
                return
            while True:
                pending = asyncio.ensure_future(anext(it))
                await asyncio.sleep(0)  # one turn of the loop: time for a ready event to arrive
                if not pending.done() or pending.exception() is not None:
                    break  # not ready (or the end, or a failure): send what we have first
                group.append(pending.result())
            yield group
    finally:
        if not pending.done():  # the client went away mid-answer
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending


def encode(event: Mapping[str, Any]) -> bytes:
    return ServerSentEventMessage(data=json.dumps(event, ensure_ascii=False), event=str(event["type"])).encode()


async def _encoded(events: AsyncIterator[Mapping[str, Any]]) -> AsyncIterator[bytes]:
    async for group in ready_groups(events):
        yield b"".join(encode(e) for e in group)


class EventStream(Stream):
    """`text/event-stream` of JSON events, each named by its "type" (`event: token`, ...).

    A plain Stream of encoded bytes (Litestar's public API): ServerSentEvent would wrap the
    events in its own one-write-each iterator."""

    def __init__(self, events: AsyncIterator[Mapping[str, Any]], headers: Mapping[str, str] | None = None) -> None:
        super().__init__(_encoded(events), media_type="text/event-stream", headers=dict(headers or {}))
        self.headers.setdefault("Cache-Control", "no-cache")
        self.headers["X-Accel-Buffering"] = "no"

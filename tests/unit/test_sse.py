"""Server-sent events leave in groups of what was ready at once (backend/sse.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from backend.sse import encode, ready_groups


async def collect(events: AsyncIterator[object]) -> list[list[object]]:
    return [group async for group in ready_groups(events)]


async def test_events_ready_together_share_a_group_and_a_wait_starts_a_new_one() -> None:
    async def answer() -> AsyncIterator[str]:
        for token in ("a", "b", "c"):  # an offline answer: every sentence at once
            yield token
        yield "citations"
        await asyncio.sleep(0.02)  # the stored message's id takes a database write
        yield "done"

    assert await collect(answer()) == [["a", "b", "c", "citations"], ["done"]]


async def test_a_slow_stream_is_not_held_back() -> None:
    async def llm() -> AsyncIterator[int]:
        for i in range(3):
            await asyncio.sleep(0.01)  # a model's deltas come one at a time
            yield i

    assert await collect(llm()) == [[0], [1], [2]]


async def test_a_failure_comes_after_the_events_before_it() -> None:
    async def broken() -> AsyncIterator[str]:
        yield "a"
        yield "b"
        raise RuntimeError("provider down")

    seen: list[list[object]] = []
    with pytest.raises(RuntimeError, match="provider down"):
        async for group in ready_groups(broken()):
            seen.append(group)
    assert seen == [["a", "b"]]


async def test_a_client_leaving_mid_answer_closes_the_source() -> None:
    closed = asyncio.Event()

    async def endless() -> AsyncIterator[int]:
        try:
            i = 0
            while True:
                await asyncio.sleep(0.005)
                yield i
                i += 1
        finally:
            closed.set()

    groups = ready_groups(endless())
    assert await anext(groups) == [0]
    await groups.aclose()  # what the server does when the client disconnects
    await asyncio.wait_for(closed.wait(), 1)


def test_wire_format_is_litestars() -> None:
    event = {"type": "token", "text": "Zeile 1\nनमस्ते"}
    assert encode(event) == 'event: token\r\ndata: {"type": "token", "text": "Zeile 1\\nनमस्ते"}\r\n\r\n'.encode()

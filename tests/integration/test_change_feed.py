"""The change feed on a real Redis: every (re)subscription and every drop is reported, so the
response cache is cleared whenever messages may have been lost."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
import redis

from core.db.change_feed import ChangePublisher, follow_changes

pytestmark = pytest.mark.pg


async def _until(event: asyncio.Event) -> None:
    # Bounded only so that a broken feed fails the test instead of hanging it.
    await asyncio.wait_for(event.wait(), 30)


async def test_subscription_drop_and_resubscription_are_reported(redis_url: str) -> None:
    channel = f"profai:test:{uuid.uuid4().hex}:changes"
    events: list[str] = []
    subscribed, lost, applied = asyncio.Event(), asyncio.Event(), asyncio.Event()

    def on_subscribed() -> None:
        events.append("subscribed")
        subscribed.set()

    def on_lost() -> None:
        events.append("lost")
        lost.set()

    def apply(tags: set[str]) -> None:
        events.append(",".join(sorted(tags)))
        applied.set()

    follower = asyncio.create_task(
        follow_changes(redis_url, channel, apply, on_subscribed, on_lost, retry_seconds=0.05)
    )
    try:
        await _until(subscribed)
        admin = redis.Redis.from_url(redis_url)
        admin.publish(channel, "course:1\njob:2")
        await _until(applied)
        subscribed.clear()
        # Drop the subscriber's connection the way a Redis restart or a network cut would:
        # only ours (this database, opened during this test), not other processes' feeds.
        db = int(redis_url.rsplit("/", 1)[1])
        ours = [c for c in admin.client_list(_type="pubsub") if int(c["db"]) == db and int(c["age"]) <= 30]
        assert ours
        for client in ours:
            admin.client_kill_filter(_id=client["id"])
        await _until(lost)
        await _until(subscribed)
        assert events[:4] == ["subscribed", "course:1,job:2", "lost", "subscribed"]
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


def test_a_failed_publish_is_reported() -> None:
    failures: list[bool] = []
    done = threading.Event()

    def on_failure() -> None:
        failures.append(True)
        done.set()

    publisher = ChangePublisher("redis://127.0.0.1:9/0", "nowhere", on_failure=on_failure)  # nothing listens on 9
    try:
        publisher({"course:1"})
        assert done.wait(30)
    finally:
        publisher.close()
    assert failures == [True]

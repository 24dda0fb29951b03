from backend.cache import ResponseCache


def test_invalidation_drops_every_entry_with_the_tag() -> None:
    cache = ResponseCache()
    cache.put("a", b"1", ["course:1", "user:9"])
    cache.put("b", b"2", ["course:2"])
    cache.invalidate({"course:1"})
    assert cache.get("a") is None and cache.get("b") == b"2"
    cache.invalidate({"user:9"})  # already gone: no error, index cleaned
    assert len(cache) == 1


def test_a_value_computed_across_an_invalidation_is_not_kept() -> None:
    cache = ResponseCache()
    generation = cache.generation
    cache.invalidate({"job:1"})  # a commit lands while the value was being read
    cache.put("job", b"stale", ["job:1"], generation)
    assert cache.get("job") is None


def test_size_bound_and_disabled_cache() -> None:
    cache = ResponseCache(maxsize=2)
    for key in "abc":
        cache.put(key, key.encode(), [f"t:{key}"])
    assert cache.get("a") is None and cache.get("c") == b"c"
    off = ResponseCache(enabled=False)
    off.put("a", b"1", [])
    assert off.get("a") is None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_time_limit() -> None:
    clock = Clock()
    cache = ResponseCache(ttl_seconds=300, clock=clock)
    cache.put("a", b"1", ["course:1"])
    clock.now += 299
    assert cache.get("a") == b"1" and cache.lookup("a") == (b"1", "unmatched")
    clock.now += 2
    assert cache.get("a") is None and cache.lookup("a") is None and len(cache) == 0


def test_a_lost_subscription_clears_and_pauses_the_cache_until_it_is_back() -> None:
    cache = ResponseCache(live=False)
    cache.put("a", b"1", [])
    assert cache.get("a") is None and cache.state()["status"] == "paused"  # not subscribed yet
    cache.subscribed()
    cache.put("a", b"1", [])
    assert cache.get("a") == b"1" and cache.state()["status"] == "on"
    cache.unsubscribed()  # messages published now are lost to this process
    assert len(cache) == 0 and cache.state()["status"] == "paused"
    cache.put("b", b"2", [])
    assert cache.get("b") is None
    cache.subscribed()  # again: whatever was published meanwhile is gone, so start empty
    assert cache.get("b") is None and cache.state()["clears"] == 3


def test_a_failed_publish_clears_and_a_value_computed_across_it_is_not_kept() -> None:
    cache = ResponseCache()
    cache.put("a", b"1", ["course:1"])
    generation = cache.generation
    cache.publish_failed()
    cache.put("b", b"stale", ["course:1"], generation)
    assert cache.get("a") is None and cache.get("b") is None
    assert cache.state()["last_clear"] == "publish failed"
    assert ResponseCache(enabled=False).state() == {"status": "off"}

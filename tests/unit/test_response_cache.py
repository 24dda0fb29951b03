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

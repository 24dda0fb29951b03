"""Requests batched across concurrent callers, per key (core/ai/batching.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
import pytest

from core.ai.batching import Batcher
from core.ai.embeddings import EmbeddingError, LocalMiniLMEmbedder


@pytest.fixture(scope="module")
def embedder() -> LocalMiniLMEmbedder:
    return LocalMiniLMEmbedder(threads=1)


async def test_concurrent_texts_share_model_calls_and_get_their_own_vectors(embedder: LocalMiniLMEmbedder) -> None:
    calls: list[tuple[str, list[str]]] = []

    def embed(key: str, texts: Sequence[str]) -> list[list[float]]:
        calls.append((key, list(texts)))
        return embedder.embed(texts)

    batcher: Batcher[str, str, list[float]] = Batcher(embed, max_batch=8)
    texts = [f"How do I use feature number {i} of Python lists?" for i in range(20)]
    keys = ["a" if i % 3 else "b" for i in range(20)]
    vectors = await asyncio.gather(*(batcher.submit(k, t) for k, t in zip(keys, texts, strict=True)))
    assert len(calls) < len(texts) and max(len(c) for _, c in calls) <= 8
    assert sorted(t for _, c in calls for t in c) == sorted(texts)  # each text embedded once
    for key, batch in calls:  # keys are never mixed in one call
        assert all(keys[texts.index(t)] == key for t in batch)
    for got, want in zip(vectors, embedder.embed(texts), strict=True):
        assert np.allclose(got, want, atol=2e-3)  # its own vector, whatever batch it rode in


async def test_a_lone_item_goes_at_once_and_failures_reach_every_caller(embedder: LocalMiniLMEmbedder) -> None:
    batcher: Batcher[None, str, list[float]] = Batcher(lambda _, texts: embedder.embed(texts))
    vector = await asyncio.wait_for(batcher.submit(None, "What is a tuple?"), timeout=10)
    assert len(vector) == embedder.dim

    def down(_: None, texts: Sequence[str]) -> list[list[float]]:
        raise EmbeddingError("the embedding endpoint is down")

    failing: Batcher[None, str, list[float]] = Batcher(down)
    results = await asyncio.gather(*(failing.submit(None, f"q{i}") for i in range(5)), return_exceptions=True)
    assert all(isinstance(r, EmbeddingError) for r in results)
    assert len(await batcher.submit(None, "again")) == embedder.dim  # the batcher serves on

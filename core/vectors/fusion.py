"""Reciprocal rank fusion of ranked hit lists, for searches issued separately.

Milvus fuses the lists of one `hybrid_search` call server-side; the tutor issues its BM25
and dense searches as two calls instead, so that BM25 runs while the question is embedded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # store.py imports this module
    from core.vectors.store import SearchHit

RRF_K = 60  # the constant of the original paper, and Milvus' RRFRanker default


def candidate_depth(k: int) -> int:
    """How many candidates each method contributes to a fused top `k`.

    Deep enough that a chunk ranked 7th by one method and 2nd by the other can still win;
    deeper lists let more noise in (tutorial fixture: depth 2k 0.93 recall@5, 4k 0.90).
    """
    return max(2 * k, 10)


def rrf_fuse(rankings: Sequence[Sequence[SearchHit]], k: int, rrf_k: int = RRF_K) -> list[SearchHit]:
    """The top `k` of the union, by sum of 1 / (rrf_k + rank); score is that sum."""
    scores: dict[str, float] = {}
    first_seen: dict[str, SearchHit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (rrf_k + rank)
            first_seen.setdefault(hit.chunk_id, hit)
    # Ties (a chunk at rank r in one list vs another at rank r in the other) go to the
    # list given first, as dict order keeps first insertion.
    best = sorted(scores, key=lambda cid: scores[cid], reverse=True)[:k]
    return [replace(first_seen[cid], score=scores[cid]) for cid in best]

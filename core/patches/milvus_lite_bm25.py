"""A vectorised BM25 scorer for the milvus-lite server (patch: see core/patches/__init__.py).

milvus-lite 3.x scores BM25 in a pure-Python loop over every posting of every query word
(`SparseInvertedIndex.search`), under the server's GIL: about half of a course search's
time on 5,000 chunks. Its index is immutable once built per segment, so each posting
list's normalised term frequencies can be computed once and kept as numpy arrays; a query
is then a few vector additions and an `argpartition`.

Same formula, same statistics, same results (tests/unit/test_lite_bm25.py compares it with
milvus-lite's own scorer on random data, masks and ties included). It is installed only
for the milvus-lite version it was checked against (PINNED), and only in the server process
that `MilvusLiteServer` starts (core/vectors/lite_main.py); another version raises
PatchNotApplied.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.patches import PatchNotApplied, require_version

PINNED = "3.2.2"  # the milvus-lite release whose SparseInvertedIndex this matches (requirements.lock)


def _postings(index: Any) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """term -> (local ids, BM25-normalised tf), computed on first use and kept.

    The index object is built once per immutable segment (a memtable's is rebuilt per
    search, and then so is this: it is small)."""
    cached: dict[int, tuple[np.ndarray, np.ndarray]] | None = index.__dict__.get("_profai_postings")
    if cached is not None and index.__dict__.get("_profai_postings_of") is index._posting_lists:
        return cached
    k1, b = index.k1, index.b
    avgdl = index.avgdl if index.avgdl > 0 else 1.0
    lengths = index._doc_lengths.astype(np.float64)
    cached = {}
    for term, posting in index._posting_lists.items():
        ids = np.fromiter((p[0] for p in posting), dtype=np.int32, count=len(posting))
        tf = np.fromiter((p[1] for p in posting), dtype=np.float64, count=len(posting))
        cached[term] = (ids, (tf * (k1 + 1.0)) / (tf + k1 * (1.0 - b + b * lengths[ids] / avgdl)))
    index.__dict__["_profai_postings"] = cached
    index.__dict__["_profai_postings_of"] = index._posting_lists  # build() replaces the dict
    return cached


def search(
    index: Any, query_sparse_vectors: list[dict[int, float]], top_k: int, valid_mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Drop-in for `SparseInvertedIndex.search` (see its docstring for the contract)."""
    from milvus_lite.index.sparse_common import empty_results, validate_mask

    valid_mask = validate_mask(valid_mask, len(index._doc_lengths))
    nq = len(query_sparse_vectors)
    all_ids, all_dists = empty_results(nq, top_k)
    if index.doc_count == 0 or top_k == 0:
        return all_ids, all_dists
    postings = _postings(index)
    n_docs = len(index._doc_lengths)
    total = index.doc_count
    for qi, query in enumerate(query_sparse_vectors):
        scores = np.zeros(n_docs, dtype=np.float64)
        matched = np.zeros(n_docs, dtype=bool)
        for term, weight in query.items():
            found = postings.get(term)
            if found is None or len(found[0]) == 0:
                continue
            ids, tf_norm = found
            df = index._df[term]
            idf = math.log((total - df + 0.5) / (df + 0.5) + 1.0)
            scores[ids] += idf * tf_norm * weight  # ids are unique within one posting list
            matched[ids] = True
        if valid_mask is not None:
            matched &= valid_mask
        candidates = np.flatnonzero(matched)
        if candidates.size == 0:
            continue
        k = min(top_k, candidates.size)
        cand_scores = scores[candidates]
        top = np.argpartition(-cand_scores, k - 1)[:k] if k < candidates.size else np.arange(candidates.size)
        # Descending score; equal scores in ascending row order (the loop's was insertion order).
        order = top[np.lexsort((candidates[top], -cand_scores[top]))]
        all_ids[qi, :k] = candidates[order]
        all_dists[qi, :k] = -cand_scores[order]
    return all_ids, all_dists


def install() -> None:
    """Replace milvus-lite's scorer in this process; PatchNotApplied unless it is PINNED."""
    require_version("milvus-lite", PINNED, "BM25 scorer patch")
    from milvus_lite.index.sparse_inverted import SparseInvertedIndex

    if not callable(getattr(SparseInvertedIndex, "search", None)):
        raise PatchNotApplied("BM25 scorer patch: milvus-lite has no SparseInvertedIndex.search")
    SparseInvertedIndex.search = search  # type: ignore[method-assign]

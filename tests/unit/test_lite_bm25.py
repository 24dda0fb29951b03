"""The vectorised BM25 scorer returns what milvus-lite's own scorer returns."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import numpy as np
import pytest
from milvus_lite.index.sparse_inverted import SparseInvertedIndex

from core.patches import PatchNotApplied
from core.patches import milvus_lite_bm25 as lite_bm25


def random_corpus(rng: np.random.Generator, docs: int, vocabulary: int) -> list[dict[int, float]]:
    corpus = []
    for _ in range(docs):
        n_terms = int(rng.integers(0, 40))  # some documents are empty
        terms = rng.zipf(1.3, size=n_terms) % vocabulary  # a few very common words, many rare
        tf: dict[int, float] = {}
        for t in terms.tolist():
            tf[int(t)] = tf.get(int(t), 0.0) + 1.0
        corpus.append(tf)
    return corpus


def queries(rng: np.random.Generator, vocabulary: int, n: int) -> list[dict[int, float]]:
    out = [{int(t): float(rng.integers(1, 3)) for t in rng.integers(0, vocabulary, size=int(rng.integers(1, 7)))}]
    out += [{int(t): 1.0 for t in rng.zipf(1.3, size=4) % vocabulary} for _ in range(n - 1)]
    out.append({vocabulary + 5: 1.0})  # a word no document has
    out.append({})  # no words at all
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("top_k", [1, 5, 50, 1000])
def test_same_hits_and_scores_as_milvus_lite(seed: int, masked: bool, top_k: int) -> None:
    rng = np.random.default_rng(seed)
    corpus = random_corpus(rng, docs=600, vocabulary=300)
    build_mask = rng.random(len(corpus)) > 0.1  # deleted or stale rows, as in a segment
    index = SparseInvertedIndex(k1=1.2, b=0.7)
    index.build(corpus, valid_mask=build_mask)
    mask = (rng.random(len(corpus)) > 0.3) if masked else None
    asked = queries(rng, 300, 30)

    want_ids, want_dists = index.search(asked, top_k, valid_mask=mask)
    got_ids, got_dists = lite_bm25.search(index, asked, top_k, valid_mask=mask)

    assert got_ids.shape == want_ids.shape and got_dists.dtype == want_dists.dtype
    np.testing.assert_allclose(got_dists, want_dists, rtol=1e-6)  # inf padding included
    for q in range(len(asked)):
        # Rows of equal score may come in another order; each score's set of rows must match.
        for score in set(want_dists[q].tolist()):
            if np.isfinite(score):
                want = set(want_ids[q][np.isclose(want_dists[q], score, rtol=1e-6)].tolist())
                got = set(got_ids[q][np.isclose(got_dists[q], score, rtol=1e-6)].tolist())
                if np.isclose(want_dists[q][-1], score, rtol=1e-6):
                    assert len(got) == len(want)  # a tie cut by top_k: either may keep other rows
                else:
                    assert got == want
        assert (got_ids[q] == -1).sum() == (want_ids[q] == -1).sum()
        if mask is not None:
            assert all(mask[i] for i in got_ids[q] if i >= 0)


def test_a_rebuilt_index_is_scored_on_its_new_postings() -> None:
    index = SparseInvertedIndex()
    index.build([{1: 1.0}, {2: 1.0}])
    assert lite_bm25.search(index, [{1: 1.0}], 2)[0][0].tolist() == [0, -1]
    index.build([{2: 1.0}, {1: 3.0}])  # the memtable's index is rebuilt like this
    assert lite_bm25.search(index, [{1: 1.0}], 2)[0][0].tolist() == [1, -1]


def test_bad_mask_is_refused_like_milvus_lite() -> None:
    index = SparseInvertedIndex()
    index.build([{1: 1.0}, {2: 1.0}])
    with pytest.raises(ValueError, match="valid_mask"):
        lite_bm25.search(index, [{1: 1.0}], 2, valid_mask=np.ones(3, dtype=bool))


def test_installed_only_for_the_pinned_version(monkeypatch: pytest.MonkeyPatch) -> None:
    # The version in use here must be the pinned one, or the server refuses to start.
    assert version("milvus-lite") == lite_bm25.PINNED
    original = SparseInvertedIndex.search
    monkeypatch.setattr(lite_bm25, "PINNED", "0.0.0")
    with pytest.raises(PatchNotApplied, match=r"0\.0\.0"):
        lite_bm25.install()
    assert SparseInvertedIndex.search is original


def test_server_entry_point_is_milvus_lites_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "core.vectors.lite_main", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "server" in done.stdout

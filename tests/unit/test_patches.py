"""Patches of dependencies (core/patches/): pinned to the locked version, loud when they do not apply."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from core.patches import (
    PatchNotApplied,
    milvus_lite_bm25,
    milvus_lite_hits,
    milvus_lite_keepalive,
    patches_off,
    require_version,
    unstructured_nlp,
)
from core.vectors import lite_main

REPO = Path(__file__).resolve().parents[2]
PATCHES: dict[ModuleType, str] = {
    milvus_lite_bm25: "milvus-lite",
    milvus_lite_hits: "milvus-lite",
    milvus_lite_keepalive: "milvus-lite",
    unstructured_nlp: "unstructured",
}


def locked(distribution: str) -> str:
    found = re.search(rf"^{re.escape(distribution)}==([^\s;]+)", (REPO / "requirements.lock").read_text(), re.M)
    assert found, f"{distribution} is not pinned in requirements.lock"
    return found.group(1)


@pytest.mark.parametrize("patch", list(PATCHES), ids=lambda m: m.__name__)
def test_each_patch_is_pinned_to_the_locked_version(patch: ModuleType) -> None:
    assert locked(PATCHES[patch]) == patch.PINNED


def test_every_patch_module_is_listed_here() -> None:
    modules = {p.stem for p in (REPO / "core" / "patches").glob("*.py") if p.stem != "__init__"}
    assert modules == {m.__name__.rsplit(".", 1)[1] for m in PATCHES}


def test_another_version_is_refused_with_the_reason() -> None:
    with pytest.raises(PatchNotApplied, match=r"written for milvus-lite==0\.0\.1.*PROFAI_PATCHES_OFF"):
        require_version("milvus-lite", "0.0.1", "a patch")
    with pytest.raises(PatchNotApplied, match="not installed"):
        require_version("no-such-distribution-profai", "1.0", "a patch")


def test_patches_off_runs_milvus_lite_unpatched(monkeypatch: pytest.MonkeyPatch) -> None:
    from milvus_lite.index.sparse_inverted import SparseInvertedIndex

    original = SparseInvertedIndex.search
    monkeypatch.setenv("PROFAI_PATCHES_OFF", "1")
    assert patches_off() and lite_main.apply_patches() == []
    assert SparseInvertedIndex.search is original
    monkeypatch.setenv("PROFAI_PATCHES_OFF", "0")
    assert not patches_off()


def test_a_patch_that_does_not_apply_stops_the_server_loudly(tmp_path: Path) -> None:
    """The server process exits with the reason instead of running unpatched (2x slower)."""
    script = (
        "import sys\n"
        "from core.patches import milvus_lite_bm25\n"
        "milvus_lite_bm25.PINNED = '0.0.0'\n"
        "from core.vectors import lite_main\n"
        "sys.exit(lite_main.main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "server", "--help"], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 3
    assert "milvus-lite server not started" in done.stderr and "0.0.0" in done.stderr


def test_the_hits_rewrite_refuses_changed_source() -> None:
    def elsewhere() -> int:
        return 1

    with pytest.raises(PatchNotApplied, match="does not hold the statement"):
        milvus_lite_hits._rewritten(elsewhere, "a statement that is not there", "x", {})


def test_unstructured_splits_sentences_offline() -> None:
    from unstructured.nlp import tokenize

    original = tokenize._get_nlp
    try:
        unstructured_nlp.install()
        nlp = tokenize._get_nlp()
        assert [s.text for s in nlp("One sentence here. Another one there.").sents] == [
            "One sentence here.",
            "Another one there.",
        ]
        assert tokenize._get_nlp() is nlp  # one pipeline per process
    finally:
        tokenize._get_nlp = original

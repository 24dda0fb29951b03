"""Sentence vectors computed while ingesting, and the tutor using them instead of embedding."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from core.ai.embeddings import LocalMiniLMEmbedder
from core.db.base import utcnow
from core.db.models.documents import Document
from core.ingestion.types import Chunk
from core.pipeline.sentence_vectors import embed_sentences, load_vectors, quotable_sentences, unit_rows
from core.services.passages import Candidate, PageIndexCache, candidates, rank_candidates
from core.storage import FileStore
from core.vectors.store import SearchHit

TEXT = (
    "A list is a mutable sequence that can hold items of any type.\n"
    "Tuples are immutable, so they cannot be changed after they are created.\n\n"
    ">>> squares = [x * x for x in range(5)]\n"
    "A list comprehension builds a new list from an iterable in a single expression."
)


@pytest.fixture(scope="module")
def embedder() -> LocalMiniLMEmbedder:
    return LocalMiniLMEmbedder(threads=1)


def _chunk() -> Chunk:
    return Chunk("c1", "d1", "k1", 0, "Lists", 3, 3, TEXT)


async def test_vectors_are_kept_beside_the_file_and_match_fresh_ones(
    tmp_path: Path, embedder: LocalMiniLMEmbedder
) -> None:
    upload = tmp_path / "doc-1.pdf"
    upload.write_bytes(b"%PDF-1.4")
    count = await embed_sentences(embedder, upload, [_chunk()], None)
    loaded = load_vectors(upload)
    assert loaded is not None
    texts, vectors = loaded
    assert texts == quotable_sentences([_chunk()], None) and count == len(texts) == 3
    assert not any(">>>" in t for t in texts)  # code lines are never quoted, so never embedded
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2)
    assert np.allclose(vectors, unit_rows(embedder.embed(texts)), atol=5e-3)  # float16 on disk

    FileStore(tmp_path).delete("doc-1.pdf")
    assert load_vectors(upload) is None and list(tmp_path.iterdir()) == []  # gone with its document


async def test_the_tutor_ranks_with_stored_vectors_and_embeds_only_the_rest(
    tmp_path: Path, embedder: LocalMiniLMEmbedder
) -> None:
    upload = tmp_path / "doc-1.pdf"
    upload.write_bytes(b"%PDF-1.4")
    await embed_sentences(embedder, upload, [_chunk()], None)
    doc = Document(id="d1", course_id="k1", storage_name="doc-1.pdf", sha256="0" * 64, chunk_count=1)
    doc.updated_at = utcnow()
    tutor = await PageIndexCache(FileStore(tmp_path)).get("k1", [doc])
    assert len(tutor.rows) == 3

    hit = SearchHit("c1", "d1", 0, "Lists", 3, 3, TEXT, 1.0)
    found: list[Candidate] = candidates([hit], "k1", tutor.pages)
    asked: list[str] = []

    async def embed(texts: Sequence[str]) -> list[Sequence[float] | np.ndarray]:
        known = tutor.known(texts)
        asked.extend(t for t in texts if t not in known)
        return [known[t] if t in known else unit_rows(embedder.embed([t]))[0] for t in texts]

    question = "Can a tuple be changed once it exists?"
    query = unit_rows(embedder.embed([question]))[0].tolist()
    ranked = await rank_candidates(question, query, found, embed)
    assert asked == []  # every candidate sentence was computed while ingesting
    assert "Tuples are immutable" in ranked[0].sentence.text

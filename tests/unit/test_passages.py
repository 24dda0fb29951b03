"""Which sentences the offline tutor quotes (core/services/passages.py: pick)."""

from __future__ import annotations

from core.generation.extractive import Sentence
from core.ingestion.types import Chunk
from core.services.passages import Candidate, pick


def candidate(chunk: Chunk, text: str, similarity: float) -> Candidate:
    return Candidate(Sentence(text, chunk, 0, True), rank=0, similarity=similarity)


def chunk(n: int) -> Chunk:
    return Chunk(f"c{n}", "d", "course", n, "", n, n, "")


def test_the_best_sentences_but_at_most_two_from_one_chunk() -> None:
    top, other = chunk(1), chunk(2)
    ranked = [
        candidate(top, "Exceptions are errors detected during execution of a program.", 0.9),
        candidate(top, "Most exceptions are not handled by programs and give error messages.", 0.8),
        candidate(top, "The last line of the error message tells what happened in the code.", 0.7),
        candidate(other, "The raise statement allows the programmer to force an exception.", 0.6),
    ]
    chosen = [c.sentence.text for c in pick(ranked)]
    assert chosen == [ranked[0].sentence.text, ranked[1].sentence.text, ranked[3].sentence.text]
    assert [c.sentence.chunk.id for c in pick(ranked, per_chunk=1)] == ["c1", "c2"]
    assert len(pick(ranked, limit=3, per_chunk=3)) == 3 and pick(ranked, limit=3, per_chunk=3)[2] is ranked[2]
    assert len(pick(ranked, per_chunk=3)) == 4  # up to five citations by default


def test_near_duplicates_and_weak_sentences_are_left_out() -> None:
    a, b = chunk(1), chunk(2)
    ranked = [
        candidate(a, "Use the open function to open a file for reading.", 0.9),
        candidate(b, "Use the open function to open a file for reading text.", 0.85),  # says it again
        candidate(b, "Files are closed with the close method when done.", 0.5),
        candidate(b, "Unrelated words about gardens and weather.", 0.1),  # under the floor
    ]
    assert [c.similarity for c in pick(ranked)] == [0.9, 0.5]

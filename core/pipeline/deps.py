"""The collaborators a pipeline run needs, built once per worker process."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from core.ai.embeddings import Embedder, build_embedder, build_multilingual
from core.ai.multilingual import MultilingualEmbedder
from core.generation.writer import CourseWriter, OfflineWriter
from core.settings import Settings
from core.storage import FileStore
from core.vectors.store import ChunkStore


@dataclass
class PipelineDeps:
    files: FileStore
    embedder: Embedder
    vectors: ChunkStore
    writer: CourseWriter
    multilingual: MultilingualEmbedder | None = None  # None: TUTOR_MULTILINGUAL is off


_lock = threading.Lock()
_embedders: dict[tuple[str, str, str | None], Embedder] = {}


def _embedder(settings: Settings) -> Embedder:
    # One model per process: loading the ONNX session costs seconds and memory.
    key = (settings.embedding_provider, settings.embedding_model, settings.embedding_base_url)
    if key not in _embedders:
        _embedders[key] = build_embedder(settings)
    return _embedders[key]


def shared_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder for `settings` (the API's retriever uses it too)."""
    with _lock:
        return _embedder(settings)


def build_writer(settings: Settings) -> CourseWriter:
    if settings.llm_provider == "openai":
        from core.generation.llm_writer import LLMWriter

        return LLMWriter(settings)
    return OfflineWriter()


def pipeline_deps(settings: Settings) -> PipelineDeps:
    with _lock:
        embedder = _embedder(settings)
    token = settings.milvus_token.get_secret_value() if settings.milvus_token else None
    vectors = ChunkStore(
        settings.milvus_uri,
        token=token,
        collection=settings.milvus_collection,
        dim=embedder.dim,
        # Workers on this machine take turns writing to a milvus-lite server (write_lock.py).
        lock_file=settings.data_dir.resolve() / "milvus-lite-writes.lock",
    )
    vectors.ensure_collection()
    return PipelineDeps(
        FileStore(settings.resolved_upload_dir), embedder, vectors, build_writer(settings), build_multilingual(settings)
    )

"""The collaborators a pipeline run needs, built once per worker process."""

from __future__ import annotations

from dataclasses import dataclass

from core.ai.embeddings import Embedder, SharedEmbedder
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


def build_writer(settings: Settings) -> CourseWriter:
    if settings.llm_provider == "openai":
        from core.generation.llm_writer import LLMWriter

        return LLMWriter(settings)
    return OfflineWriter()


def pipeline_deps(settings: Settings, embedders: SharedEmbedder) -> PipelineDeps:
    """A job's collaborators: the process's embedder, a store client, a writer (blocking:
    call it in a thread)."""
    embedder = embedders.get()
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
        FileStore(settings.resolved_upload_dir), embedder, vectors, build_writer(settings), embedders.multilingual()
    )

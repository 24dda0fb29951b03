"""Embedding providers: the real local ONNX model, and the OpenAI client against a loopback stub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import numpy as np
import pytest

from core.ai.embeddings import (
    Embedder,
    EmbeddingError,
    LocalMiniLMEmbedder,
    OpenAIEmbedder,
    SharedEmbedder,
    build_embedder,
)
from core.settings import Settings
from core.vectors.lite_server import free_port


@pytest.fixture(scope="module")
def embedder() -> LocalMiniLMEmbedder:
    return LocalMiniLMEmbedder(threads=1)


def test_local_dim_and_normalised(embedder: LocalMiniLMEmbedder) -> None:
    vecs = np.array(embedder.embed(["Python is a programming language.", "", "x" * 5000]))
    assert embedder.dim == 384
    assert vecs.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


def test_similar_closer_than_unrelated(embedder: LocalMiniLMEmbedder) -> None:
    a, b, c = np.array(
        embedder.embed(
            [
                "How do I read a file line by line in Python?",
                "Iterating over the lines of a text file with a for loop.",
                "The central bank raised interest rates again this quarter.",
            ]
        )
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_deterministic_and_order_preserved(embedder: LocalMiniLMEmbedder) -> None:
    texts = ["short", "a much longer sentence about lists and dictionaries " * 5, "medium length text here"]
    first = np.array(embedder.embed(texts))
    again = np.array(embedder.embed(list(reversed(texts))))[::-1]
    # Batch composition changes padding; masked mean pooling must make that irrelevant.
    single = np.array([embedder.embed([t])[0] for t in texts])
    assert np.allclose(first, again, atol=1e-5)
    assert np.allclose(first, single, atol=1e-4)


def test_empty_and_bad_input(embedder: LocalMiniLMEmbedder) -> None:
    assert embedder.embed([]) == []
    with pytest.raises(TypeError):
        embedder.embed("not a list")  # type: ignore[arg-type]


def test_protocol_and_one_shared_embedder() -> None:
    settings = Settings(embedding_provider="local")
    built: list[Embedder] = []

    def build(s: Settings) -> Embedder:
        built.append(build_embedder(s))
        return built[-1]

    shared = SharedEmbedder(settings, build)
    e = shared.get()
    assert isinstance(e, Embedder)
    assert shared.get() is e and len(built) == 1  # one ONNX session per process
    assert e.dim == 384 and e.name


class _Stub(BaseHTTPRequestHandler):
    calls: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.calls.append(body)
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "boom"}}')
            return
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
            for i, t in enumerate(body["input"])
        ]
        payload = json.dumps({"object": "list", "data": data[::-1], "model": body["model"], "usage": {}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def stub_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_openai_batches_and_orders(stub_url: str) -> None:
    _Stub.calls.clear()
    e = OpenAIEmbedder(base_url=stub_url, api_key=None, model="m", batch_size=2, timeout=5)
    vecs = e.embed(["a", "bbb", "cc"])
    assert vecs == [[1.0, 1.0, 0.0], [3.0, 1.0, 0.0], [2.0, 1.0, 0.0]]  # answers came reversed
    assert [len(c["input"]) for c in _Stub.calls] == [2, 1]
    assert e.dim == 3


def test_openai_error_is_clear(stub_url: str) -> None:
    e = OpenAIEmbedder(base_url=stub_url, api_key="k", model="broken", timeout=5, max_retries=0)
    with pytest.raises(EmbeddingError, match="broken"):
        e.embed(["x"])
    down = OpenAIEmbedder(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="k", model="m", max_retries=0)
    with pytest.raises(EmbeddingError):
        down.embed(["x"])


def test_build_openai_from_settings(stub_url: str) -> None:
    settings = Settings(embedding_provider="openai", openai_base_url=stub_url, embedding_model="m")
    e = build_embedder(settings)
    assert isinstance(e, OpenAIEmbedder)
    assert e.embed(["abcd"]) == [[4.0, 1.0, 0.0]]

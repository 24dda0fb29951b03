"""Let pymilvus's keepalive pings through to the milvus-lite server.

pymilvus pings every 10 s, even on an idle connection (`keepalive_permit_without_calls`),
while milvus-lite builds its gRPC server with gRPC's defaults: at most one ping per five
minutes without data, two strikes. An API or worker idle for ~30 s then gets a GOAWAY
("too_many_pings") and must reconnect; a call made during that reconnect failed with
"Fail connecting to server" (seen in the durability test). The server started by
`MilvusLiteServer` accepts those pings instead. A Milvus server deployment is unaffected.
"""

from __future__ import annotations

from typing import Any

from core.patches import PatchNotApplied, require_version

PINNED = "3.2.2"  # the milvus-lite release whose gRPC server module this wraps (requirements.lock)

# Server-side policy matching pymilvus's client defaults (10 s pings, without calls).
KEEPALIVE_OPTIONS = [
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_recv_ping_interval_without_data_ms", 5_000),
    ("grpc.http2.max_ping_strikes", 0),  # 0: never send GOAWAY for pings
]


def install() -> None:
    """Add the policy to every gRPC server milvus-lite builds in this process."""
    require_version("milvus-lite", PINNED, "gRPC keepalive patch")
    from milvus_lite.adapter.grpc import server as lite_grpc

    if isinstance(lite_grpc.grpc, _GrpcWithServer):
        return  # already in place
    build = getattr(getattr(lite_grpc, "grpc", None), "server", None)
    if build is None or not callable(getattr(lite_grpc, "_build_server", None)):
        raise PatchNotApplied("gRPC keepalive patch: milvus-lite no longer builds its server through grpc.server")

    def server(*args: Any, options: list[tuple[str, Any]] | None = None, **kwargs: Any) -> Any:
        return build(*args, options=[*(options or []), *KEEPALIVE_OPTIONS], **kwargs)

    # Only milvus-lite's module sees the wrapper: its `grpc` name is swapped for a copy.
    lite_grpc.grpc = _GrpcWithServer(lite_grpc.grpc, server)  # type: ignore[assignment]


class _GrpcWithServer:
    def __init__(self, grpc_module: Any, server: Any) -> None:
        self._grpc = grpc_module
        self.server = server

    def __getattr__(self, name: str) -> Any:
        return getattr(self._grpc, name)

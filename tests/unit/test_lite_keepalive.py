"""The milvus-lite server accepts pymilvus's idle keepalive pings (core/patches/milvus_lite_keepalive.py)."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import pytest

from core.patches import milvus_lite_keepalive as lite_keepalive


def test_servers_built_by_milvus_lite_accept_idle_pings(monkeypatch: pytest.MonkeyPatch) -> None:
    from milvus_lite.adapter.grpc import server as lite_grpc

    seen: list[list[tuple[str, Any]]] = []
    real = lite_grpc.grpc
    def fake_server(*args: Any, options: list[tuple[str, Any]] | None = None, **kwargs: Any) -> MagicMock:
        seen.append(options or [])
        return MagicMock()

    monkeypatch.setattr(real, "server", fake_server)
    monkeypatch.setattr(lite_grpc, "grpc", real)
    lite_keepalive.install()
    assert lite_grpc._build_server(db=None, max_workers=1) is not None  # type: ignore[arg-type]
    options = dict(seen[-1])
    assert options["grpc.keepalive_permit_without_calls"] == 1
    assert options["grpc.http2.max_ping_strikes"] == 0
    assert options["grpc.max_receive_message_length"] > 0  # milvus-lite's own options kept
    assert lite_grpc.grpc.insecure_channel is real.insecure_channel  # everything else untouched

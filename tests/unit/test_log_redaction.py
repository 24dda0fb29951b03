"""uvicorn's access and websocket lines never carry a token in clear."""

from __future__ import annotations

import logging

import pytest

from backend import log_redaction


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/api/v1/ws/courses/c1/chat?token=pat_AbC-12_x", "/api/v1/ws/courses/c1/chat?token=***"),
        ("/x?lang=en&token=pat_1&audio=1", "/x?lang=en&token=***&audio=1"),
        ("/x?api_key=pak_secret", "/x?api_key=***"),
        ("/x?monkey=1&tokens=2", "/x?monkey=1&tokens=2"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert log_redaction.redact(line) == expected


def test_the_filter_masks_uvicorns_arguments(caplog: pytest.LogCaptureFixture) -> None:
    log_redaction.install()
    log_redaction.install()  # idempotent
    logger = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, log_redaction.RedactSecrets) for f in logger.filters) == 1
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/api/v1/x?token=pat_secret", "1.1", 200)
    assert "pat_secret" not in caplog.text and "token=***" in caplog.text

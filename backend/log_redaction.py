"""Secrets never reach the logs in clear: uvicorn's access and websocket lines carry the
request's query string, where older websocket clients put their token (?token=...)."""

from __future__ import annotations

import logging
import re

SECRET_PARAMS = re.compile(r"(?i)((?:^|[?&;\s])(?:token|access_token|api_key|apikey|key)=)[^&;\s\"']+")
LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    return SECRET_PARAMS.sub(r"\1***", text)


class RedactSecrets(logging.Filter):
    """Rewrites the record's message arguments (and message) with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install() -> None:
    """Idempotent: each API process calls it once its logging is configured."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())

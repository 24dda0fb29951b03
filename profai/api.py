"""`uvicorn --factory profai.api:app_factory`: one API process, wired by the composition root."""

from __future__ import annotations

import logging

from backend import log_redaction
from backend.app import create_app
from backend.edge import CacheEdge
from backend.headers import SecurityHeaders
from backend.timeouts import BodyDeadline, BoundedHttpToolsProtocol
from core.settings import load_settings
from profai.container import build


def app_factory() -> SecurityHeaders:
    """The app behind its cached-response edge, every answer of both with the security headers.
    uvicorn calls this once in each of its processes."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level)
    log_redaction.install()
    BoundedHttpToolsProtocol.configure(settings.api_header_timeout_seconds, settings.api_max_header_kb)
    edge = CacheEdge(create_app(settings, build(settings)))
    # Request bodies bounded in time (backend/timeouts.py): inside the headers, so a 408 has them.
    bounded = BodyDeadline(edge, settings.api_body_idle_seconds, settings.api_body_timeout_seconds)
    return SecurityHeaders(bounded, hsts_max_age=settings.hsts_max_age)

"""Domain errors. The web layer maps each kind to one HTTP status in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """Missing, or not yours: the two are indistinguishable on purpose."""

    code = "not_found"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    code = "invalid_input"


class UnsupportedLanguage(InvalidInput):
    """A well-formed language code that the configured engine cannot handle (still a 400)."""

    code = "unsupported_language"


class TooLarge(DomainError):
    code = "too_large"


class UnsupportedMedia(DomainError):
    code = "unsupported_media_type"


class ServiceUnavailable(DomainError):
    """A provider (LLM, vector store) failed or timed out."""

    code = "service_unavailable"

"""Opaque bearer tokens and API keys.

Both are 256-bit random secrets shown once and stored as SHA-256: high-entropy
secrets need no slow KDF, and a fast hash keeps per-request lookups cheap.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "pat_"
API_KEY_PREFIX = "pak_"


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_enrollment_code() -> str:
    # No 0/O or 1/I: codes are read aloud and typed by students.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))

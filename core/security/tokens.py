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


# No 0/O, 1/I/L: codes are read aloud and typed by students. 31 symbols, 10 of them:
# 31^10 = 8.2e14 codes, against a few wrong tries per student per hour (RATE_LIMIT_ENROLL).
ENROLLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLLMENT_CODE_LENGTH = 10


def new_enrollment_code() -> str:
    return "".join(secrets.choice(ENROLLMENT_ALPHABET) for _ in range(ENROLLMENT_CODE_LENGTH))


def normalise_enrollment_code(code: str) -> str:
    """What a student typed, as stored: upper case, without spaces or dashes. Codes made
    before the 10-character alphabet (8 characters, with L) are matched the same way."""
    return "".join(ch for ch in code.upper() if ch.isalnum())

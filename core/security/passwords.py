"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106).

One `Passwords` per process, built by the composition root (profai/container.py) and handed
to the services that hash or verify.
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def verify_nobody(self, password: str) -> None:
        """Spend what a real verification costs: a login for a missing user takes as long
        as one with a wrong password. The hash is made on first use, not at import."""
        with self._lock:
            if self._dummy is None:
                self._dummy = self._hasher.hash("timing-equaliser")
        self.verify(self._dummy, password)

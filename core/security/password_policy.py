"""What a new password must be: long enough, and not guessable.

zxcvbn (Dropbox's estimator) scores a password by the guesses an attacker would need, from
its bundled lists of common and breached passwords, English words, names and keyboard
patterns, plus the account's own email and name. Score 3 means about 10^8 guesses or more.
Only new passwords are checked: an account made under an older rule still logs in.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

from core.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 1024
MIN_SCORE = 3
# zxcvbn scores the first 72 characters; the rest of a long password cannot make it weaker.
_SCORED_LENGTH = 72  # zxcvbn refuses longer input


def personal_words(email: str, name: str) -> list[str]:
    """The account's own words: its email, the email's parts, its name and the name's parts."""
    local, _, domain = email.strip().lower().partition("@")
    words = {email.strip().lower(), local, domain.split(".")[0], name.strip().lower()}
    words |= set(re.split(r"[^\w]+", local)) | set(re.split(r"[^\w]+", name.strip().lower()))
    return sorted(w for w in words if len(w) >= 3)


def check_password(password: str, email: str = "", name: str = "") -> None:
    """InvalidInput, saying what is wrong and how to do better, unless the password is acceptable."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"the password must have at most {MAX_LENGTH} characters")
    words = personal_words(email, name)
    lowered = password.lower()
    if any(lowered == w or (len(w) >= 4 and w in lowered and len(w) * 2 >= len(lowered)) for w in words):
        raise InvalidInput("the password must not be (or be mostly) your email address or your name")
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=words)
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hints = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
        advice = " ".join(h for h in hints if h)
        raise InvalidInput(
            "the password is too easy to guess" + (f": {advice}" if advice else ""),
            details={"score": result["score"], "min_score": MIN_SCORE},
        )

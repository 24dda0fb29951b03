"""The password policy: long enough, not common, not the account's own email or name."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.security.password_policy import MIN_LENGTH, check_password, personal_words


@pytest.mark.parametrize(
    "password",
    ["12345678", "password", "1234567890", "password123", "qwertyuiop", "iloveyou12", "P@ssw0rd2024", "abcdefghij"],
)
def test_common_and_patterned_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput):
        check_password(password, "ada@example.org", "Ada Lovelace")


def test_short_passwords_are_refused_with_the_minimum() -> None:
    with pytest.raises(InvalidInput, match=f"at least {MIN_LENGTH} characters"):
        check_password("Xq7#vR2!", "ada@example.org")


@pytest.mark.parametrize(
    ("password", "email", "name"),
    [
        ("ada.lovelace@example.org", "ada.lovelace@example.org", ""),
        ("ADA.LOVELACE@example.org", "ada.lovelace@example.org", ""),
        ("adalovelace", "adalovelace@example.org", ""),
        ("Augusta King", "ada@example.org", "Augusta King"),
        ("augustaking1", "ada@example.org", "Augusta King"),
    ],
)
def test_the_accounts_own_email_or_name_is_refused(password: str, email: str, name: str) -> None:
    with pytest.raises(InvalidInput):
        check_password(password, email, name)


def test_the_refusal_says_why() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_password("password-123", "ada@example.org")
    assert "too easy to guess" in caught.value.message and caught.value.message.count(":") >= 1
    assert caught.value.details == {"score": 2, "min_score": 3}


@pytest.mark.parametrize(
    "password",
    ["harbor-quill-lantern-58", "correct horse battery staple", "Kx9!mQ2#vLp", "tea kettle on a blue moon"],
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    check_password(password, "ada@example.org", "Ada Lovelace")


def test_a_long_passphrase_passes() -> None:
    # zxcvbn scores at most 72 characters; the policy scores the beginning of longer ones.
    check_password("the night train to Lisbon leaves at nine, the harbour lights fade behind it " * 3, "a@b.org")


def test_personal_words() -> None:
    assert personal_words("ada.lovelace@math.example.org", "Ada Lovelace") == [
        "ada",
        "ada lovelace",
        "ada.lovelace",
        "ada.lovelace@math.example.org",
        "lovelace",
        "math",
    ]

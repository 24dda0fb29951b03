"""The remembered login: a reload, a new tab or a deep link keeps the teacher signed in.

Like the student app's (ui_student/views/auth.py), the browser keeps a copy of the API token
and nothing else (never the password). Here it is a cookie, because Streamlit gives the script
the cookies of the page's connection (`st.context.cookies`) on its very first run, before
anything is drawn; so a reload of /materials draws the Materials page, not a login form. The
cookie holds the token encrypted with Fernet under UI_TEACHER_STORAGE_SECRET (a random key per
process when unset: a restart then asks everyone to log in again). A recalled token is checked
with the API (GET /auth/me) before it is used; logging out revokes it there and clears the cookie.

Streamlit cannot set a cookie from the server, so a tiny script on the page does
(`st.html(..., unsafe_allow_javascript=True)`); its value is base64url text, safe in a script.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

import streamlit as st
from cryptography.fernet import Fernet, InvalidToken

from ui_teacher.settings import ConsoleSettings

COOKIE = "profai_teacher"
PENDING = "_cookie_pending"  # what the next full run writes: the new cookie, or "" to clear it
RECALLED = "_cookie_recalled"  # the first run of this browser session has read the cookie


@cache
def fernet() -> Fernet:
    settings = ConsoleSettings()
    secret = settings.ui_teacher_storage_secret
    if secret is None:
        return Fernet(Fernet.generate_key())
    digest = hashlib.sha256(secret.get_secret_value().encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(token: str) -> str:
    return fernet().encrypt(json.dumps({"token": token}).encode()).decode()


def unseal(value: str, max_age_seconds: int) -> str | None:
    """The token in a cookie value, or None when it is not ours, tampered with or too old."""
    try:
        data = json.loads(fernet().decrypt(value.encode(), ttl=max_age_seconds))
    except (InvalidToken, ValueError, TypeError):
        return None
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def recall_once() -> str | None:
    """On the first run of a browser session: the token the browser remembers, if any.

    `st.context.cookies` keeps the cookies the connection opened with, so after a log out it
    would still hold the old one: read it once per session only.
    """
    if st.session_state.get(RECALLED):
        return None
    st.session_state[RECALLED] = True
    value = st.context.cookies.get(COOKIE)
    return unseal(value, max_age()) if value else None


def max_age() -> int:
    return ConsoleSettings().token_ttl_seconds


def remember(token: str) -> None:
    st.session_state[PENDING] = seal(token)


def forget() -> None:
    st.session_state[PENDING] = ""


def write_pending() -> None:
    """Send the cookie change queued by `remember` / `forget` to the browser (once)."""
    value = st.session_state.pop(PENDING, None)
    if value is None:
        return
    age = max_age() if value else 0
    st.html(
        "<script>(function(){var secure = location.protocol === 'https:' ? '; Secure' : '';"
        f"document.cookie = '{COOKIE}={value}; Path=/; Max-Age={age}; SameSite=Strict' + secure;}})();</script>",
        unsafe_allow_javascript=True,
    )

"""API keys: create one (its secret is shown once), list them, revoke one."""

from __future__ import annotations

import streamlit as st

from ui_teacher.api import Json
from ui_teacher.session import attempt, client, flash, show_flash
from ui_teacher.text import esc
from ui_teacher.widgets import badge

NEW_KEY = "new_api_key"
SCOPES = {"read and write": ["read", "write"], "read only": ["read"]}


def create_form() -> None:
    with st.form("new-key", clear_on_submit=True):
        name = st.text_input("Name", placeholder="e.g. LMS integration", max_chars=200)
        scope = st.radio("Access", list(SCOPES), horizontal=True)
        if st.form_submit_button("Create key", type="primary"):
            if not name.strip():
                st.error("Give the key a name, so you know later what uses it.")
                return
            body = {"name": name.strip(), "scopes": SCOPES[scope]}
            made = attempt("create the key", client().post, "/api/v1/api-keys", body)
            if made is not None:
                st.session_state[NEW_KEY] = {"key": made["key"], "name": made["api_key"]["name"]}
                st.rerun()


def show_new_key() -> None:
    made = st.session_state.get(NEW_KEY)
    if not made:
        return
    with st.container(border=True):
        st.success(f"Key “{esc(made['name'])}” created. Copy it now: it is shown only once.")
        st.code(made["key"], language=None)
        st.caption("Send it in the X-API-Key header.")
        if st.button("I have copied it", key="hide-key"):
            st.session_state.pop(NEW_KEY, None)
            st.rerun()


def key_row(key: Json) -> None:
    with st.container(border=True):
        revoked = bool(key.get("revoked_at"))
        state = badge("revoked" if revoked else "active")
        st.markdown(f"**{esc(key['name'])}** · `{key['prefix']}…` · {state}")
        used = (key.get("last_used_at") or "never")[:16].replace("T", " ")
        st.caption(f"{', '.join(key.get('scopes') or [])} · created {key['created_at'][:10]} · last used {used}")
        path = f"/api/v1/api-keys/{key['id']}"
        if (
            not revoked
            and st.button("Revoke", key=f"revoke-{key['id']}")
            and attempt("revoke the key", client().delete, path) is not None
        ):
            flash(f"Key “{key['name']}” revoked.")
            st.rerun()


st.title("API keys")
st.caption("Keys let other systems use the API on your behalf.")
show_flash()
show_new_key()
create_form()
keys = attempt("load your keys", client().get, "/api/v1/api-keys")
if keys is not None:
    if not keys:
        st.info("You have no API keys.")
    for item in keys:
        key_row(item)

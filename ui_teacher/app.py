"""Teacher console (Streamlit). It talks to the core API over HTTP only.

This is the first page of the console; the full workflow lands with its own issue.
"""

from __future__ import annotations

import httpx
import streamlit as st

from core.settings import get_settings

API = get_settings().api_url

st.set_page_config(page_title="ProfessorAI · Teacher", page_icon="🎓", layout="wide")
st.title("ProfessorAI — teacher console")

if "token" not in st.session_state:
    with st.form("login"):
        email = st.text_input("Email")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Log in"):
            reply = httpx.post(f"{API}/api/v1/auth/login", json={"email": email, "password": password}, timeout=10)
            if reply.status_code == 200:
                st.session_state.token = reply.json()["token"]
                st.rerun()
            else:
                st.error(reply.json().get("error", {}).get("message", "login failed"))
else:
    headers = {"Authorization": f"Bearer {st.session_state.token}"}
    courses = httpx.get(f"{API}/api/v1/courses", headers=headers, timeout=10)
    if courses.status_code != 200:
        st.error(courses.json().get("error", {}).get("message", "could not load courses"))
    else:
        st.subheader("My courses")
        for course in courses.json():
            st.write(f"**{course['title']}** — {course.get('state') or course['status']}")
    if st.button("Log out"):
        httpx.post(f"{API}/api/v1/auth/logout", headers=headers, timeout=10)
        del st.session_state["token"]
        st.rerun()

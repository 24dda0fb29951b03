"""Teacher console (Streamlit): the entry point. Navigation and the login gate.

Run with `profai ui-teacher`. The console talks to the core API over HTTP only (API_URL); the
only state it keeps is the session token, in st.session_state.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT.parent) not in sys.path:  # `streamlit run ui_teacher/app.py` puts only ui_teacher/ on the path
    sys.path.insert(0, str(ROOT.parent))

from ui_teacher.api import ApiError  # noqa: E402
from ui_teacher.remember import write_pending  # noqa: E402
from ui_teacher.session import NOTICE, USER, attempt, client, logged_in, restore, sign_in, sign_out  # noqa: E402
from ui_teacher.text import esc  # noqa: E402

st.set_page_config(page_title="ProfessorAI · Teacher", page_icon="🎓", layout="centered")
# Teachers see messages, never tracebacks (those go to the server log), and no developer menu.
st.set_option("client.showErrorDetails", "none")
st.set_option("client.toolbarMode", "viewer")

# (file under views/, title, icon): the file's name is the page's URL path (/materials, /outline, ...).
PAGES = [
    ("courses.py", "My courses", ":material/school:"),
    ("materials.py", "Materials", ":material/upload_file:"),
    ("outline.py", "Course", ":material/account_tree:"),
    ("lesson.py", "Lesson", ":material/article:"),
    ("quizzes.py", "Quizzes", ":material/quiz:"),
    ("analytics.py", "Analytics", ":material/analytics:"),
    ("api_keys.py", "API keys", ":material/key:"),
]


def login_page() -> None:
    st.title("ProfessorAI")
    st.caption("Teacher console")
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.warning(esc(notice))
    with st.form("login"):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")
        # Inside the form: the reason shows under the button that was pressed.
        if submitted:
            log_in(email, password)


def log_in(email: str, password: str) -> None:
    if not email.strip() or not password:
        st.error("Enter your email and password.")
        return
    try:
        reply = client().login(email.strip(), password, st.context.ip_address)
    except ApiError as exc:
        st.error(f"Could not log in: {esc(exc.message)}")
        return
    if (reply.get("user") or {}).get("role") == "student":
        st.error("This console is for teachers. Students use the tutor app.")
        return
    sign_in(reply)
    st.rerun()  # the same URL, now with its page: a deep link lands where it pointed


def log_out() -> None:
    attempt("log out", client().logout)
    sign_out()
    st.rerun()


def page(path: str, title: str, icon: str) -> st.Page:  # type: ignore[name-defined]
    return st.Page(str(ROOT / "views" / path), title=title, icon=icon, default=path == PAGES[0][0])


def login_at(path: str) -> st.Page:  # type: ignore[name-defined]
    """The login form under a page's URL, so that /materials asks to log in, then shows Materials."""
    url_path = path.removesuffix(".py")
    default = path == PAGES[0][0]
    return st.Page(
        login_page, title="Log in", icon=":material/login:", url_path=None if default else url_path, default=default
    )


restore()
write_pending()
if not logged_in():
    st.navigation([login_at(path) for path, _, _ in PAGES], position="hidden").run()
else:
    user = st.session_state.get(USER) or {}
    with st.sidebar:
        email = str(user.get("email") or "")
        name = str(user.get("name") or "")
        # A zero-width space after "@" keeps markdown from turning the address into a mailto link.
        st.caption("Signed in as " + esc(name if name and name != email else email).replace("@", "@\u200b"))
        if st.button("Log out", key="logout", icon=":material/logout:"):
            log_out()
    st.navigation([page(path, title, icon) for path, title, icon in PAGES]).run()

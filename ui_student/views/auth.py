"""Log in, create an account, log out, and stay signed in across page loads.

The token works from the user's `gr.State`. A copy of it (and of the open course's id, never
the password) is kept in the browser's localStorage through `gr.BrowserState`, so a reload or
a new tab signs the student back in after the API has confirmed the token. Logging out
revokes the token at the API and clears the stored copy.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.api import ApiError
from ui_student.views.common import Ctx, Problem, inline, skip
from ui_student.views.courses import CoursesView, courses_update

MIN_PASSWORD = 10  # the API also refuses common or guessable passwords (core/security/password_policy.py)
STORAGE_KEY = "profai-student-login"
SESSION_ENDED = "Your session ended; please sign in again."


def remembered(token: str = "", course_id: str = "", lesson_id: str = "") -> dict[str, str]:
    """What the browser keeps: the opaque API token, the open course and lesson, nothing else.

    Always a non-empty object: Gradio's BrowserState skips writing a falsy value, so "" or
    None could not clear a stored token.
    """
    return {"token": token, "course_id": course_id, "lesson_id": lesson_id}


def recalled(saved: Any) -> tuple[str, str, str]:
    """(token, course id, lesson id) from the stored value; anything unexpected counts as no login."""
    if not isinstance(saved, dict):
        return "", "", ""
    values = (saved.get("token"), saved.get("course_id"), saved.get("lesson_id"))
    token, course_id, lesson_id = (v if isinstance(v, str) else "" for v in values)
    return token, course_id, lesson_id


def browser_store(secret: str | None = None) -> gr.BrowserState:
    """The remembered login in localStorage under a stable key.

    `secret` (UI_STUDENT_STORAGE_SECRET) keys Gradio's encryption of the stored value; the
    same value on every replica keeps students signed in across restarts. Gradio sends it to
    the page, so it hides the token from a casual look at localStorage, no more.
    """
    return gr.BrowserState(remembered(), storage_key=STORAGE_KEY, secret=secret or None)


@dataclass
class AuthView:
    panel: gr.Column
    email: gr.Textbox
    password: gr.Textbox
    login: gr.Button
    reg_name: gr.Textbox
    reg_email: gr.Textbox
    reg_password: gr.Textbox
    register: gr.Button
    status: gr.Markdown


def build() -> AuthView:
    with gr.Column(visible=True, elem_id="login-panel") as panel:
        gr.Markdown("Log in to see your courses, lessons, quizzes and your tutor.")
        with gr.Tabs():
            with gr.Tab("Log in", id="login"):
                email = gr.Textbox(label="Email", type="email", elem_id="login-email", max_lines=1, autofocus=True)
                password = gr.Textbox(label="Password", type="password", elem_id="login-password", max_lines=1)
                login = gr.Button("Log in", variant="primary", elem_id="login-button")
            with gr.Tab("Create an account", id="register"):
                reg_name = gr.Textbox(label="Your name", elem_id="register-name", max_lines=1)
                reg_email = gr.Textbox(label="Email", type="email", elem_id="register-email", max_lines=1)
                reg_password = gr.Textbox(
                    label="Password (at least 10 characters, not a common one)",
                    type="password",
                    elem_id="register-password",
                    max_lines=1,
                )
                register = gr.Button("Create account", variant="primary", elem_id="register-button")
        status = gr.Markdown(elem_id="login-status")
    return AuthView(panel, email, password, login, reg_name, reg_email, reg_password, register, status)


def wire(
    app: gr.Blocks,
    ctx: Ctx,
    view: AuthView,
    main: gr.Column,
    user_line: gr.Markdown,
    logout: gr.Button,
    courses: CoursesView,
    stored: gr.BrowserState,
) -> Any:
    """Events that cross views: logging in fills the course list and swaps the panels.

    Login, registration and logout also write `stored` (the browser's copy of the token);
    loading the page restores a stored login that the API still accepts (the returned event:
    `navigation` chains the remembered course and lesson to it). Errors show in the form's status.
    """

    def signed_in(token: str, user: dict[str, Any], course_id: str = "") -> tuple[Any, ...]:
        picker = courses_update(ctx.api(token), course_id or None)
        who = str(user.get("name") or user.get("email") or "").replace("`", "'")
        hint = "" if picker.get("choices") else "You are not enrolled in any course yet: join one with its code."
        return (
            token,
            gr.update(visible=False),
            gr.update(visible=True),
            f"Signed in as `{who}`",
            picker,
            hint,
            "",
            gr.update(visible=True),
        )

    # The form's status comes last: a failed login or registration leaves every other output alone.
    outputs = [ctx.token, view.panel, main, user_line, courses.courses, courses.status, view.password, logout]

    @inline(at=9, count=10)
    def do_login(email: str, password: str, request: gr.Request) -> tuple[Any, ...]:
        if not email.strip() or not password:
            raise Problem("Enter your email and your password.")
        reply = ctx.anonymous_api(request).login(email.strip(), password)
        token = str(reply["token"])
        return (*signed_in(token, dict(reply.get("user") or {})), remembered(token), "")

    @inline(at=9, count=10)
    def do_register(name: str, email: str, password: str, request: gr.Request) -> tuple[Any, ...]:
        if not email.strip() or "@" not in email:
            raise Problem("Enter a valid email address.")
        if len(password) < MIN_PASSWORD:
            raise Problem(f"Choose a password of at least {MIN_PASSWORD} characters.")
        reply = ctx.anonymous_api(request).register(email.strip(), password, name.strip())
        token = str(reply["token"])
        return (*signed_in(token, dict(reply.get("user") or {})), remembered(token), "")

    def do_logout(token: str) -> tuple[Any, ...]:
        if token:
            with contextlib.suppress(ApiError):  # the token is forgotten here either way
                ctx.api(token).logout()
        return (
            "",
            "",
            "",
            "",
            remembered(),
            gr.update(visible=True),
            gr.update(visible=False),
            "",
            gr.update(visible=False),
            gr.update(choices=[], value=None),
            "*No course open.*",
            "You are logged out.",
        )

    def restore(saved: Any) -> tuple[Any, ...]:
        """On page load: the signed-in view for a stored token the API still accepts.

        A rejected token (401: expired or revoked) is cleared and the login form says so; when
        the API cannot be asked (unreachable, busy) the token is kept for the next load. The
        remembered course and lesson are reopened by the event `navigation` chains to this one.
        """
        token, course_id, _ = recalled(saved)
        unchanged = tuple(skip() for _ in range(8))
        if not token:
            return (*unchanged, skip(), skip())
        try:
            view_update = signed_in(token, ctx.api(token).me(), course_id)
        except ApiError as exc:
            if exc.status == 401:
                return (*unchanged, remembered(), SESSION_ENDED)
            return (*unchanged, skip(), exc.message)
        return (*view_update, skip(), "")

    login_outputs = [*outputs, stored, view.status]
    view.login.click(do_login, [view.email, view.password], login_outputs, api_name="login")
    view.password.submit(do_login, [view.email, view.password], login_outputs, api_visibility="private")
    reg_outputs = [*outputs[:6], view.reg_password, logout, stored, view.status]
    view.register.click(
        do_register, [view.reg_name, view.reg_email, view.reg_password], reg_outputs, api_name="register"
    )
    logout.click(
        do_logout,
        [ctx.token],
        [
            ctx.token,
            ctx.course_id,
            ctx.lesson_id,
            ctx.session_id,
            stored,
            view.panel,
            main,
            user_line,
            logout,
            courses.courses,
            ctx.course_header,
            view.status,
        ],
        api_name="logout",
    )
    return app.load(
        restore,
        [stored],
        [*outputs, stored, view.status],
        api_visibility="private",
        show_progress="hidden",
    )

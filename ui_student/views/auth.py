"""Log in, create an account, log out. The token lives only in the user's `gr.State`."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.api import ApiError
from ui_student.views.common import Ctx, friendly
from ui_student.views.courses import CoursesView, courses_update

MIN_PASSWORD = 8


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
                    label="Password (at least 8 characters)", type="password", elem_id="register-password", max_lines=1
                )
                register = gr.Button("Create account", variant="primary", elem_id="register-button")
        status = gr.Markdown(elem_id="login-status")
    return AuthView(panel, email, password, login, reg_name, reg_email, reg_password, register, status)


def wire(
    ctx: Ctx, view: AuthView, main: gr.Column, user_line: gr.Markdown, logout: gr.Button, courses: CoursesView
) -> None:
    """Events that cross views: logging in fills the course list and swaps the panels."""

    def signed_in(token: str, user: dict[str, Any]) -> tuple[Any, ...]:
        picker = courses_update(ctx.api(token))
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

    outputs = [ctx.token, view.panel, main, user_line, courses.courses, courses.status, view.password, logout]

    @friendly
    def do_login(email: str, password: str) -> tuple[Any, ...]:
        if not email.strip() or not password:
            raise gr.Error("Enter your email and your password.", print_exception=False)
        reply = ctx.api("").login(email.strip(), password)
        return signed_in(str(reply["token"]), dict(reply.get("user") or {}))

    @friendly
    def do_register(name: str, email: str, password: str) -> tuple[Any, ...]:
        if not email.strip() or "@" not in email:
            raise gr.Error("Enter a valid email address.", print_exception=False)
        if len(password) < MIN_PASSWORD:
            raise gr.Error(f"Choose a password of at least {MIN_PASSWORD} characters.", print_exception=False)
        reply = ctx.api("").register(email.strip(), password, name.strip())
        return signed_in(str(reply["token"]), dict(reply.get("user") or {}))

    def do_logout(token: str) -> tuple[Any, ...]:
        if token:
            with contextlib.suppress(ApiError):  # the token is forgotten here either way
                ctx.api(token).logout()
        return (
            "",
            "",
            "",
            "",
            gr.update(visible=True),
            gr.update(visible=False),
            "",
            gr.update(visible=False),
            gr.update(choices=[], value=None),
            "*No course open.*",
            "You are logged out.",
        )

    view.login.click(do_login, [view.email, view.password], outputs, api_name="login")
    view.password.submit(do_login, [view.email, view.password], outputs, api_visibility="private")
    reg_outputs = [*outputs[:6], view.reg_password, logout]
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

"""Student tutor app (Gradio). It talks to the core API over HTTP only.

This is the first page of the app; the full workflow lands with its own issue.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import httpx

from core.settings import Settings, get_settings


def build(api: str) -> gr.Blocks:
    def login(email: str, password: str) -> tuple[str, str]:
        reply = httpx.post(f"{api}/api/v1/auth/login", json={"email": email, "password": password}, timeout=10)
        if reply.status_code != 200:
            return "", reply.json().get("error", {}).get("message", "login failed")
        token = reply.json()["token"]
        courses = httpx.get(f"{api}/api/v1/courses", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        listing = "\n".join(f"- {c['title']}" for c in courses.json()) or "You are not enrolled in any course yet."
        return token, listing

    with gr.Blocks(title="ProfessorAI · Student") as app:
        gr.Markdown("# ProfessorAI — your tutor")
        token = gr.State("")
        email = gr.Textbox(label="Email")
        password = gr.Textbox(label="Password", type="password")
        button = gr.Button("Log in")
        courses = gr.Markdown()
        button.click(login, inputs=[email, password], outputs=[token, courses])
    return app


def launch(settings: Settings | None = None, **kwargs: Any) -> None:
    settings = settings or get_settings()
    build(settings.api_url).launch(
        server_name=settings.ui_host, server_port=settings.ui_student_port, show_error=True, **kwargs
    )


if __name__ == "__main__":
    launch()

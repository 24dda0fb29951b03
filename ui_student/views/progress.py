"""My progress across courses: lessons done and best quiz scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from ui_student.views.common import Ctx, inline, md_escape, need_login

BAR_CELLS = 10


@dataclass
class ProgressView:
    refresh: gr.Button
    report: gr.Markdown


def bar(percent: float) -> str:
    filled = max(0, min(BAR_CELLS, round(percent / 100 * BAR_CELLS)))
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def progress_markdown(courses: list[dict[str, Any]]) -> str:
    if not courses:
        return "*You are not enrolled in any course yet.*"
    lines: list[str] = []
    for c in courses:
        percent = float(c.get("percent") or 0)
        lines.append(f"### {md_escape(c.get('course_title') or 'Course')}")
        lines.append(
            f"`{bar(percent)}` **{percent:g}%**: {c.get('lessons_completed', 0)} of "
            f"{c.get('lessons_total', 0)} lessons done"
        )
        quizzes = list(c.get("quizzes") or [])
        if quizzes:
            lines += ["", "| Quiz | Best score | Attempts |", "|---|---|---|"]
            for q in quizzes:
                best = q.get("best_score")
                shown = "not taken yet" if best is None else f"{float(best):g}%"
                lines.append(f"| {md_escape(q.get('title') or 'Quiz')} | {shown} | {q.get('attempts', 0)} |")
        lines.append("")
    return "\n".join(lines)


def build(ctx: Ctx, tab: gr.Tab) -> ProgressView:
    report = gr.Markdown("*Your progress shows here.*", elem_id="progress-report")
    refresh = gr.Button("Refresh", elem_id="refresh-progress")

    @inline()
    def my_progress(token: str) -> str:
        need_login(token)
        return progress_markdown(ctx.api(token).my_progress())

    refresh.click(my_progress, [ctx.token], [report], api_name="my_progress")
    tab.select(my_progress, [ctx.token], [report], api_visibility="private")
    return ProgressView(refresh, report)

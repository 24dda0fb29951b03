"""The course outline as a clickable list: one collapsible module after another, a button per lesson.

A click on a lesson fires the HTML component's click event with `{"lesson": "<id>"}` (see `JS`).
Finished lessons carry ✓; the open lesson is highlighted, and its module is the one unfolded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ui_student.api import Api, ApiError
from ui_student.views.common import esc, md_escape

NO_COURSE = "<p class='muted'>No course open yet: join one with its code, or pick one of your courses.</p>"
JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest ? event.target.closest('button[data-lesson]') : null;
  if (!button) return;
  element.querySelectorAll('button.current').forEach((b) => b.classList.remove('current'));
  button.classList.add('current');
  trigger('click', {lesson: button.dataset.lesson});
});
"""


@dataclass
class Outline:
    header: str
    html: str
    current: str = ""
    lesson_ids: list[str] = field(default_factory=list)
    done: set[str] = field(default_factory=set)

    def after(self, lesson_id: str) -> str:
        """The lesson that follows `lesson_id` in course order ("" after the last)."""
        ids = self.lesson_ids
        return ids[ids.index(lesson_id) + 1] if lesson_id in ids and ids.index(lesson_id) + 1 < len(ids) else ""


def outline_of(api: Api, course_id: str, current: str = "") -> Outline:
    """The course's outline with completion marks and `current`, the open lesson, highlighted.

    A `current` that is not a lesson of this course becomes the first unfinished lesson (or the
    first one): what a student opening the course most likely wants to read.
    """
    outline = api.outline(course_id)
    try:
        done = set(dict(api.course_progress(course_id).get("completed_lessons") or {}))
    except ApiError:
        done = set()  # progress is a nicety here; the outline still shows
    modules = list(outline.get("modules") or [])
    ids = [str(lesson["id"]) for m in modules for lesson in m.get("lessons") or []]
    if current not in ids:
        current = next((lid for lid in ids if lid not in done), ids[0] if ids else "")
    parts: list[str] = []
    for m_index, module in enumerate(modules, start=1):
        lessons = list(module.get("lessons") or [])
        finished = sum(1 for lesson in lessons if str(lesson["id"]) in done)
        items = []
        for l_index, lesson in enumerate(lessons, start=1):
            lid = str(lesson["id"])
            classes = " ".join(
                c for c in ("lesson", "done" if lid in done else "", "current" if lid == current else "") if c
            )
            mark = "✓" if lid in done else "○"
            items.append(
                f"<li><button type='button' class='{classes}' data-lesson='{esc(lid)}'>"
                f"<span class='mark'>{mark}</span> {m_index}.{l_index} {esc(lesson['title'])}</button></li>"
            )
        opened = " open" if any(str(lesson["id"]) == current for lesson in lessons) else ""
        parts.append(
            f"<details class='module'{opened}><summary>Module {m_index}: {esc(module['title'])}"
            f" <span class='muted'>{finished}/{len(lessons)}</span></summary><ol>{''.join(items)}</ol></details>"
        )
    body = "".join(parts) if ids else "<p class='muted'>This course has no lessons yet.</p>"
    completed = sum(1 for lid in ids if lid in done)
    percent = round(100 * completed / len(ids)) if ids else 0
    title = md_escape(outline.get("course_title") or "Course")
    header = f"**Course:** {title} · {completed}/{len(ids)} lessons done ({percent}%)"
    html = f"<nav class='outline' aria-label='Course outline'>{body}</nav>"
    return Outline(header, html, current, ids, done & set(ids))

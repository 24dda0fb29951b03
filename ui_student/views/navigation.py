"""Moving through a course: join or open one, open a lesson from the outline, mark it done, go on.

Opening a course shows the Course tab with the lesson the student was reading (or the first
unfinished one); every step writes the browser's remembered login (token, course, lesson), so
a reload comes back to the same lesson (`reopen`, chained after the login is restored).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui_student.api import ApiError
from ui_student.views.auth import recalled, remembered
from ui_student.views.common import Ctx, Problem, inline, md_escape, need_course, need_login, skip
from ui_student.views.courses import CoursesView, courses_update
from ui_student.views.lesson import LessonView, shown
from ui_student.views.outline import NO_COURSE, outline_of

MIN_CODE = 4


def wire(
    ctx: Ctx,
    courses: CoursesView,
    lesson: LessonView,
    stored: gr.BrowserState,
    restored: Any,
    lesson_tab: str,
) -> None:
    """`restored` is the page-load event that signs a remembered student back in."""
    enter_outputs = [ctx.course_id, ctx.course_header, lesson.outline, ctx.tabs, ctx.lesson_id, *lesson.pane, stored]
    count = len(enter_outputs)

    def enter(token: str, course_id: str, lesson_id: str) -> tuple[Any, ...]:
        """Values for `enter_outputs`: the course's outline and `lesson_id` (or the first unfinished) open."""
        api = ctx.api(token)
        outline = outline_of(api, course_id, lesson_id)
        opened = api.lesson(outline.current) if outline.current else None
        return (
            course_id,
            outline.header,
            outline.html,
            gr.Tabs(selected=lesson_tab),
            outline.current,
            *shown(opened),
            remembered(token, course_id, outline.current),
        )

    @inline(at=count, count=count + 1)
    def open_course(token: str, chosen: str | None, open_course_id: str, open_lesson_id: str) -> tuple[Any, ...]:
        need_login(token)
        if not chosen:
            raise Problem("Pick one of your courses first.")
        same = chosen == open_course_id
        return (*enter(token, chosen, open_lesson_id if same else ""), "")

    @inline(at=count + 2, count=count + 3)
    def join_course(token: str, enrollment_code: str) -> tuple[Any, ...]:
        need_login(token)
        cleaned = enrollment_code.strip().upper()
        if len(cleaned) < MIN_CODE:
            raise Problem(f"Enter the enrollment code your teacher gave you (at least {MIN_CODE} characters).")
        api = ctx.api(token)
        course = api.join(cleaned)
        course_id = str(course["id"])
        joined = f"✓ You joined **{md_escape(course['title'])}**."
        return (courses_update(api, course_id), "", *enter(token, course_id, ""), joined)

    @inline(at=1, count=2)
    def my_courses(token: str) -> tuple[Any, str]:
        need_login(token)
        update = courses_update(ctx.api(token))
        n = len(update.get("choices") or [])
        return update, (f"You are enrolled in {n} course(s)." if n else "You are not enrolled in any course yet.")

    lesson_outputs = [ctx.lesson_id, *lesson.pane, stored]
    status_at = 1 + lesson.pane.index(lesson.status)

    @inline(at=status_at, count=len(lesson_outputs))
    def open_lesson(token: str, course_id: str, lesson_id: str) -> tuple[Any, ...]:
        need_course(token, course_id)
        if not lesson_id:
            raise Problem("Pick a lesson in the outline.")
        return (lesson_id, *shown(ctx.api(token).lesson(lesson_id)), remembered(token, course_id, lesson_id))

    def clicked(token: str, course_id: str, evt: gr.EventData) -> tuple[Any, ...]:
        data = getattr(evt, "_data", None)
        chosen = str(data.get("lesson") or "") if isinstance(data, dict) else ""
        return open_lesson(token, course_id, chosen)

    @inline(at=0, count=3)
    def mark_complete(token: str, lesson_id: str, course_id: str) -> tuple[str, str, str]:
        need_course(token, course_id)
        need_lesson_open(lesson_id)
        api = ctx.api(token)
        api.complete(lesson_id)
        outline = outline_of(api, course_id, lesson_id)
        following = " Go on with “Next lesson →”." if outline.after(lesson_id) else " That was the last lesson."
        return f"✓ Lesson marked complete.{following}", outline.header, outline.html

    @inline(at=5 + lesson.pane.index(lesson.status), count=count)
    def next_lesson(token: str, course_id: str, lesson_id: str) -> tuple[Any, ...]:
        need_course(token, course_id)
        following = outline_of(ctx.api(token), course_id, lesson_id).after(lesson_id)
        if not following:
            raise Problem("This is the last lesson of the course. Well done!")
        return enter(token, course_id, following)

    def reopen(token: str, saved: Any) -> tuple[Any, ...]:
        """After a reload: the remembered course and lesson, if the student may still open them."""
        _, course_id, lesson_id = recalled(saved)
        if not token or not course_id:
            return tuple(skip() for _ in enter_outputs)
        try:
            return enter(token, course_id, lesson_id)
        except ApiError:
            return tuple(skip() for _ in enter_outputs)  # the Courses tab is still there to pick from

    def signed_out(token: str) -> tuple[Any, ...]:
        """After a logout nothing of the last student's course stays on the page."""
        if token:
            return tuple(skip() for _ in range(1 + len(lesson.pane)))
        return (NO_COURSE, *shown(None))

    open_inputs = [ctx.token, courses.courses, ctx.course_id, ctx.lesson_id]
    # "minimal": no spinner over every output, which would cover the form while a course opens.
    quiet: Any = {"show_progress": "minimal"}
    courses.open.click(open_course, open_inputs, [*enter_outputs, courses.status], api_name="open_course", **quiet)
    courses.courses.input(
        open_course, open_inputs, [*enter_outputs, courses.status], api_visibility="private", **quiet
    )
    join_outputs = [courses.courses, courses.code, *enter_outputs, courses.status]
    courses.join.click(join_course, [ctx.token, courses.code], join_outputs, api_name="join", **quiet)
    courses.code.submit(join_course, [ctx.token, courses.code], join_outputs, api_visibility="private", **quiet)
    courses.refresh.click(my_courses, [ctx.token], [courses.courses, courses.status], api_name="my_courses")

    lesson.outline.click(clicked, [ctx.token, ctx.course_id], lesson_outputs, api_visibility="private")
    target = gr.Textbox(visible=False)  # API callers name the lesson to open
    opener = gr.Button(visible=False)
    opener.click(open_lesson, [ctx.token, ctx.course_id, target], lesson_outputs, api_name="open_lesson")
    lesson.complete.click(
        mark_complete,
        [ctx.token, ctx.lesson_id, ctx.course_id],
        [lesson.status, ctx.course_header, lesson.outline],
        api_name="mark_complete",
    )
    lesson.next.click(next_lesson, [ctx.token, ctx.course_id, ctx.lesson_id], enter_outputs, api_name="next_lesson")
    ctx.token.change(signed_out, [ctx.token], [lesson.outline, *lesson.pane], api_visibility="private")
    restored.then(reopen, [ctx.token, stored], enter_outputs, api_visibility="private", show_progress="hidden")


def need_lesson_open(lesson_id: str) -> None:
    if not lesson_id:
        raise Problem("Open a lesson first: pick one in the outline.")

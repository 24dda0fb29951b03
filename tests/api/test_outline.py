"""Reordering the outline through the real server: a lesson moved to another module keeps what it has."""

from __future__ import annotations

from typing import Any

from tests.api.test_auth import error_of
from tests.api.tutor_course import SMALL, Course, built_course
from tests.harness import Stack

# What a lesson is, apart from where it sits.
CONTENT = ("id", "course_id", "title", "body", "summary", "citations", "edited_by_teacher")


def order_of(outline: dict[str, Any]) -> dict[str, list[str]]:
    return {m["id"]: [x["id"] for x in m["lessons"]] for m in outline["modules"]}


def outline_of(course: Course) -> dict[str, Any]:
    return dict(course.teacher.get(f"/api/v1/courses/{course.id}/outline").json())


def test_a_lesson_moved_to_another_module_keeps_text_citations_progress_and_quizzes(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Outline moves")
    order = order_of(outline_of(course))
    assert len(order) > 1, "the fixture course needs two modules to move a lesson between"
    lessons = [course.teacher.get(f"/api/v1/lessons/{x}").json() for ids in order.values() for x in ids]
    before = next(x for x in lessons if x["citations"])  # so the test shows citations survive the move
    lesson_id, source = before["id"], before["module_id"]
    target = next(m for m in order if m != source)
    quizzes = course.teacher.get(f"/api/v1/courses/{course.id}/quizzes").json()
    assert course.student.post(f"/api/v1/lessons/{lesson_id}/complete").status_code == 200

    order[source].remove(lesson_id)
    order[target].append(lesson_id)
    reply = course.teacher.post(f"/api/v1/courses/{course.id}/outline/reorder", json={"lessons": order})
    assert reply.status_code == 200, reply.text
    assert order_of(reply.json()) == order
    assert order_of(course.student.get(f"/api/v1/courses/{course.id}/outline").json()) == order

    after = course.teacher.get(f"/api/v1/lessons/{lesson_id}").json()
    assert (after["module_id"], after["position"]) == (target, len(order[target]) - 1)
    assert {k: after[k] for k in CONTENT} == {k: before[k] for k in CONTENT}
    assert course.teacher.get(f"/api/v1/courses/{course.id}/quizzes").json() == quizzes
    progress = course.student.get(f"/api/v1/courses/{course.id}/progress").json()
    assert lesson_id in progress["completed_lessons"]


def test_reorders_that_lose_or_invent_lessons_are_refused_and_change_nothing(stack: Stack) -> None:
    course = built_course(stack, SMALL, "Outline moves")
    order = order_of(outline_of(course))
    first = next(iter(order))
    lesson_id = next(ids[0] for ids in order.values() if ids)
    other = next(m for m in order if lesson_id not in order[m])
    refused = {
        "listed twice": order | {other: [*order[other], lesson_id]},
        "left out": {m: [x for x in ids if x != lesson_id] for m, ids in order.items()},
        "unknown module": order | {"0" * 32: []},
        "unknown lesson": order | {first: [*order[first], "0" * 32]},
    }
    for case, body in refused.items():
        reply = course.teacher.post(f"/api/v1/courses/{course.id}/outline/reorder", json={"lessons": body})
        assert reply.status_code == 400, (case, reply.text)
        assert error_of(reply)["code"] == "invalid_input", case
    assert order_of(outline_of(course)) == order

    reply = course.student.post(f"/api/v1/courses/{course.id}/outline/reorder", json={"lessons": order})
    assert reply.status_code == 403, reply.text
    assert order_of(outline_of(course)) == order

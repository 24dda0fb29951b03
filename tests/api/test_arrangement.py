"""A teacher's arrangement of the outline survives regeneration, through the real server and worker,
on both configurations: moved lessons, module order and renamed modules stay; lesson texts stay;
new material goes after; a course nobody arranged regenerates to the same outline."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.test_courses import make_course
from tests.api.tutor_course import SMALL
from tests.fixtures_path import FIXTURES
from tests.harness import Stack, upload, wait_job

MORE = FIXTURES / "errors-and-exceptions.docx"
# What a lesson is, apart from where it sits.
TEXT = ("title", "body", "summary", "citations", "edited_by_teacher")

Outline = list[tuple[str, str, list[str]]]  # (module id, title, lesson ids), in order


def outline_of(teacher: httpx.Client, course_id: str) -> Outline:
    reply = teacher.get(f"/api/v1/courses/{course_id}/outline")
    assert reply.status_code == 200, reply.text
    return [(m["id"], m["title"], [x["id"] for x in m["lessons"]]) for m in reply.json()["modules"]]


def texts_of(teacher: httpx.Client, outline: Outline) -> dict[str, dict[str, Any]]:
    lessons = (teacher.get(f"/api/v1/lessons/{x}").json() for _, _, ids in outline for x in ids)
    return {lesson["id"]: {k: lesson[k] for k in TEXT} for lesson in lessons}


def succeeded(teacher: httpx.Client, reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 202, reply.text
    body = reply.json()
    job = wait_job(teacher, (body.get("job") or body)["id"], timeout=300)
    assert job["status"] == "succeeded", job
    return job


def new_course(stack: Stack, title: str) -> tuple[httpx.Client, str]:
    _, teacher = stack.user("teacher")
    cid = make_course(teacher, title)["id"]
    job = wait_job(teacher, upload(teacher, cid, SMALL)["job"]["id"], timeout=300)
    assert job["status"] == "succeeded", job
    return teacher, cid


def add_document(teacher: httpx.Client, cid: str) -> dict[str, Any]:
    files = [("files", (MORE.name, MORE.read_bytes()))]
    return succeeded(teacher, teacher.post(f"/api/v1/courses/{cid}/documents", files=files))


def reorder(teacher: httpx.Client, cid: str, body: dict[str, Any]) -> None:
    reply = teacher.post(f"/api/v1/courses/{cid}/outline/reorder", json=body)
    assert reply.status_code == 200, reply.text


def test_a_teachers_arrangement_survives_regeneration(any_stack: Stack) -> None:
    teacher, cid = new_course(any_stack, "Arranged")
    generated = outline_of(teacher, cid)
    assert len(generated) > 1 and any(len(ids) > 1 for _, _, ids in generated), generated
    texts = texts_of(teacher, generated)

    # Move a lesson (with citations) first into another module, reverse the modules, rename one.
    source = next(i for i, (_, _, ids) in enumerate(generated) if len(ids) > 1)
    moved = next(x for x in generated[source][2] if texts[x]["citations"])
    target = (source + 1) % len(generated)
    lessons = {m: [x for x in ids if x != moved] for m, _, ids in generated}
    lessons[generated[target][0]].insert(0, moved)
    reorder(teacher, cid, {"lessons": lessons})
    reorder(teacher, cid, {"modules": [m for m, _, _ in reversed(generated)]})
    renamed = generated[source][0]
    assert teacher.patch(f"/api/v1/modules/{renamed}", json={"title": "My own order"}).status_code == 200
    arranged = outline_of(teacher, cid)
    assert [m for m, _, _ in arranged] == [m for m, _, _ in reversed(generated)]
    assert dict((m, ids) for m, _, ids in arranged) == lessons
    assert dict((m, t) for m, t, _ in arranged)[renamed] == "My own order"

    # Regenerate the moved lesson (the console's button), then the whole course (the API).
    succeeded(teacher, teacher.post(f"/api/v1/lessons/{moved}/regenerate"))
    assert outline_of(teacher, cid) == arranged
    assert texts_of(teacher, arranged) == texts
    succeeded(teacher, teacher.post(f"/api/v1/courses/{cid}/regenerate", json={}))
    assert outline_of(teacher, cid) == arranged
    assert texts_of(teacher, arranged) == texts

    # New material: the arrangement stays first, the new modules follow in the material's order.
    job = add_document(teacher, cid)
    grown = outline_of(teacher, cid)
    added = grown[len(arranged) :]
    assert grown[: len(arranged)] == arranged and added
    assert [t for _, t, _ in added] == [m["title"] for m in job["result"]["modules"]][len(generated) :]
    assert {k: v for k, v in texts_of(teacher, grown).items() if k in texts} == texts

    # A lesson moved into a module of the new document goes back to its own module when the
    # document (and with it that module) is removed; nothing else moves and nothing is lost.
    home = arranged[0]  # the material's last module, first since the teacher's reversal
    wanderer = home[2][-1]
    lessons = {m: [x for x in ids if x != wanderer] for m, _, ids in grown}
    lessons[added[0][0]].append(wanderer)
    reorder(teacher, cid, {"lessons": lessons})
    documents = teacher.get(f"/api/v1/courses/{cid}/documents").json()
    more = next(d["id"] for d in documents if d["filename"] == MORE.name)
    succeeded(teacher, teacher.delete(f"/api/v1/courses/{cid}/documents/{more}"))
    assert outline_of(teacher, cid) == arranged
    assert texts_of(teacher, arranged) == texts


def test_an_untouched_course_regenerates_to_the_same_outline(any_stack: Stack) -> None:
    teacher, cid = new_course(any_stack, "Untouched")
    before = outline_of(teacher, cid)
    texts = texts_of(teacher, before)
    succeeded(teacher, teacher.post(f"/api/v1/courses/{cid}/regenerate", json={}))
    assert outline_of(teacher, cid) == before
    assert texts_of(teacher, before) == texts

    job = add_document(teacher, cid)
    grown = outline_of(teacher, cid)
    assert grown[: len(before)] == before  # the new document's modules come after, as generated
    assert [t for _, t, _ in grown] == [m["title"] for m in job["result"]["modules"]]


def test_regenerating_the_course_keeps_the_teachers_words(any_stack: Stack) -> None:
    teacher, cid = new_course(any_stack, "Edited")
    lesson_id = outline_of(teacher, cid)[0][2][0]
    own = "In my own words [1]."
    assert teacher.patch(f"/api/v1/lessons/{lesson_id}", json={"body": own}).status_code == 200
    quizzes = teacher.get(f"/api/v1/courses/{cid}/quizzes").json()
    assert len(quizzes) >= 2, quizzes
    edited_quiz, other_quiz = quizzes[0]["id"], quizzes[1]["id"]
    question = teacher.get(f"/api/v1/quizzes/{edited_quiz}").json()["questions"][0]
    assert teacher.patch(f"/api/v1/questions/{question['id']}", json={"prompt": "My own question?"}).status_code == 200

    def question_ids(quiz_id: str) -> list[str]:
        return [q["id"] for q in teacher.get(f"/api/v1/quizzes/{quiz_id}").json()["questions"]]

    others = question_ids(other_quiz)
    job = succeeded(teacher, teacher.post(f"/api/v1/courses/{cid}/regenerate", json={}))
    assert "kept 1 lesson and 1 quiz the teacher edited" in job["message"], job["message"]
    assert teacher.get(f"/api/v1/lessons/{lesson_id}").json()["body"] == own
    kept = teacher.get(f"/api/v1/quizzes/{edited_quiz}").json()["questions"][0]
    assert (kept["id"], kept["prompt"], kept["edited_by_teacher"]) == (question["id"], "My own question?", True)
    rewritten = question_ids(other_quiz)
    assert rewritten and set(rewritten).isdisjoint(others)  # everything else was written again

    # Named, both are written again, and their new questions start unedited.
    body = {"lesson_ids": [lesson_id], "quiz_ids": [edited_quiz]}
    succeeded(teacher, teacher.post(f"/api/v1/courses/{cid}/regenerate", json=body))
    assert teacher.get(f"/api/v1/lessons/{lesson_id}").json()["body"] != own
    again = teacher.get(f"/api/v1/quizzes/{edited_quiz}").json()["questions"]
    assert again[0]["id"] != question["id"] and not any(q["edited_by_teacher"] for q in again)

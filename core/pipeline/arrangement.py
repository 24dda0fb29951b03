"""Where a regenerated course's modules and lessons go: the teacher's arrangement, then the material's.

The rule, for the modules of a course and for the lessons of each module: what the teacher
placed keeps the teacher's order; everything else (new material, or a lesson whose
teacher-chosen module is gone) follows, in the material's order. A lesson the teacher placed
stays in the module the teacher put it in while that module exists; otherwise it goes back to
the module the material puts it in and counts as not placed. With nothing placed by the
teacher this is exactly the generated outline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from core.db.models.content import Lesson, Module

Row = TypeVar("Row", Module, Lesson)


def teacher_first(rows: Sequence[Row]) -> list[Row]:
    """`rows` in the material's order -> the teacher's placed rows (by their position), then the rest."""
    placed = sorted((r for r in rows if r.placed_by_teacher), key=lambda r: r.position)  # stable on ties
    return placed + [r for r in rows if not r.placed_by_teacher]


def arrange(generated: Sequence[tuple[Module, Sequence[Lesson]]]) -> None:
    """Set every module's position and every lesson's module and position.

    `generated`: the course's modules, each with the lessons the material puts in it, all in the
    material's order; the rows still carry their stored placement, which is read before any is set.
    """
    modules = teacher_first([module for module, _ in generated])
    members: dict[str, list[Lesson]] = {module.id: [] for module in modules}
    for module, lessons in generated:
        for lesson in lessons:
            if not (lesson.placed_by_teacher and lesson.module_id in members):
                lesson.module_id, lesson.placed_by_teacher = module.id, False
            members[lesson.module_id].append(lesson)
    for position, module in enumerate(modules):
        module.position = position
        for lesson_position, lesson in enumerate(teacher_first(members[module.id])):
            lesson.position = lesson_position

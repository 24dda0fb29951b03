"""Where regeneration puts modules and lessons (core/pipeline/arrangement.py): pure, on transient rows."""

from __future__ import annotations

from core.db.models.content import Lesson, Module
from core.pipeline.arrangement import arrange


def module(mid: str, position: int, placed: bool = False) -> Module:
    return Module(id=mid, course_id="c", position=position, title=mid, source_key=mid, placed_by_teacher=placed)


def lesson(lid: str, module_id: str, position: int, placed: bool = False) -> Lesson:
    return Lesson(id=lid, course_id="c", module_id=module_id, position=position, title=lid, placed_by_teacher=placed)


def outline(modules: list[Module], lessons: list[Lesson]) -> list[tuple[str, list[str]]]:
    ordered = sorted(modules, key=lambda m: m.position)
    assert [m.position for m in ordered] == list(range(len(ordered)))
    out = []
    for m in ordered:
        mine = sorted((x for x in lessons if x.module_id == m.id), key=lambda x: x.position)
        assert [x.position for x in mine] == list(range(len(mine)))
        out.append((m.id, [x.id for x in mine]))
    return out


def test_nothing_placed_gives_the_material_order() -> None:
    m1, m2 = module("m1", 7), module("m2", 3)  # stale positions are of no account
    a, b, c = lesson("a", "m2", 5), lesson("b", "m1", 0), lesson("c", "m1", 1)
    arrange([(m1, [a, b]), (m2, [c])])
    assert outline([m1, m2], [a, b, c]) == [("m1", ["a", "b"]), ("m2", ["c"])]
    assert not any(x.placed_by_teacher for x in (m1, m2, a, b, c))


def test_the_teachers_arrangement_is_kept_and_new_rows_follow_in_the_material_order() -> None:
    # The teacher put m2 before m1 and moved b into m2, first; n1 and new lesson d are new.
    m1, m2, n1 = module("m1", 1, True), module("m2", 0, True), module("n1", 2)
    a, b, c = lesson("a", "m1", 0, True), lesson("b", "m2", 0, True), lesson("c", "m2", 1, True)
    d, e = lesson("d", "m2", 2), lesson("e", "n1", 0)
    arrange([(m1, [a, b]), (m2, [c, d]), (n1, [e])])
    assert outline([m1, m2, n1], [a, b, c, d, e]) == [("m2", ["b", "c", "d"]), ("m1", ["a"]), ("n1", ["e"])]
    assert b.placed_by_teacher and not d.placed_by_teacher


def test_a_placed_lesson_whose_module_is_gone_goes_back_where_the_material_puts_it() -> None:
    m1 = module("m1", 0)
    a, b = lesson("a", "m1", 0, True), lesson("b", "gone", 0, True)
    arrange([(m1, [a, b])])
    assert outline([m1], [a, b]) == [("m1", ["a", "b"])]
    assert a.placed_by_teacher and not b.placed_by_teacher  # b is where the material put it now


def test_arranging_twice_changes_nothing() -> None:
    m1, m2 = module("m1", 1, True), module("m2", 0, True)
    a, b, c = lesson("a", "m2", 1, True), lesson("b", "m2", 0, True), lesson("c", "m1", 0)
    generated = [(m1, [a, c]), (m2, [b])]
    arrange(generated)
    first = outline([m1, m2], [a, b, c])
    arrange(generated)
    assert outline([m1, m2], [a, b, c]) == first == [("m2", ["b", "a"]), ("m1", ["c"])]

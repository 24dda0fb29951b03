"""The teacher console's reorder bodies (ui_teacher/ordering.py): pure functions of the outline."""

from __future__ import annotations

from typing import Any

import pytest

from ui_teacher.ordering import lesson_order, moved, moved_to_module

OUTLINE: list[dict[str, Any]] = [
    {"id": "m1", "title": "One", "lessons": [{"id": "a"}, {"id": "b"}, {"id": "c"}]},
    {"id": "m2", "title": "Two", "lessons": [{"id": "d"}]},
    {"id": "m3", "title": "Three", "lessons": []},
]


def test_moved_swaps_with_a_neighbour_and_stops_at_the_ends() -> None:
    assert moved(["a", "b", "c"], 0, 1) == ["b", "a", "c"]
    assert moved(["a", "b", "c"], 2, -1) == ["a", "c", "b"]
    assert moved(["a", "b", "c"], 0, -1) == ["a", "b", "c"]
    assert moved(["a", "b", "c"], 2, 1) == ["a", "b", "c"]


def test_lesson_order_lists_every_lesson_with_one_moved_in_its_module() -> None:
    assert lesson_order(OUTLINE, "m1", 1, 1) == {"m1": ["a", "c", "b"], "m2": ["d"], "m3": []}


def test_moved_to_module_puts_the_lesson_last_in_the_target() -> None:
    assert moved_to_module(OUTLINE, "b", "m2") == {"m1": ["a", "c"], "m2": ["d", "b"], "m3": []}
    assert moved_to_module(OUTLINE, "d", "m3") == {"m1": ["a", "b", "c"], "m2": [], "m3": ["d"]}


def test_moved_to_module_keeps_every_lesson_exactly_once() -> None:
    order = moved_to_module(OUTLINE, "a", "m3")
    listed = [x for ids in order.values() for x in ids]
    assert sorted(listed) == ["a", "b", "c", "d"] and set(order) == {"m1", "m2", "m3"}
    assert OUTLINE[0]["lessons"][0]["id"] == "a", "the outline itself is not changed"


def test_moved_to_module_refuses_unknown_ids() -> None:
    with pytest.raises(ValueError, match="module"):
        moved_to_module(OUTLINE, "a", "elsewhere")
    with pytest.raises(ValueError, match="lesson"):
        moved_to_module(OUTLINE, "z", "m2")

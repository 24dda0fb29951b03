"""Bodies for the outline's reorder route, computed from the outline the page shows.

The route (`POST /api/v1/courses/{id}/outline/reorder`) takes the order of every module, or of
every lesson of the course at once, per module: a lesson listed under another module moves there.
"""

from __future__ import annotations

from ui_teacher.api import Json


def moved(ids: list[str], index: int, step: int) -> list[str]:
    """`ids` with the item at `index` swapped with its neighbour `step` away (unchanged at an end)."""
    out = list(ids)
    other = index + step
    if 0 <= other < len(out):
        out[index], out[other] = out[other], out[index]
    return out


def current_order(modules: list[Json]) -> dict[str, list[str]]:
    return {m["id"]: [x["id"] for x in m.get("lessons") or []] for m in modules}


def lesson_order(modules: list[Json], module_id: str, index: int, step: int) -> dict[str, list[str]]:
    """Every lesson's place, with one moved up or down within its module."""
    order = current_order(modules)
    order[module_id] = moved(order[module_id], index, step)
    return order


def moved_to_module(modules: list[Json], lesson_id: str, target_id: str) -> dict[str, list[str]]:
    """Every lesson's place, with `lesson_id` taken out of its module and put last in `target_id`."""
    order = current_order(modules)
    if target_id not in order:
        raise ValueError(f"no module {target_id} in this outline")
    if not any(lesson_id in ids for ids in order.values()):
        raise ValueError(f"no lesson {lesson_id} in this outline")
    order = {module_id: [x for x in ids if x != lesson_id] for module_id, ids in order.items()}
    order[target_id].append(lesson_id)
    return order

from __future__ import annotations

from typing import Any

import msgspec

from backend.input_guard import control_character


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies refuse unknown fields (a typo gets a 400, not silence) and control
    characters in any text they hold (PostgreSQL refuses NUL; none belongs in a title)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            where = _first_control(getattr(self, name))
            if where is not None:
                raise ValueError(f"`{name}{where[0]}` holds a control character ({where[1]})")


def _first_control(value: Any, path: str = "") -> tuple[str, str] | None:
    """(path inside the value, U+XXXX) of the first control character in its text, keys included."""
    if isinstance(value, str):
        bad = control_character(value)
        return (path, bad) if bad else None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if (found := _first_control(item, f"{path}[{i}]")) is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            if (found := _first_control(key, f"{path} key")) is not None:
                return found
            if (found := _first_control(item, f"{path}.{key}")) is not None:
                return found
    return None


class ErrorDetail(msgspec.Struct):
    code: str
    message: str
    details: object | None = None


class ErrorOut(msgspec.Struct):
    error: ErrorDetail

"""milvus-lite search hits built without the vectors nobody asked for.

milvus-lite 3.x builds every hit of a search as a dict of all the columns of its row, the
384-float dense vector and the BM25 sparse vector included, each through pyarrow
`as_py()`, and only then keeps the output fields. For the tutor's searches (scalars and
text) that was ~45 % of the server's search CPU (py-spy, docs/benchmarks.md). Here the two
places that build those dicts (`Collection._search_sparse` and the dense path's
`execute_search_with_index`) leave out the vector columns a search's output fields do not
name; everything else is theirs, unchanged.

They are changed by rewriting one statement in each function's source and compiling it
again, which needs no copy of milvus-lite's code here. It is done only for the milvus-lite
version it was checked against (PINNED), only when each statement is found exactly as
expected (else PatchNotApplied), and only in the server process `MilvusLiteServer` starts
(tests/integration/test_lite_hits.py compares the hits with and without it).
"""

from __future__ import annotations

import inspect
import textwrap
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from core.patches import PatchNotApplied, require_version

PINNED = "3.2.2"  # the milvus-lite release whose functions this rewrites (requirements.lock)

# In Collection._search_sparse: a BM25 hit from an immutable segment.
_SPARSE_ROW = """\
                    record = {
                        name: tbl.column(name)[row_i].as_py()
                        for name in tbl.column_names
                        if name not in ("_seq", "_partition")
                    }"""
_SPARSE_ROW_NEW = """\
                    record = _profai_row(tbl, row_i, output_fields, ("_seq", "_partition"))"""

# In execute_search_with_index: a dense hit from an immutable segment.
_DENSE_ROW = """\
            return in_scope_segments[source_idx].row_to_dict(local_id)"""
_DENSE_ROW_NEW = """\
            return _profai_segment_row(in_scope_segments[source_idx], local_id, output_fields)"""


class _Columns:
    """One immutable segment table's columns, as a hit reads them.

    Small columns are converted to Python lists once (a hit then costs a list index instead
    of a pyarrow scalar per column); large ones (the chunk text) stay in the table and are
    converted one value at a time, so memory does not double."""

    LIST_BYTES = 8 << 20

    def __init__(self, table: Any) -> None:
        import pyarrow as pa

        kinds = (pa.types.is_list, pa.types.is_large_list, pa.types.is_fixed_size_list,
                 pa.types.is_binary, pa.types.is_large_binary)
        self.table = weakref.ref(table)
        self.names: list[str] = list(table.column_names)
        self.vectors = frozenset(f.name for f in table.schema if any(kind(f.type) for kind in kinds))
        self._lists: dict[str, list[Any] | None] = {}

    def value(self, table: Any, name: str, row_i: int) -> Any:
        values = self._lists.get(name, ...)
        if values is ...:
            column = table.column(name)
            small = name not in self.vectors and column.nbytes <= self.LIST_BYTES
            values = self._lists[name] = column.to_pylist() if small else None
        if values is None:
            return table.column(name)[row_i].as_py()
        return values[row_i]


_TABLES: dict[int, _Columns] = {}


def _columns(table: Any) -> _Columns:
    held = _TABLES.get(id(table))
    if held is not None and held.table() is table:  # the weak reference tells a reused id apart
        return held
    if len(_TABLES) > 1024:  # segments come and go with compaction
        _TABLES.clear()
    held = _TABLES[id(table)] = _Columns(table)
    return held


def _left_out(columns: _Columns, output_fields: Iterable[str] | None) -> frozenset[str]:
    """The vector columns a search may skip: all but those its output fields name.

    No output fields, or a wildcard, may return anything: then nothing is skipped."""
    if output_fields is None:
        return frozenset()
    named = set(output_fields)
    if any("*" in name for name in named):
        return frozenset()
    return columns.vectors - named


def row(table: Any, row_i: int, output_fields: Iterable[str] | None, exclude: tuple[str, ...]) -> dict[str, Any]:
    """The BM25 path's record, as milvus-lite builds it, less the vectors it will not return."""
    columns = _columns(table)
    skip = _left_out(columns, output_fields)
    return {name: columns.value(table, name, row_i) for name in columns.names
            if name not in exclude and name not in skip}


def segment_row(segment: Any, row_i: int, output_fields: Iterable[str] | None) -> dict[str, Any]:
    """`Segment.row_to_dict` (every column but _seq, then $meta's JSON on top), less the
    vectors the search will not return."""
    import json

    result = row(segment.table, row_i, output_fields, ("_seq",))
    meta_raw = result.get("$meta")
    if isinstance(meta_raw, str):
        try:
            meta = json.loads(meta_raw)
        except (json.JSONDecodeError, ValueError):
            meta = None
        if isinstance(meta, dict):
            result.update(meta)
    elif isinstance(meta_raw, dict):
        result.update(meta_raw)
    return result


def _rewritten(func: Callable[..., Any], old: str, new: str, extra: dict[str, Any]) -> Callable[..., Any]:
    """`func` compiled again from its source with `old` replaced by `new` (exactly once)."""
    source = inspect.getsource(func)
    if source.count(old) != 1:
        raise PatchNotApplied(f"search hits patch: {func.__qualname__} does not hold the statement to rewrite once")
    code = compile(textwrap.dedent(source.replace(old, new)), inspect.getsourcefile(func) or "<milvus-lite>", "exec")
    namespace = {**func.__globals__, **extra}  # the function's module globals, plus the helpers
    exec(code, namespace)  # milvus-lite's own source, one statement changed
    rewritten: Callable[..., Any] = namespace[func.__name__]
    rewritten.__qualname__ = func.__qualname__
    return rewritten


def install() -> None:
    """Rewrite both functions in this process; PatchNotApplied unless milvus-lite is PINNED
    and both statements are found as expected."""
    require_version("milvus-lite", PINNED, "search hits patch")
    from milvus_lite.engine import collection
    from milvus_lite.search import executor_indexed

    sparse = _rewritten(collection.Collection._search_sparse, _SPARSE_ROW, _SPARSE_ROW_NEW, {"_profai_row": row})
    dense = _rewritten(executor_indexed.execute_search_with_index, _DENSE_ROW, _DENSE_ROW_NEW,
                       {"_profai_segment_row": segment_row})
    collection.Collection._search_sparse = sparse  # type: ignore[method-assign]
    # Collection imports the function by name: both references are replaced.
    executor_indexed.execute_search_with_index = dense
    collection.execute_search_with_index = dense

"""Where a course's chunks live in the vector store: one of three layouts.

- `key` (a Milvus server): one collection, `course_id` its partition key; Milvus prunes by it.
- `collections` (milvus-lite, new stores): a collection per course, `<base>__c_<course id>`.
  milvus-lite never prunes by a partition key, and even in a named partition its BM25
  search first maps the latest version of every row of the whole collection (~30 % of a
  search at 20,000 rows, most of it at 100,000): a collection per course bounds each
  search by its course. The base collection then holds no rows; it marks the layout (a
  collection property) and keeps the schema every course collection is created with.
- `partitions` (milvus-lite stores made before): one collection, a named partition
  `c_<course id>` per course. Kept readable and writable as it is.

Searches filter by course id in every layout as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pymilvus import MilvusClient

LAYOUT_PROPERTY = "profai.layout"
COURSE_COLLECTIONS = "course-collections"


class Layout(StrEnum):
    KEY = "key"
    COLLECTIONS = "collections"
    PARTITIONS = "partitions"


@dataclass(frozen=True)
class Target:
    collection: str
    partitions: list[str] | None  # None: the whole collection


def course_suffix(course_id: str) -> str:
    # Names allow letters, digits and underscores; ids may hold '-'. Two ids that differ
    # only there would share a place, which the course filter still keeps apart.
    return "c_" + course_id.replace("-", "_")


class Placement:
    """Finds (and on writes, makes) the collection or partition of a course."""

    def __init__(self, client: MilvusClient, base: str, layout: Layout) -> None:
        self.client = client
        self.base = base
        self.layout = layout
        self.known: set[str] = set()  # collections or partitions known to exist

    def prefix(self) -> str:
        return f"{self.base}__"

    def target(self, course_id: str, create: bool = False, make: Callable[[str], None] | None = None) -> Target | None:
        """Where the course's chunks are; None when it has none (and `create` is False).

        `make(name)` creates a course collection (the store knows its schema)."""
        if self.layout is Layout.KEY:
            return Target(self.base, None)
        if self.layout is Layout.PARTITIONS:
            name = course_suffix(course_id)
            if not self._exists(name, create, lambda: self.client.create_partition(self.base, name)):
                return None
            return Target(self.base, [name])
        name = self.prefix() + course_suffix(course_id)
        if not self._exists(name, create, lambda: make(name) if make else None):
            return None
        return Target(name, None)

    def _exists(self, name: str, create: bool, create_it: Callable[[], object] | None) -> bool:
        if name in self.known:
            return True
        found = (
            self.client.has_partition(self.base, name)
            if self.layout is Layout.PARTITIONS
            else self.client.has_collection(name)
        )
        if not found:
            if not create:
                return False  # not remembered: the course may get chunks later
            try:
                if create_it is not None:
                    create_it()
            except Exception:
                if not self._exists(name, False, None):  # another process won the race
                    raise
        elif self.layout is Layout.COLLECTIONS:
            self.client.load_collection(name)  # a restarted milvus-lite serves loaded ones only
        self.known.add(name)
        return True

    def forget(self, course_id: str) -> None:
        self.known.discard(self.prefix() + course_suffix(course_id))

    def course_collections(self) -> list[str]:
        """Every course collection of this base (layout `collections`)."""
        if self.layout is not Layout.COLLECTIONS:
            return []
        return sorted(c for c in self.client.list_collections() if c.startswith(self.prefix()))

    def all_collections(self) -> list[str]:
        """Every collection holding this store's rows."""
        return self.course_collections() if self.layout is Layout.COLLECTIONS else [self.base]

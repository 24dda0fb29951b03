"""Every change this project makes to a dependency's internals, one module per patch.

A patch is applied only to the exact version it was written and tested against, the one
pinned in requirements.lock (`PINNED` in each module; tests/unit/test_patches.py checks the
two agree). Any other installed version, or internals that are not as expected, raise
`PatchNotApplied` when the process starts, instead of running unpatched (and, for the
milvus-lite ones, about twice as slow) without anyone noticing. PROFAI_PATCHES_OFF=1 runs
everything unpatched on purpose (to compare, or to try a newer dependency).

- milvus_lite_bm25: a vectorised BM25 scorer for the milvus-lite server.
- milvus_lite_hits: milvus-lite search hits built without unrequested vector columns.
- milvus_lite_keepalive: milvus-lite's gRPC server accepts pymilvus's keepalive pings.
- unstructured_nlp: unstructured's sentence splitter without a model download.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version


class PatchNotApplied(RuntimeError):
    """A patch could not be applied: the dependency is not the version it was made for, or
    its internals are not as expected."""


def patches_off() -> bool:
    """PROFAI_PATCHES_OFF=1: run every dependency as it is."""
    return os.environ.get("PROFAI_PATCHES_OFF", "").strip().lower() not in ("", "0", "false", "no")


def require_version(distribution: str, pinned: str, patch: str) -> None:
    """Raise PatchNotApplied unless `distribution` is installed at exactly `pinned`."""
    try:
        installed = version(distribution)
    except PackageNotFoundError as exc:
        raise PatchNotApplied(f"{patch}: {distribution} is not installed") from exc
    if installed != pinned:
        raise PatchNotApplied(
            f"{patch}: written for {distribution}=={pinned} (requirements.lock), {installed} is installed; "
            "check the patch against it and update PINNED, or set PROFAI_PATCHES_OFF=1 to run unpatched"
        )

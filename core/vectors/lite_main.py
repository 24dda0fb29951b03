"""`python -m core.vectors.lite_main server ...`: milvus-lite's own CLI with our patches.

The server process `MilvusLiteServer` starts (core/vectors/lite_server.py). The patches
(core/patches/milvus_lite_*.py) are applied before milvus-lite starts; one that does not apply
stops the server with the reason (PatchNotApplied), unless PROFAI_PATCHES_OFF=1.
PROFAI_LITE_HITS=0 leaves out only the search-hits rewrite.
"""

from __future__ import annotations

import os
import sys

from core.patches import PatchNotApplied, milvus_lite_bm25, milvus_lite_hits, milvus_lite_keepalive, patches_off


def apply_patches() -> list[str]:
    """Apply the milvus-lite patches; the names of those applied."""
    if patches_off():
        return []
    milvus_lite_keepalive.install()
    milvus_lite_bm25.install()
    applied = ["keepalive", "bm25"]
    if os.environ.get("PROFAI_LITE_HITS", "1") != "0":
        milvus_lite_hits.install()
        applied.append("hits")
    return applied


def main() -> int:
    from milvus_lite.cmdline import main as milvus_lite_main

    try:
        apply_patches()
    except PatchNotApplied as exc:
        print(f"milvus-lite server not started: {exc}", file=sys.stderr)
        return 3
    return int(milvus_lite_main() or 0)


if __name__ == "__main__":
    raise SystemExit(main())

"""unstructured's sentence splitter without spaCy's model download (patch: see __init__.py).

unstructured 0.27.35 loads spaCy's `en_core_web_sm` in `unstructured.nlp.tokenize._get_nlp` and
downloads it on first use (offline, DOCX/PPTX then raise). A blank English pipeline with a
sentencizer splits sentences the same way and leaves titles from heading styles and HTML
tags unaffected; without a tagger `contains_verb` is always False, so verbless-looking
sentences come back as titles, which core/ingestion/office.py `_looks_like_heading` undoes.
"""

from __future__ import annotations

import functools
from typing import Any

from core.patches import PatchNotApplied, patches_off, require_version

PINNED = "0.27.35"  # the unstructured release whose tokenize module this replaces (requirements.lock)


def blank_english() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def install() -> None:
    """Replace `_get_nlp` in this process (a parser's child process calls this before parsing)."""
    if patches_off():
        return
    require_version("unstructured", PINNED, "unstructured sentence splitter patch")
    from unstructured.nlp import tokenize

    current = getattr(tokenize, "_get_nlp", None)
    if current is None:
        raise PatchNotApplied("unstructured sentence splitter patch: unstructured.nlp.tokenize has no _get_nlp")
    if getattr(current, "profai_offline", False):
        return
    # One pipeline per process, like unstructured's own lru_cache around _get_nlp.
    patched: Any = functools.lru_cache(maxsize=1)(blank_english)
    patched.profai_offline = True
    tokenize._get_nlp = patched

"""Entry point of the parse stage: detect the type, dispatch, and bound time and memory.

`parse_document` runs the parser in a fresh child process ("spawn": nothing of the caller's
threads, locks or open stores is inherited) so a pathological file can be killed at the
deadline or hit its memory cap without harming the worker that asked. `parse_document_inline`
is the same work in-process, for tests and callers that need no isolation.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from multiprocessing.connection import Connection
from pathlib import Path

from core.ingestion.filetypes import detect_type
from core.ingestion.types import ParsedDocument, ParseError, Section

_MEMORY_MESSAGE = "the file needs too much memory to parse"
_MEMORY_EXIT = 86  # the child's exit code when it could not even report its MemoryError
_MB = 1024 * 1024


def parse_document_inline(path: Path, filename: str, *, max_pages: int) -> ParsedDocument:
    kind = detect_type(path, filename)
    title = Path(filename).stem
    # parsers are imported on demand: unstructured (and spaCy) take a second to import and
    # a PDF never needs them
    if kind == "pdf":
        from core.ingestion.pdf import parse_pdf

        doc = parse_pdf(path, max_pages=max_pages, fallback_title=title)
    else:
        from core.ingestion.office import parse_office

        doc = parse_office(path, kind, max_pages=max_pages, fallback_title=title)
    _finish_sections(doc.sections, doc.title)
    if not any(s.paragraphs for s in doc.sections):
        raise ParseError("no extractable text")
    return doc


def parse_document(
    path: Path,
    filename: str,
    *,
    max_pages: int,
    timeout_seconds: float,
    max_memory_mb: int = 1536,
) -> ParsedDocument:
    """Parse in a child process; ParseError for bad files and for breaking the time or memory limit."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child_main,
        args=(sender, str(path), filename, max_pages, max_memory_mb),
        name="profai-parse",
        daemon=True,
    )
    child.start()
    sender.close()  # so that the child's death reads as EOF here
    try:
        if not receiver.poll(timeout_seconds):
            raise ParseError(f"parsing took longer than {timeout_seconds:g}s")
        try:
            status, payload = receiver.recv()
        except EOFError:
            child.join(5)
            raise _death_error(child.exitcode) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if status == "ok" and isinstance(payload, ParsedDocument):
        return payload
    raise ParseError(str(payload))


def _death_error(exitcode: int | None) -> ParseError:
    # under RLIMIT_AS a failed C/C++ allocation aborts; the kernel's OOM killer sends SIGKILL
    if exitcode in (_MEMORY_EXIT, -signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
        return ParseError(_MEMORY_MESSAGE)
    return ParseError(f"the parser stopped unexpectedly on this file (exit code {exitcode})")


def _child_main(conn: Connection, path: str, filename: str, max_pages: int, max_memory_mb: int) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # no thread pools reserving address space
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        # import before capping memory: the cap is for the file's data, not for the libraries
        kind = detect_type(Path(path), filename)
        if kind == "pdf":
            import core.ingestion.pdf  # noqa: F401
        else:
            from core.ingestion.office import preload

            preload(kind)
        limit = max_memory_mb * _MB
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        result: tuple[str, object] = ("ok", parse_document_inline(Path(path), filename, max_pages=max_pages))
    except ParseError as exc:
        result = ("error", str(exc))
    except MemoryError:
        result = ("error", _MEMORY_MESSAGE)
    except Exception as exc:  # noqa: BLE001 - any library failure is a file we can't read
        result = ("error", f"the file could not be parsed ({type(exc).__name__})")
    try:
        conn.send(result)
    except MemoryError:
        os._exit(_MEMORY_EXIT)
    finally:
        conn.close()


def _finish_sections(sections: list[Section], doc_title: str) -> None:
    """Tidy titles and give each section the chain of titles enclosing it (outermost first)."""
    stack: list[Section] = []
    for section in sections:
        section.title = " ".join(section.title.split())
        if section.level <= 0:
            section.title = section.title or doc_title
            section.path = (section.title,) if section.title else ()
            continue
        while stack and stack[-1].level >= section.level:
            stack.pop()
        stack.append(section)
        section.path = tuple(s.title for s in stack)

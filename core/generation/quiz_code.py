"""Code-reading questions: an interactive example from the material and what it prints.

The material states the output (a `>>>` session with its printed result), so the answer is
certain. Wrong options are printed results of the same shape: what the same session printed
at another step, what other examples printed, or a near variant (a list missing an item, a
number one off), never equal to the answer.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.generation.extractive import CourseIndex
from core.ingestion.types import Chunk, Citation, QuestionDraft

PROMPT = "What does the last line of this example print?"
_UNSTABLE = re.compile(r"\b(?:random|time|date|datetime|input|id|open|os|sys|glob|urlopen|getcwd|hash)\b")
_MAX_OUTPUT = 70
_MAX_LINES = 7


@dataclass
class Example:
    chunk: Chunk
    code: list[str]  # the session up to the statement, earlier outputs included
    output: str
    shape: str
    session: int  # examples of one session share it


def shape_of(output: str) -> str:
    try:
        value = ast.literal_eval(output)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return "text"
    if isinstance(value, bool) or value is None:
        return "bool"
    return type(value).__name__  # int, float, str, list, tuple, dict, set, complex, bytes


def examples(chunks: Sequence[Chunk]) -> list[Example]:
    """Every `>>>` statement whose single printed line follows it, with the session before it."""
    out: list[Example] = []
    session = 0
    for chunk in chunks:
        lines = [ln.rstrip() for ln in chunk.text.splitlines() if ln.strip()]
        start: int | None = None
        for i, line in enumerate(lines):
            s = line.lstrip()
            if not s.startswith((">>>", "...")) and (start is None or _is_prose(s)):
                start = None
                continue
            if start is None:
                if not s.startswith(">>>"):
                    continue
                start, session = i, session + 1
            if not s.startswith(">>>"):
                continue
            nxt = lines[i + 1].lstrip() if i + 1 < len(lines) else ""
            after = lines[i + 2].lstrip() if i + 2 < len(lines) else ">>>"
            if not nxt or nxt.startswith((">>>", "...")) or _is_prose(nxt) or not _ends_output(after):
                continue
            code = lines[max(start, i - _MAX_LINES + 1) : i + 1]
            if not code[0].lstrip().startswith(">>>"):
                continue
            output = nxt.strip()
            if _usable(code, output):
                out.append(Example(chunk, code, output, shape_of(output), session))
    return out


def _is_prose(line: str) -> bool:
    words = line.split()
    return len(words) >= 6 and line[0].isupper() and sum(w.isalpha() for w in words) >= 0.7 * len(words)


def _ends_output(line: str) -> bool:
    """The output is one line: what follows is the next statement or prose."""
    return line.startswith((">>>", "...")) or _is_prose(line) or not line


def _usable(code: list[str], output: str) -> bool:
    text = "\n".join(code)
    if not 1 <= len(output) <= _MAX_OUTPUT or output.startswith(("Traceback", "<")) or "0x" in output:
        return False
    if re.search(r"\b\w*(?:Error|Exception)\b", output) or _UNSTABLE.search(text) or "Traceback" in text:
        return False
    statement = code[-1].lstrip()[3:].strip()
    if not _self_contained(code) or not _outputs_kept(code):
        return False
    if shape_of(statement) != "text":
        return False  # a bare literal echoed back
    return output not in statement  # `>>> 'spam'` printing 'spam' tests nothing


def _outputs_kept(code: list[str]) -> bool:
    """Every earlier expression that prints has its printed line: extraction can drop a line that
    is a bare number (taken for a page number), and a session missing one is not as printed."""
    for i, line in enumerate(code[:-1]):
        s = line.lstrip()
        if not s.startswith(">>>") or code[i + 1].lstrip().startswith(("...",)):
            continue
        try:
            tree = ast.parse(s[3:].strip())
        except SyntaxError:
            continue
        node = tree.body[0] if len(tree.body) == 1 else None
        if not isinstance(node, ast.Expr):
            continue
        quiet = isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
        if not quiet and code[i + 1].lstrip().startswith(">>>"):
            return False
    return True


def _self_contained(code: list[str]) -> bool:
    """Every name the statements read is defined by the shown statements or is a builtin."""
    source = "\n".join(ln.lstrip()[4:] for ln in code if ln.lstrip().startswith((">>>", "...")))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            stored |= {(a.asname or a.name).split(".")[0] for a in node.names}
            if any(a.name == "*" for a in node.names):
                return True  # from decimal import *: can't tell
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded <= stored | set(dir(builtins))


def _variants(answer: str, shape: str) -> list[str]:
    """Near misses of the printed value; only reorderings that change the value (never sets)."""
    try:
        value = ast.literal_eval(answer)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return []
    if shape == "int":
        return [str(value + 1), str(value - 1), str(value * 2)]
    if shape == "float":
        return [repr(value + 1), repr(value - 1), repr(value * 2)]
    if shape in ("list", "tuple") and len(value) >= 2:
        kind = list if shape == "list" else tuple
        items = list(value)
        out = [kind(items[::-1]), kind(items[:-1]), kind(items[1:])]
        return [repr(v) for v in out if v != value and (len(v) != 1 or shape == "list")]
    return []


def code_question(ex: Example, pool: Sequence[Example], index: CourseIndex, seed: int) -> QuestionDraft | None:
    if ex.shape in ("bool", "text", "bytes", "complex"):
        return None
    block = "\n".join([*ex.code, ex.output])
    hit = index.locate(ex.chunk.document_id, block, ex.chunk.page_start, ex.chunk.page_end)
    if hit is None:
        return None
    norm = " ".join(ex.output.split())
    wrong: list[str] = []
    same_session = [e.output for e in pool if e.session == ex.session and e.shape == ex.shape]
    others = [
        e.output for e in pool
        if e.session != ex.session and e.shape == ex.shape and 0.5 <= len(e.output) / len(ex.output) <= 2
    ]
    others = others[seed % len(others) :] + others[: seed % len(others)] if others else []
    for option in [*same_session, *_variants(ex.output, ex.shape), *others]:
        text = " ".join(option.split())
        # Options that differ only in case read as the same answer to a student skimming them.
        if text.lower() != norm.lower() and text.lower() not in {w.lower() for w in wrong} and len(text) <= _MAX_OUTPUT:
            wrong.append(text)
        if len(wrong) == 3:
            break
    if len(wrong) < 3:
        return None
    page, quote = hit
    code = "\n".join(ex.code)
    return QuestionDraft(
        prompt=f"{PROMPT}\n{code}",
        options=[norm, *wrong],
        answer_index=0,
        explanation=f'It prints {norm}. On page {page}: "{quote}"',
        citation=Citation(ex.chunk.document_id, page, quote),
        kind="code_output",
    )

"""Lessons that teach: the section's own content as cited markdown, code as printed, formulas
as the page shows them, no running heads; and the text extraction underneath."""

from __future__ import annotations

import re
from functools import cache

import pytest

from core.generation.grounding import content_words, ground, support
from core.generation.lesson_text import LESSON_WORDS, write_structured_lesson
from core.generation.outline import build_outline
from core.ingestion import tex_glyphs
from core.ingestion.chunking import chunk_document
from core.ingestion.line_text import code_block, join_lines, vocabulary
from core.ingestion.parser import parse_document_inline
from core.ingestion.types import Chunk, LessonDraft, LessonText, Paragraph, ParsedDocument, Section
from tests.fixtures_path import FIXTURES

DOCUMENTS = [
    "python-tutorial-3.11.pdf",
    "nlp_11-transformers.pdf",
    "pdflatex-outline.pdf",
    "input-output.md",
    "errors-and-exceptions.docx",
    "data-structures.pptx",
    "discrete-maths-notes.pdf",  # pdflatex, Computer Modern maths
    "lshort-6.4.pdf",  # a LaTeX textbook: listings, formulas, running heads with page numbers
]
_FENCED = re.compile(r"(?ms)^(`{3,})(\w*)\n(.*?)\n\1$")
_MARKER = re.compile(r"(?:^|(?<=\s))\[(\d+)\](?=\s|$)")


def norm(text: str) -> str:
    return " ".join(text.lower().split())


@cache
def parsed(name: str) -> tuple[ParsedDocument, list[Chunk]]:
    path = FIXTURES / name
    doc = parse_document_inline(path, name, max_pages=2000)
    return doc, chunk_document(doc, document_id=name, course_id="course")


@cache
def lessons(name: str) -> list[tuple[LessonDraft, LessonText]]:
    doc, chunks = parsed(name)
    pages = {name: doc.pages}
    drafts = [lesson for module in build_outline([(name, doc, chunks)]) for lesson in module.lessons]
    return [(draft, write_structured_lesson(draft, pages=pages)) for draft in drafts]


def lesson_titled(name: str, title: str) -> LessonText:
    return next(text for draft, text in lessons(name) if draft.title == title)


def code_blocks(body: str) -> list[str]:
    return [m.group(3) for m in _FENCED.finditer(body)]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_paragraph_is_cited_and_every_quote_is_on_its_page(name: str) -> None:
    doc, _chunks = parsed(name)
    written = lessons(name)
    assert written
    for _draft, lesson in written:
        prose = _FENCED.sub("", lesson.body)  # code is shown verbatim: markers only outside it
        assert [int(n) for n in _MARKER.findall(prose)] == list(range(1, len(lesson.citations) + 1))
        for citation in lesson.citations:
            assert norm(citation.quote) in norm(doc.pages[citation.page - 1]), (citation.page, citation.quote)
        for block in re.split(r"\n\s*\n", _FENCED.sub("[code]", lesson.body)):
            block = block.strip()
            if not block or block.startswith(("### ", "**Key points**", "*The section goes on")):
                continue
            for line in block.splitlines() if block.startswith("- ") else [block]:
                assert _MARKER.search(line), (name, line)  # every paragraph and item carries its citation
        assert "\ufffe" not in lesson.body
        assert not re.search(r"(?m)^\s*[•■▪◦]", lesson.body)  # list glyphs became markdown items
        assert len(lesson.body.split()) <= LESSON_WORDS + 600  # key points and the last block on top of the cap


@pytest.mark.parametrize("name", DOCUMENTS)
def test_lessons_repeat_no_paragraph_of_the_chunk_overlap(name: str) -> None:
    for _draft, lesson in lessons(name):
        body = lesson.body.split("\n\n", 1)[1] if lesson.body.startswith("**Key points**") else lesson.body
        paragraphs = [_MARKER.sub("", p).strip() for p in body.split("\n\n")]
        # prose only: a textbook may show one formula twice on purpose
        long = [p for p in paragraphs if sum(len(w) > 2 and w.isalpha() for w in p.split()) >= 10 and "```" not in p]
        assert len(long) == len(set(long)), [p for p in long if long.count(p) > 1][:1]


def test_tutorial_listing_keeps_its_lines_and_indentation() -> None:
    lesson = lesson_titled("python-tutorial-3.11.pdf", "Defining Functions")
    fib = next(code for code in code_blocks(lesson.body) if "def fib(n):" in code)
    assert fib.splitlines()[:7] == [
        ">>> def fib(n):    # write Fibonacci series up to n",
        '...     """Print a Fibonacci series up to n."""',
        "...     a, b = 0, 1",
        "...     while a < n:",
        "...         print(a, end=' ')",
        "...         a, b = b, a+b",
        "...     print()",
    ]
    assert "```python\n>>> def fib(n):" in lesson.body
    # the prose around the listing is there too, in the source's order
    at = lesson.body.index("def fib(n):")
    assert lesson.body.index("We can create a function that writes the Fibonacci series") < at
    assert at < lesson.body.index("The keyword def introduces a function definition")
    assert lesson.body.startswith("**Key points**\n\n- ")


def test_a_session_cut_by_a_page_break_is_one_listing_with_its_output() -> None:
    body = "\n".join(text.body for _d, text in lessons("python-tutorial-3.11.pdf"))
    # "20" tops page 7: output in the code font, not a page number; the two pages' parts are one block
    assert ">>> 50 - 5*6\n20\n>>> (50 - 5*6) / 4\n5.0" in body


def test_tutorial_script_listing_keeps_blank_lines_and_nesting() -> None:
    doc, _chunks = parsed("python-tutorial-3.11.pdf")
    listing = next(
        p.text for s in doc.sections for p in s.paragraphs if p.kind == "code" and "def scope_test():" in p.text
    )
    assert '    def do_local():\n        spam = "local spam"\n\n    def do_nonlocal():' in listing
    assert 'print("After nonlocal assignment:", spam)' in listing


def test_tutorial_prose_is_not_code_and_urls_are_whole() -> None:
    doc, _chunks = parsed("python-tutorial-3.11.pdf")
    text = "\n".join(p.text for s in doc.sections for p in s.paragraphs if p.kind == "text")
    assert "The keyword def introduces a function definition." in text
    assert not re.search(r"(?:https?://|www\.)\S*[./]\s+[a-z]\S*\.", text)  # no "wiki. python.org"
    assert "https://docs.python.org: Fast access to Python’s documentation." in text


def test_textbook_drops_running_heads_and_keeps_latex_listings() -> None:
    doc, _chunks = parsed("lshort-6.4.pdf")
    heads = [
        ln
        for page in doc.pages
        for ln in page.splitlines()
        if re.fullmatch(r"\d+ Typesetting Mathematical Formulae", ln)
    ]
    assert not heads
    assert not any(re.fullmatch(r"3\.2 Single Equations \d+", ln) for page in doc.pages for ln in page.splitlines())
    listings = [p.text for s in doc.sections for p in s.paragraphs if p.kind == "code"]
    assert any("\\begin{equation}\n   a^2 + b^2 = c^2\n \\end{equation}" in code for code in listings)


def test_pdflatex_formulas_read_as_printed() -> None:
    doc, _chunks = parsed("discrete-maths-notes.pdf")
    text = " ".join(" ".join(doc.pages).split())
    assert "6=" not in text and "\u0338" not in text
    assert "(1, 2) ≠ (2, 1)" in text
    assert "x ∉ A otherwise" in text
    assert "{1, 2, 3} = {3, 1, 2}" in text  # CMSY braces are braces
    assert "1 ≤ 2 while 2 ≰ 1" in text
    assert "If n is an odd integer, then n² is odd." in text  # the superscript back in its line
    assert "A = B ⟺ (A ⊆ B and B ⊆ A)" in text
    body = "\n".join(lesson.body for _d, lesson in lessons("discrete-maths-notes.pdf"))
    assert "≠" in body and "∈" in body and "6=" not in body


def test_slides_keep_angle_brackets_and_bullets() -> None:
    doc, _chunks = parsed("nlp_11-transformers.pdf")
    assert "For a w = ⟨ w 1, . . . , wₙ ⟩ input token sequence" in " ".join(" ".join(doc.pages).split())
    lesson = next(text for _d, text in lessons("nlp_11-transformers.pdf") if "Word embedding limitations" in text.body)
    assert "- Context independence: One surface form has only one representation." in lesson.body
    # The slide titled "... cont." goes on under its slide's heading, not a second one.
    assert lesson.body.count("### Word embedding limitations\n") == 1


def test_markdown_docx_and_pptx_code_is_fenced() -> None:
    md = "\n".join(lesson.body for _d, lesson in lessons("input-output.md"))
    assert "```python\n>>> year = 2016\n>>> event = 'Referendum'\n" in md
    docx = "\n".join(lesson.body for _d, lesson in lessons("errors-and-exceptions.docx"))
    assert "\nraise ValueError  # shorthand for 'raise ValueError()'\n```" in docx
    assert any(code.startswith(">>> while True:\n...     try:\n") for code in code_blocks(docx))
    pptx_doc, _chunks = parsed("data-structures.pptx")
    assert any(p.kind == "code" and "\n" in p.text for s in pptx_doc.sections for p in s.paragraphs)


def test_long_sections_are_capped_with_a_pointer_to_the_rest() -> None:
    texts = [
        " ".join(
            f"Page {page} says the tuple number {page * 12 + i} is immutable and can be shared safely."
            for i in range(12)
        )
        for page in range(1, 41)
    ]
    sections = [Section("Tuples", 1, [Paragraph(text, page) for page, text in enumerate(texts, 1)], ("Tuples",))]
    doc = ParsedDocument("Long", 40, texts, sections, has_outline=True)
    chunks = chunk_document(doc, document_id="d", course_id="c")
    lesson = write_structured_lesson(LessonDraft("Tuples", chunks), pages={"d": doc.pages}, max_words=600)
    assert 400 <= len(lesson.body.split()) <= 700  # whole blocks, in order, up to the cap
    assert lesson.body.rstrip().endswith("*")
    assert "The section goes on in the source, pages" in lesson.body


# --- the pieces -------------------------------------------------------------------------


def test_line_joins_repair_urls_and_hyphenation_but_keep_compounds() -> None:
    vocab = vocabulary(["a built-in function", "for example", "the interpreter"])
    assert (
        join_lines(["see https://wiki.", "python.org/moin for more"], vocab)
        == "see https://wiki.python.org/moin for more"
    )
    assert join_lines(["for exam-", "ple"], vocab) == "for example"
    assert join_lines(["a built-", "in function"], vocab) == "a built-in function"
    assert join_lines(["visit https://x.org.", "Then go"], vocab) == "visit https://x.org. Then go"
    assert join_lines(["one", "two"], vocab, sep="\n") == "one\ntwo"


def test_code_block_puts_words_on_their_columns() -> None:
    rows = [
        (((10.0, "def"), (34.0, "f():")), "def f():", 100.0, 10.0, 6.0),
        (((34.0, "return"), (76.0, "1")), "return 1", 124.0, 10.0, 6.0),  # a blank line above
        (((10.0, "f()"),), "f()", 136.0, 10.0, 6.0),
    ]
    assert code_block(rows) == "def f():\n\n    return 1\nf()"


def test_tex_math_glyphs_from_font_and_code() -> None:
    def fix(*chars: tuple[str, str]) -> str:
        return tex_glyphs.fix_chars([(ch, font, 0.0) for ch, font in chars])

    assert (
        fix(("x", "CMMI10"), (" ", ""), ("6", "ABCDEF+CMSY10"), ("=", "CMR10"), (" ", ""), ("y", "CMMI10")) == "x ≠ y"
    )
    assert fix(("h", "CMSY10"), ("w", "CMMI12"), ("i", "CMSY10")) == "⟨w⟩"
    assert fix(("x", "CMMI10"), ("/", "CMMI10"), ("∈", "CMSY10")) == "x∉"
    assert fix(("{", "CMSY10"), ("1", "CMR10"), ("}", "CMSY10")) == "{1}"
    assert fix(("6", "CMR10"), ("=", "CMR10")) == "6="  # a digit in a text font stays a digit
    assert fix(("⇐", "CMSY10"), ("⇒", "CMSY10")) == "⟺"
    raised = tex_glyphs.fix_chars([("x", "CMMI10", 0.0), (" ", "", 0.0), ("2", "CMR7", 0.4)])
    assert raised == "x²"


def test_chunks_fence_code_and_cut_long_listings_between_lines() -> None:
    code = "\n".join(f"    value_{i} = compute(value_{i - 1}, factor={i})" for i in range(1, 80))
    doc = ParsedDocument(
        "Code",
        1,
        ["x"],
        [Section("S", 1, [Paragraph("Some prose before the listing.", 1), Paragraph(code, 1, "code")], ("S",))],
    )
    chunks = chunk_document(doc, document_id="d", course_id="c", target_tokens=200, overlap_tokens=20)
    assert len(chunks) > 2
    for chunk in chunks:
        for m in _FENCED.finditer(chunk.text):
            assert all(line.startswith("    value_") for line in m.group(3).splitlines())
        assert chunk.text.count("```") % 2 == 0


# --- the LLM path's filter --------------------------------------------------------------

PASSAGES = [
    "A tuple consists of a number of values separated by commas. Tuples are immutable.\n\n"
    "```\n>>> t = 12345, 54321, 'hello!'\n>>> t[0]\n12345\n```",
    "A set is an unordered collection with no duplicate elements.",
]


def test_grounding_drops_what_the_passages_do_not_say() -> None:
    body = (
        "A tuple consists of values separated by commas [1]. Tuples were invented in 1970 by Niklaus Wirth at ETH [1]. "
        "Sets have no duplicate elements.\n\n"
        "```python\n>>> t = 12345, 54321, 'hello!'\n>>> t[0]\n12345\n```\n\n"
        "```python\n>>> t = (1, 2)\n>>> t.append(3)\n```\n\n"
        "- A set is an unordered collection [2]\n- Sets are sorted automatically and stored in a tree [2]"
    )
    out = ground(body, PASSAGES)
    assert "A tuple consists of values separated by commas [1]." in out
    assert "Niklaus Wirth" not in out  # cites [1], which says nothing of the sort
    assert "Sets have no duplicate elements. [2]" in out  # uncited but grounded: cited to its passage
    assert "```\n>>> t = 12345, 54321, 'hello!'\n>>> t[0]\n12345\n```" in out  # the source's listing, verbatim
    assert "t.append(3)" not in out  # code the material does not contain
    assert "- A set is an unordered collection [2]" in out and "tree" not in out


def test_grounding_restores_source_code_a_model_reformatted() -> None:
    out = ground("```\n>>> t = 12345,54321, 'hello!'\n>>> t[0]\n12345\n```", PASSAGES)
    assert out == "```\n>>> t = 12345, 54321, 'hello!'\n>>> t[0]\n12345\n```"


def test_support_counts_content_words_with_light_stemming() -> None:
    passage = content_words("A function may return a value; it returned two values.")
    assert support("The function returns values [1].", passage) == 1.0
    assert support("Returning functions return values.", passage) == 1.0
    assert support("Dragons breathe fire.", {"function"}) == 0.0


def test_a_listing_parsed_by_an_earlier_version_still_shows_as_code() -> None:
    """Documents indexed before code was fenced keep their parse: their listings are lines, unfenced."""
    text = (
        "We can create a function that writes the Fibonacci series to an arbitrary boundary:\n\n"
        ">>> def fib(n): # write Fibonacci series up to n\n... a, b = 0, 1\n... while a < n:\n\n"
        "The keyword def introduces a function definition."
    )
    chunk = Chunk("c1", "d", "k", 0, "Functions", 1, 1, text)
    body = write_structured_lesson(LessonDraft("Functions", [chunk]), pages={"d": [text]}).body
    assert (
        "```python\n>>> def fib(n): # write Fibonacci series up to n\n... a, b = 0, 1\n... while a < n:\n```\n[2]"
        in body
    )
    assert body.endswith("The keyword def introduces a function definition. [3]")

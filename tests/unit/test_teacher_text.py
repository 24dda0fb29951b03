"""The teacher console's escaping: user text means its own characters; lesson bodies lose only danger."""

from __future__ import annotations

from markdown_it import MarkdownIt

from ui_teacher.text import esc, lesson_markdown

MD = MarkdownIt("commonmark")


def tokens(markdown: str) -> list[str]:
    """Every inline token type the Markdown makes, and the href of every link."""
    found: list[str] = []
    for block in MD.parse(markdown):
        for child in block.children or []:
            found.append(child.type)
            if child.type == "link_open":
                found.append(f"href={child.attrs.get('href')}")
    return found


def test_escaped_text_is_only_text() -> None:
    hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) ![p](http://evil/x.png) :red[big] **b** $x$"
    assert MD.render(esc(hostile)).strip() == (
        "<p>&lt;img src=x onerror=alert(1)&gt; [click](javascript:alert(1)) ![p](http://evil/x.png) "
        ":red[big] **b** $x$</p>"
    )
    assert esc("a\nb\t c") == "a b c" and esc(None) == ""
    for heading_or_list in ("# big", "- item", "1. item", "> quote"):
        assert MD.render(esc(heading_or_list)).strip() == f"<p>{heading_or_list.replace('>', '&gt;')}</p>"
    # Ordinary text keeps its characters, so messages read (and compare) the same.
    assert esc("the API is unreachable at http://127.0.0.1:8000 (try again).") == (
        "the API is unreachable at http://127.0.0.1:8000 (try again)."
    )


def test_lesson_keeps_formatting_and_safe_links() -> None:
    body = "# Title\n\nSome **bold**, a [site](https://example.org) and <https://example.org/x>.\n"
    assert lesson_markdown(body) == body
    assert "href=https://example.org" in tokens(lesson_markdown(body))


def test_lesson_drops_images_html_and_script_links() -> None:
    body = (
        "Look ![a cat](http://evil.example/track.png) here.\n\n"
        "[run me](javascript:alert(1)) and [ref link][r] and <javascript:alert(2)>\n\n"
        "[r]: javascript:alert(3)\n\n"
        "<script>alert(4)</script><img src=x onerror=alert(5)>\n"
    )
    out = lesson_markdown(body)
    kinds = tokens(out)
    assert "image" not in kinds and "html_inline" not in kinds and "link_open" not in kinds, kinds
    assert all(t.type != "html_block" for t in MD.parse(out))
    rendered = MD.render(out)
    assert "[image: a cat]" in rendered and "run me" in rendered
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in rendered and "<script" not in rendered


def test_code_and_maths_are_left_alone() -> None:
    body = "Use `a < b` or $a < b$ and\n\n```python\nif a < b: print('![x](y)')\n```\n\n$$x<y$$\n"
    assert lesson_markdown(body) == body

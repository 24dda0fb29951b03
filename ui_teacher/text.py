"""Text from users on the console's pages: shown as text, never as markup the author did not mean.

Titles, file names, questions and key names come from teachers, students and uploaded files;
Streamlit reads every string it shows (`st.markdown`, widget labels, captions) as Markdown
with its own extensions (`:red[...]`, `:material/...:`, `$maths$`). `esc` makes such a string
mean its own characters. Lesson bodies are Markdown on purpose; `lesson_markdown` keeps their
formatting and maths but drops what a hostile or careless source could use: raw HTML (shown
as text), images (they would load from anywhere: the alt text stays), and links other than
http(s) and mailto (`javascript:` and the like: the link text stays).
"""

from __future__ import annotations

import re

# The characters that open markup anywhere in a line: emphasis, code, links and images, HTML and
# entities, maths, strikethrough, and a colon before a word (Streamlit's `:red[...]` directives
# and `:material/...:` icons, which it reads before Markdown's escapes). Escaping only
# these keeps ordinary text (addresses, URLs, sentences) the same string.
_SPECIAL = re.compile(r"([\\`*_\[\]<>!$~&]|:(?=[A-Za-z]))")
# At the start of a line more opens a block: a heading, a list, a quote.
_LEADING = re.compile(r"^([#>+\-=]|\d+[.)])")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")

# Code and maths pass through untouched: escapes inside them would show (or break KaTeX).
_VERBATIM = re.compile(
    r"(?P<fence>^[ \t]{0,3}(?P<mark>`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}(?P=mark)[ \t]*$|\Z))"
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<block_math>\$\$.+?\$\$)"
    r"|(?P<math>\$[^\s$](?:[^$\n]*[^\s$])?\$)",
    re.DOTALL | re.MULTILINE,
)
_IMAGE = re.compile(r"!\[((?:[^\[\]\\]|\\.)*)\](?:\(\s*<?[^)\s>]*>?(?:\s+[\"'(][^)]*)?\s*\)|\[[^\]]*\])?")
_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\s*\)")
_REF_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?(\S*?)>?(?:[ \t]+.*)?$", re.MULTILINE)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>")


def esc(text: object) -> str:
    """`text` as literal characters in Streamlit Markdown, on one line."""
    flat = " ".join(str(text if text is not None else "").split())
    return _LEADING.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], _SPECIAL.sub(r"\\\1", flat))


def safe_url(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def lesson_markdown(body: str) -> str:
    """A lesson body for `st.markdown`: its Markdown and maths, without HTML, images or unsafe links."""
    out: list[str] = []
    last = 0
    for match in _VERBATIM.finditer(body):
        out.append(_clean_prose(body[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_clean_prose(body[last:]))
    return "".join(out)


def _clean_prose(text: str) -> str:
    text = _IMAGE.sub(lambda m: f"\\[image: {m.group(1)}\\]" if m.group(1).strip() else "\\[image\\]", text)
    text = text.replace("![", "!\\[")  # whatever image syntax the pattern missed is a plain "!["
    text = _LINK.sub(lambda m: m.group(0) if safe_url(m.group(2)) else m.group(1), text)
    text = _REF_DEFINITION.sub(lambda m: m.group(0) if safe_url(m.group(1)) else "", text)
    text = _AUTOLINK.sub(lambda m: f"<{m.group(1)}>" if safe_url(m.group(1)) else m.group(1), text)
    # Any other "<" starts raw HTML (or would): show it as the character it is.
    return re.sub(r"<(?!(?:https?://|mailto:)[^<>\s]*>)", "&lt;", text)

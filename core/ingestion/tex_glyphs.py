"""What TeX's math fonts really show, where pdfium reads a char code as ASCII.

pdflatex embeds Computer Modern Type 1 fonts without a ToUnicode map. pdfium then turns a
glyph into Unicode by its name, and falls back to the raw char code for names outside the
Adobe Glyph List: CMSY's `negationslash` (the slash of `\\neq`, code '6') comes out as "6",
`angbracketleft` as "h", `floorleft` as "b". Nearly every ASCII char pdfium reports in CMSY or CMEX
is such a fallback (those fonts have no letters or digits of their own, bar CMSY's
calligraphic capitals; braces, bar and backslash are mapped by name), so the tables are
keyed by code and used only for chars in those fonts. LaTeX's `\\notin` is CMMI's "/" drawn
over "∈": a "/" in a math font next to a relation is composed with it ("∉"). CMMI's letters are its own;
only its variant Greek letters fall back to punctuation.
"""

from __future__ import annotations

import re
import unicodedata

NOT_SLASH = "\u0338"  # combining long solidus overlay: "=" + it is "≠" once composed

_CMSY = {
    0x00: "−", 0x01: "·", 0x02: "×", 0x03: "∗", 0x04: "÷", 0x05: "⋄", 0x06: "±", 0x07: "∓",
    0x08: "⊕", 0x09: "⊖", 0x0A: "⊗", 0x0B: "⊘", 0x0C: "⊙", 0x0D: "◯", 0x0E: "∘", 0x0F: "•",
    0x10: "≍", 0x11: "≡", 0x12: "⊆", 0x13: "⊇", 0x14: "≤", 0x15: "≥", 0x16: "⪯", 0x17: "⪰",
    0x18: "∼", 0x19: "≈", 0x1A: "⊂", 0x1B: "⊃", 0x1C: "≪", 0x1D: "≫", 0x1E: "≺", 0x1F: "≻",
    0x20: "←", 0x21: "→", 0x22: "↑", 0x23: "↓", 0x24: "↔", 0x25: "↗", 0x26: "↘", 0x27: "≃",
    0x28: "⇐", 0x29: "⇒", 0x2A: "⇑", 0x2B: "⇓", 0x2C: "⇔", 0x2D: "↖", 0x2E: "↙", 0x2F: "∝",
    0x30: "′", 0x31: "∞", 0x32: "∈", 0x33: "∋", 0x34: "△", 0x35: "▽", 0x36: NOT_SLASH, 0x37: "↦",
    0x38: "∀", 0x39: "∃", 0x3A: "¬", 0x3B: "∅", 0x3C: "ℜ", 0x3D: "ℑ", 0x3E: "⊤", 0x3F: "⊥",
    0x40: "ℵ", 0x5B: "∪", 0x5D: "⊎", 0x5E: "∧", 0x5F: "∨",
    0x60: "⊢", 0x61: "⊣", 0x62: "⌊", 0x63: "⌋", 0x64: "⌈", 0x65: "⌉", 0x66: "{", 0x67: "}",
    0x68: "⟨", 0x69: "⟩", 0x6A: "|", 0x6B: "‖", 0x6C: "↕", 0x6D: "⇕", 0x6E: "\\", 0x6F: "≀",
    0x70: "√", 0x71: "⨿", 0x72: "∇", 0x73: "∫", 0x74: "⊔", 0x75: "⊓", 0x76: "⊑", 0x77: "⊒",
    0x78: "§", 0x79: "†", 0x7A: "‡", 0x7E: "♡", 0x7F: "♠",
}  # fmt: skip
# Left out above: codes whose glyph names pdfium does map, to ASCII ("braceleft" -> "{", "bar" -> "|",
# "backslash" -> "\\"); a "{" from CMSY is a brace, not the paragraph sign at that code.
_CMEX = {
    **dict.fromkeys((0x00, 0x10, 0x12, 0x20), "("), **dict.fromkeys((0x01, 0x11, 0x13, 0x21), ")"),
    **dict.fromkeys((0x02, 0x14, 0x22), "["), **dict.fromkeys((0x03, 0x15, 0x23), "]"),
    **dict.fromkeys((0x08, 0x1A, 0x28), "{"), **dict.fromkeys((0x09, 0x1B, 0x29), "}"),
    **dict.fromkeys((0x0A, 0x1C, 0x2A, 0x44), "⟨"), **dict.fromkeys((0x0B, 0x1D, 0x2B, 0x45), "⟩"),
    0x0C: "|", 0x0D: "‖", 0x48: "∮", 0x49: "∮", 0x50: "∑", 0x58: "∑", 0x51: "∏", 0x59: "∏",
    0x52: "∫", 0x5A: "∫", 0x53: "⋃", 0x5B: "⋃", 0x54: "⋂", 0x5C: "⋂", 0x56: "⋀", 0x5E: "⋀",
    0x57: "⋁", 0x5F: "⋁", **dict.fromkeys(range(0x70, 0x75), "√"), 0x6E: "{", 0x6F: "}",
}  # fmt: skip
_CMMI = {0x22: "ε", 0x23: "ϑ", 0x24: "ϖ", 0x25: "ϱ", 0x26: "ς", 0x27: "φ", 0x60: "ℓ", 0x7B: "ı", 0x7C: "ȷ", 0x7D: "℘"}
# Base font names carry a subset prefix ("ABCDEF+CMSY10"); the AMS/European variants share the encodings.
_FAMILY = re.compile(r"(?:^|\+)(CMSY|CMBSY|CMEX|CMMI|CMMIB)\d*$|(?:^|\+)(cmsy|cmex|cmmi)\d*$")


def table_for(font_name: str) -> dict[int, str] | None:
    m = _FAMILY.search(font_name)
    if not m:
        return None
    family = (m.group(1) or m.group(2)).upper()
    if family in ("CMSY", "CMBSY"):
        return _CMSY
    return _CMEX if family == "CMEX" else _CMMI


def is_math_font(font_name: str) -> bool:
    return table_for(font_name) is not None


def _composes(ch: str) -> bool:
    return bool(ch) and len(unicodedata.normalize("NFC", ch + NOT_SLASH)) == 1


_SUPER = str.maketrans("0123456789+-−=()nik", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵏ")
_SUB = str.maketrans("0123456789+-−=()aeijkmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑᵢⱼₖₘₙₒₚᵣₛₜᵤᵥₓ")
_SCRIPT_CHARS = {True: set("0123456789+-−=()nik"), False: set("0123456789+-−=()aeijkmnoprstuvx")}


def as_script(text: str, *, raised: bool) -> str:
    """A sub- or superscript in Unicode where it has the chars ("x²", "aₙ"), else "x^(...)" / "a_(...)"."""
    bare = "".join(text.split())
    if bare and set(bare) <= _SCRIPT_CHARS[raised]:
        return bare.translate(_SUPER if raised else _SUB)
    mark = "^" if raised else "_"
    return f"{mark}{bare}" if len(bare) == 1 or bare.isalnum() else f"{mark}({text.strip()})"


def _script_kind(rise: float) -> bool | None:
    """Raised (True), lowered (False) or on the line; a rise over 0.7 em is the next line of a
    hyphen-joined pair, not a script."""
    if 0.25 <= rise <= 0.7:
        return True
    return False if -0.6 <= rise <= -0.15 else None


def _scripts(chars: list[tuple[str, float]]) -> str:
    """Runs of raised or lowered chars as Unicode super/subscripts, where Unicode has them all."""
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch, rise = chars[i]
        kind = _script_kind(rise)
        if kind is None or ch.isspace():
            out.append(ch)
            i += 1
            continue
        j = i
        while j < len(chars) and not chars[j][0].isspace() and _script_kind(chars[j][1]) is kind:
            j += 1
        run = "".join(c for c, _r in chars[i:j])
        if out and set(run) <= _SCRIPT_CHARS[kind]:
            if out[-1] == " " and len(out) > 1 and not out[-2].isspace():
                out.pop()  # "x 2" -> "x²"
            out.append(run.translate(_SUPER if kind else _SUB))
        else:
            out.append(run)
        i = j
    return "".join(out)


def fix_chars(chars: list[tuple[str, str, float]]) -> str:
    """(char as pdfium reads it, its font's base name, its rise in ems) -> the text as printed.

    The negation slash is drawn before the symbol it strikes through: it joins the next
    symbol, composed where Unicode has one char for the pair ("=" -> "≠", "∈" -> "∉")."""
    out: list[tuple[str, float]] = []
    pending_slash = False
    for i, (ch, font, rise) in enumerate(chars):
        table = table_for(font) if font else None
        code = ord(ch) if len(ch) == 1 else -1
        # CMSY's calligraphic capitals are letters; everything else ASCII there is a fallback code
        if table is not None and code < 0x80 and not (table is _CMSY and 0x41 <= code <= 0x5A):
            ch = table.get(code, ch)
        if ch == "/" and table is not None:
            before = out[-1][0] if out else ""
            after = next((c for c, _f, _r in chars[i + 1 :] if not c.isspace()), "")
            if _composes(before):
                out[-1] = (unicodedata.normalize("NFC", before + NOT_SLASH), out[-1][1])
                continue
            if _composes(after):
                ch = NOT_SLASH
        if ch == NOT_SLASH:
            pending_slash = True
            continue
        if pending_slash and not ch.isspace():
            composed = unicodedata.normalize("NFC", ch + NOT_SLASH)
            ch, pending_slash = composed, False
        out.append((ch, rise))
    if pending_slash:
        out.append(("/", 0.0))  # a slash with nothing after it: show it as one
    text = _scripts(out)
    for pieces, whole in _JOINED:
        text = text.replace(pieces, whole)
    return text


# Long arrows and `\mapsto` are built from two glyphs set against each other.
_JOINED = (("⇐⇒", "⟺"), ("=⇒", "⟹"), ("⇐=", "⟸"), ("←→", "⟷"), ("−→", "⟶"), ("←−", "⟵"), ("↦→", "↦"), ("↦⟶", "⟼"))

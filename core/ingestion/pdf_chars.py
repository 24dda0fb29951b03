"""What a PDF line's chars are, one by one, where the line as a whole does not tell: whether it
is set in a monospace font (code), which TeX math font each char is in and how far it is raised
(sub- and superscripts), and where each word of a code line starts (its column).

Char-level pdfium calls cost: the math ones run only on pages that use a TeX math font, the
column ones only on monospace lines, and those one call per word.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from core.ingestion import tex_glyphs

Axes = Callable[[float, float], tuple[float, float]]  # page-space (x, y) -> (down, right) as displayed
_FIXED_PITCH = 1  # PDF font descriptor flag bit 1
# Monospace families by name: not every PDF sets the fixed-pitch flag (CMTT in pdflatex output does not).
_MONO_FONT = re.compile(r"mono|courier|cmtt|sftt|consol|menlo|inconsolata|typewriter|(?:^|\+)(?:lmtt|txtt|pcr)", re.I)


def is_mono(
    textpage: pdfium_c.FPDF_TEXTPAGE, probes: list[int], flags: ctypes.c_int, name: ctypes.Array[ctypes.c_char]
) -> bool:
    """Chars across the line all in a monospace font: a prose line quoting an identifier is not code."""
    for i in probes:
        pdfium_c.FPDFText_GetFontInfo(textpage, i, name, len(name), flags)
        if not (flags.value & _FIXED_PITCH or _MONO_FONT.search(name.value.decode("latin-1"))):
            return False
    return True


def has_math_font(page: pdfium.PdfPage) -> bool:
    """Whether any text on the page is set in a TeX math font (only then are chars checked one by one)."""
    buf = ctypes.create_string_buffer(128)
    seen: set[int | None] = set()
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        key = ctypes.cast(font, ctypes.c_void_p).value
        if key in seen or not key:
            continue
        seen.add(key)
        pdfium_c.FPDFFont_GetBaseFontName(font, buf, len(buf))
        if tex_glyphs.is_math_font(buf.value.decode("latin-1")):
            return True
    return False


def math_chars(
    textpage: pdfium_c.FPDF_TEXTPAGE, start: int, raw: str, name: ctypes.Array[ctypes.c_char], axes: Axes
) -> list[tuple[str, str, float]]:
    """(char, font name, rise above the line's baseline in ems) of each char of a line."""
    flags, x, y = ctypes.c_int(), ctypes.c_double(), ctypes.c_double()
    fonts: list[str] = []
    downs: list[float | None] = []
    sizes: list[float] = []
    i = start
    for ch in raw:
        if ch.isspace():
            fonts.append("")
            downs.append(None)
            sizes.append(0.0)
        else:
            pdfium_c.FPDFText_GetFontInfo(textpage, i, name, len(name), flags)
            fonts.append(name.value.decode("latin-1"))
            pdfium_c.FPDFText_GetCharOrigin(textpage, i, x, y)
            downs.append(axes(x.value, y.value)[0])
            sizes.append(pdfium_c.FPDFText_GetFontSize(textpage, i))
        i += 2 if ord(ch) > 0xFFFF else 1
    known = [d for d in downs if d is not None]
    base = median(known) if known else 0.0
    em = max(sizes, default=0.0) or 1.0
    return [(ch, f, 0.0 if d is None else (base - d) / em) for ch, f, d in zip(raw, fonts, downs, strict=True)]


def word_cells(
    textpage: pdfium_c.FPDF_TEXTPAGE, start: int, raw: str, axes: Axes, shown: Callable[[str], str]
) -> tuple[tuple[tuple[float, str], ...], float]:
    """(start, text) of each word, and the char pitch from the first word of two chars or more:
    one call per word, not per char."""
    x, y = ctypes.c_double(), ctypes.c_double()
    out: list[tuple[float, str]] = []
    pitch = 0.0
    for m in re.finditer(r"\S+", raw):
        at = start + len(raw[: m.start()].encode("utf-16-le")) // 2
        word = shown(m.group(0))
        if not word:
            continue
        pdfium_c.FPDFText_GetCharOrigin(textpage, at, x, y)
        h = axes(x.value, y.value)[1]
        if not pitch and len(m.group(0)) >= 2 and len(word) == len(m.group(0)) and ord(word[0]) <= 0xFFFF:
            pdfium_c.FPDFText_GetCharOrigin(textpage, at + 1, x, y)
            pitch = axes(x.value, y.value)[1] - h
        out.append((h, word))
    return tuple(out), pitch

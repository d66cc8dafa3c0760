"""pdfium's page objects in the shape pdfplumber's table finder reads.

pdfplumber finds ruled tables from a page's edges and fills cells from its
chars; getting those through pdfminer means interpreting the page in pure
Python, the dominant cost of PDF extraction. pdfium reads the same chars
(with loose font boxes, as pdfminer reports them) and path bounds in C. This
module builds the small stand-in page the table finder
(:mod:`crawler.core.extract.pdf_grid`) needs (``chars``, ``edges``, ``bbox``).

It calls pdfium's C functions directly (``pypdfium2.raw``): pypdfium2's helper
classes wrap every page object and char box in Python objects, which cost
more than reading them.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfplumber.utils.text import chars_to_textmap

Obj = dict[str, Any]

_PATH = pdfium_c.FPDF_PAGEOBJ_PATH
_FORM = pdfium_c.FPDF_PAGEOBJ_FORM
_FORM_DEPTH = 4  # levels of nested Form XObjects read (pages, forms in them, ...)
_MAX_SEGMENTS = 5  # a path with more segments than a rectangle is not a ruling line


@dataclass
class LayoutPage:
    """The parts of a pdfplumber ``Page`` that table finding and cell extraction read."""

    chars: list[Obj]
    edges: list[Obj]
    bbox: tuple[float, float, float, float]


def layout_page(page: pypdfium2.PdfPage) -> LayoutPage | None:
    """Chars and ruling edges of one page; None when a path is too complex to read as lines.

    Raises ``PdfiumError`` when pdfium cannot list the page's objects or place a char.
    """
    width, height = page.get_size()
    edges: list[Obj] = []
    if not _path_edges(page.raw, height, edges):
        return None
    return LayoutPage(chars=_chars(page, height), edges=edges, bbox=(0.0, 0.0, width, height))


def _path_edges(page: Any, height: float, edges: list[Obj]) -> bool:
    """Append the edges of every path on the page, Form XObjects included; False on a complex path.

    Objects are visited in the order pdfium lists them, each form's objects right after the
    form: the order of the edges decides how the table finder averages lines it snaps together.
    """
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    bounds = (ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top))
    # containers still being read: (the page or a form object, next object index, nesting level)
    stack: list[tuple[Any, int, int]] = [(page, 0, 0)]
    while stack:
        parent, index, level = stack.pop()
        count_objects = pdfium_c.FPDFFormObj_CountObjects if level else pdfium_c.FPDFPage_CountObjects
        get_object = pdfium_c.FPDFFormObj_GetObject if level else pdfium_c.FPDFPage_GetObject
        count = count_objects(parent)
        if count < 0:
            raise pypdfium2.PdfiumError("Failed to get number of pageobjects.")
        while index < count:
            obj = get_object(parent, index)
            index += 1
            if not obj:
                raise pypdfium2.PdfiumError("Failed to get pageobject.")
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == _PATH:
                if pdfium_c.FPDFPath_CountSegments(obj) > _MAX_SEGMENTS:
                    return False
                if not pdfium_c.FPDFPageObj_GetBounds(obj, *bounds):
                    raise pypdfium2.PdfiumError("Failed to locate pageobject.")
                edges.extend(_edges(left.value, height - top.value, right.value, height - bottom.value))
            elif kind == _FORM and level < _FORM_DEPTH - 1:
                stack.append((parent, index, level))  # the rest of this container comes after the form
                stack.append((obj, 0, level + 1))
                break
    return True


def _edge(x0: float, top: float, x1: float, bottom: float, orientation: str) -> Obj:
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "rect_edge",
    }


def _edges(x0: float, top: float, x1: float, bottom: float) -> list[Obj]:
    if x1 - x0 < 2 and bottom - top > 0:
        x = (x0 + x1) / 2
        return [_edge(x, top, x, bottom, "v")]
    if bottom - top < 2 and x1 - x0 > 0:
        y = (top + bottom) / 2
        return [_edge(x0, y, x1, y, "h")]
    return [
        _edge(x0, top, x1, top, "h"),
        _edge(x0, bottom, x1, bottom, "h"),
        _edge(x0, top, x0, bottom, "v"),
        _edge(x1, top, x1, bottom, "v"),
    ]


def _chars(page: pypdfium2.PdfPage, height: float) -> list[Obj]:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        count = textpage.count_chars()
        raw = textpage.raw
        t_left, t_right, t_bottom, t_top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        tight = (ctypes.byref(t_left), ctypes.byref(t_right), ctypes.byref(t_bottom), ctypes.byref(t_top))
        loose = pdfium_c.FS_RECTF()
        loose_ref = ctypes.byref(loose)
        get_tight, get_loose = pdfium_c.FPDFText_GetCharBox, pdfium_c.FPDFText_GetLooseCharBox
        chars: list[Obj] = []
        # get_text_range returns one character per index, generated line breaks included
        for index in range(min(count, len(text))):
            ch = text[index]
            if ch.isspace() or ch in "\ufffe\x02":
                continue
            if not get_tight(raw, index, *tight) or not get_loose(raw, index, loose_ref):
                raise pypdfium2.PdfiumError("Failed to get charbox.")
            # loose boxes have the advance widths and line heights pdfminer reports (so words and
            # spaces come out alike), but a vertical header's loose box can reach into the next
            # cell: centre it where the glyph really is (its tight box)
            bottom, top = loose.bottom, loose.top
            centre, half = (t_left.value + t_right.value) / 2, (loose.right - loose.left) / 2
            left, right = centre - half, centre + half
            chars.append(
                {
                    "text": ch,
                    "x0": left,
                    "x1": right,
                    "top": height - top,
                    "bottom": height - bottom,
                    "doctop": height - top,
                    "width": right - left,
                    "height": top - bottom,
                    "size": top - bottom,
                    "upright": True,
                    "object_type": "char",
                }
            )
        return chars
    finally:
        textpage.close()


def text_lines(chars: list[Obj]) -> list[Obj]:
    """Lines of text, as pdfplumber's ``Page.extract_text_lines`` gives them."""
    if not chars:
        return []
    lines: list[Obj] = chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=False)
    return lines

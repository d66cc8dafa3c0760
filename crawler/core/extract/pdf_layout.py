"""pdfium's page objects in the shape pdfplumber's table finder reads.

pdfplumber finds ruled tables from a page's edges and fills cells from its
chars; getting those through pdfminer means interpreting the page in pure
Python, the dominant cost of PDF extraction. pypdfium2 reads the same chars
(with loose font boxes, as pdfminer reports them) and path bounds in C. This
module builds the small stand-in page pdfplumber's ``TableFinder`` and
``Table.extract`` need (``chars``, ``edges``, ``bbox``), so the table finding
itself stays pdfplumber's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table as PlumberTable
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils.text import chars_to_textmap

Obj = dict[str, Any]


@dataclass
class LayoutPage:
    """The parts of a pdfplumber ``Page`` that table finding and cell extraction read."""

    chars: list[Obj]
    edges: list[Obj]
    bbox: tuple[float, float, float, float]


def layout_page(page: pypdfium2.PdfPage) -> LayoutPage | None:
    """Chars and ruling edges of one page; None when a path is too complex to read as lines."""
    width, height = page.get_size()
    edges: list[Obj] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4):
        if pdfium_c.FPDFPath_CountSegments(obj.raw) > 5:
            return None
        left, bottom, right, top = obj.get_bounds()
        edges.extend(_edges(left, height - top, right, height - bottom))
    return LayoutPage(chars=_chars(page, height), edges=edges, bbox=(0.0, 0.0, width, height))


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
        chars: list[Obj] = []
        # get_text_range returns one character per index, generated line breaks included
        for index in range(min(count, len(text))):
            ch = text[index]
            if ch.isspace() or ch in "\ufffe\x02":
                continue
            # loose boxes have the advance widths and line heights pdfminer reports (so words and
            # spaces come out alike), but a vertical header's loose box can reach into the next
            # cell: centre it where the glyph really is (its tight box)
            tight_left, _, tight_right, _ = textpage.get_charbox(index, loose=False)
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            centre, half = (tight_left + tight_right) / 2, (right - left) / 2
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


def find_tables(page: LayoutPage) -> list[PlumberTable]:
    return list(TableFinder(page, TableSettings.resolve(None)).tables)  # type: ignore[arg-type]


def text_lines(chars: list[Obj]) -> list[Obj]:
    """Lines of text, as pdfplumber's ``Page.extract_text_lines`` gives them."""
    if not chars:
        return []
    lines: list[Obj] = chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=False)
    return lines

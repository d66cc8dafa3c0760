"""The fast PDF path gives pdfplumber's cell grid: same tables, same rows, same cell text.

Three levels are checked against pdfplumber (and pypdfium2's helper classes):

* raw pdfium reads the same edges and chars as pypdfium2's helpers did;
* on the same page input, our grid and cell text equal pdfplumber's ``TableFinder``
  and ``Table.extract`` exactly, on real files and on generated ruled grids
  (merged cells, jittered and missing lines, several tables, chars on cell borders);
* against pdfplumber reading the whole PDF itself (pdfminer), the grids have the
  same shape and the table rows the same text.
"""

from __future__ import annotations

import ctypes
import io
import random
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils.text import extract_text

from crawler.core.extract.pdf_celltext import cell_text
from crawler.core.extract.pdf_grid import find_tables
from crawler.core.extract.pdf_layout import LayoutPage, _edges, layout_page
from crawler.core.normalize import normalize_cell
from tests.conftest import FIXTURES, SHARED

PDFS = [
    *sorted(FIXTURES.glob("*.pdf")),
    *(sorted((SHARED / "corpus").glob("*.pdf")) if (SHARED / "corpus").is_dir() else []),
]
CORPUS = [SHARED / "corpus" / "hongze_2023.pdf", SHARED / "corpus" / "hongze_2024.pdf"]


def _pdf_ids() -> list[str]:
    return [p.name for p in PDFS]


def _grid(tables: Any) -> list[tuple[Any, list[list[Any]], list[list[str | None]]]]:
    """Each table's box, its rows' cell boxes and its cell texts."""
    return [(t.bbox, [list(r.cells) for r in t.rows], t.extract()) for t in tables]


def _plumber_grid(page: LayoutPage) -> list[tuple[Any, list[list[Any]], list[list[str | None]]]]:
    return _grid(TableFinder(page, TableSettings.resolve(None)).tables)  # type: ignore[arg-type]


def _pages(path: Path) -> list[LayoutPage]:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        layouts = [layout_page(doc[i]) for i in range(len(doc))]
    finally:
        doc.close()
    return [page for page in layouts if page is not None]


@pytest.mark.parametrize("path", PDFS, ids=_pdf_ids())
def test_grid_equals_pdfplumber_table_finder_on_real_pages(path: Path) -> None:
    cells = 0
    for page in _pages(path):
        ours = _grid(find_tables(page))
        assert ours == _plumber_grid(page)
        cells += sum(len(row) for _, _, rows in ours for row in rows)
    assert cells > 20, "the file should have ruled tables"


@pytest.mark.parametrize("path", [p for p in PDFS if p.parent == FIXTURES] + CORPUS, ids=lambda p: p.name)
def test_grid_equals_pdfplumber_reading_the_whole_pdf(path: Path) -> None:
    """pdfplumber's own chars and lines (pdfminer) give the same grid and the same table rows."""
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpus is not on this machine)")
    fast = pypdfium2.PdfDocument(str(path))
    compared = 0
    try:
        with pdfplumber.open(path) as slow:
            for index, slow_page in enumerate(slow.pages):
                layout = layout_page(fast[index])
                assert layout is not None
                ours = [t.extract() for t in find_tables(layout)]
                theirs = [t.extract() for t in slow_page.find_tables()]
                shape = [[[c is None for c in row] for row in t] for t in theirs]
                assert [[[c is None for c in row] for row in t] for t in ours] == shape, f"page {index + 1}"
                for table_ours, table_theirs in zip(ours, theirs):
                    for row_ours, row_theirs in zip(table_ours, table_theirs):
                        if sum(c is not None for c in row_theirs) < 2:
                            continue  # a box around prose: glyph widths may move a line break
                        norm = [normalize_cell(c or "") for c in row_theirs]
                        assert [normalize_cell(c or "") for c in row_ours] == norm, f"page {index + 1}"
                        compared += 1
    finally:
        fast.close()
    assert compared > 10


@pytest.mark.parametrize("path", PDFS, ids=_pdf_ids())
def test_raw_pdfium_reads_what_the_helpers_read(path: Path) -> None:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        for index in range(len(doc)):
            page = doc[index]
            layout = layout_page(page)
            assert layout is not None
            height = page.get_size()[1]
            assert layout.edges == _helper_edges(page, height)
            assert layout.chars == _helper_chars(page, height)
            assert layout.chars, "a text page"
    finally:
        doc.close()


def test_paths_inside_forms_are_read_in_pdfium_order() -> None:
    """Ruling lines drawn inside Form XObjects (nested) count, in the order pdfium lists them."""
    body = _pdf_with_forms()
    doc = pypdfium2.PdfDocument(body)
    try:
        page = doc[0]
        layout = layout_page(page)
        assert layout is not None
        expected = _helper_edges(page, page.get_size()[1])
        assert len(expected) >= 12  # the page's own rect and the two forms' rects
        assert layout.edges == expected
    finally:
        doc.close()


def test_a_complex_path_hands_the_page_to_pdfplumber() -> None:
    pdf = pypdfium2.PdfDocument.new()
    page = pdf.new_page(200, 200)
    path = pdfium_c.FPDFPageObj_CreateNewPath(10, 10)
    for x, y in [(50, 10), (60, 40), (30, 70), (10, 50), (20, 30), (15, 15)]:
        pdfium_c.FPDFPath_LineTo(path, x, y)
    pdfium_c.FPDFPath_SetDrawMode(path, 0, True)
    pdfium_c.FPDFPage_InsertObject(page.raw, path)
    pdfium_c.FPDFPage_GenerateContent(page.raw)
    assert layout_page(page) is None
    pdf.close()


@pytest.mark.parametrize("seed", range(40))
def test_grid_equals_pdfplumber_on_generated_grids(seed: int) -> None:
    page = _random_page(random.Random(seed))
    ours = _grid(find_tables(page))
    assert ours == _plumber_grid(page)


def test_generated_grids_have_tables_and_merged_cells() -> None:
    """The generator above really makes what it claims to test."""
    merged = tables = 0
    for seed in range(40):
        for _, rows, _ in _plumber_grid(_random_page(random.Random(seed))):
            tables += 1
            merged += any(cell is None for row in rows for cell in row)
    assert tables > 40 and merged > 10


@pytest.mark.parametrize("seed", range(60))
def test_cell_text_equals_pdfplumber_extract_text(seed: int) -> None:
    rng = random.Random(seed)
    chars = [_random_char(rng, rng.uniform(0, 60), rng.uniform(0, 40)) for _ in range(rng.randint(0, 30))]
    # runs of touching chars make words, lines close together make one line or two
    for _ in range(rng.randint(0, 4)):
        x, top = rng.uniform(0, 40), rng.uniform(0, 40)
        for _ in range(rng.randint(1, 8)):
            ch = _random_char(rng, x, top + rng.uniform(-2, 2))
            chars.append(ch)
            x = ch["x1"] + rng.choice([0.0, 0.5, 2.9, 3.0, 3.1, 6.0, -1.0])
    rng.shuffle(chars)
    assert cell_text(chars) == extract_text(chars)


def test_cell_text_of_rotated_chars_is_pdfplumber_s() -> None:
    chars = [_random_char(random.Random(i), 10, 10 * i) | {"upright": False} for i in range(4)]
    assert cell_text(chars) == extract_text(chars)
    assert cell_text(chars)


def test_cell_text_examples() -> None:
    row = [_char("1", 0, 0), _char("2", 5, 0.5), _char("3", 20, 0), _char("4", 0, 12), _char("ﬁ", 5, 12)]
    assert cell_text(row) == "12 3\n4fi"
    # exactly 3 pt apart is still one line / one word; a hair more is not
    assert cell_text([_char("a", 0, 0), _char("b", 10, 3.0)]) == "a b"
    assert cell_text([_char("a", 0, 0), _char("b", 10, 3.01)]) == "a\nb"
    assert cell_text([_char("a", 0, 0), _char("b", 8.0, 0)]) == "ab"
    assert cell_text([_char("a", 0, 0), _char("b", 8.01, 0)]) == "a b"
    assert cell_text([]) == ""
    assert cell_text([_char(" ", 0, 0)]) == ""


# --- references: the previous implementation through pypdfium2's helper classes ---------------


def _helper_edges(page: pypdfium2.PdfPage, height: float) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        edges.extend(_edges(left, height - top, right, height - bottom))
    return edges


def _helper_chars(page: pypdfium2.PdfPage, height: float) -> list[dict[str, Any]]:
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    chars = []
    for index in range(min(textpage.count_chars(), len(text))):
        if text[index].isspace() or text[index] in "\ufffe\x02":
            continue
        tight_left, _, tight_right, _ = textpage.get_charbox(index, loose=False)
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        centre, half = (tight_left + tight_right) / 2, (right - left) / 2
        chars.append(
            {
                "text": text[index],
                "x0": centre - half,
                "x1": centre + half,
                "top": height - top,
                "bottom": height - bottom,
                "doctop": height - top,
                "width": 2 * half,
                "height": top - bottom,
                "size": top - bottom,
                "upright": True,
                "object_type": "char",
            }
        )
    textpage.close()
    return chars


# --- generated inputs ----------------------------------------------------------------------------


def _char(text: str, x0: float, top: float, width: float = 5.0, height: float = 10.0) -> dict[str, Any]:
    return {
        "text": text,
        "x0": x0,
        "x1": x0 + width,
        "top": top,
        "bottom": top + height,
        "doctop": top,
        "width": width,
        "height": height,
        "size": height,
        "upright": True,
        "object_type": "char",
    }


def _random_char(rng: random.Random, x0: float, top: float) -> dict[str, Any]:
    text = rng.choice("0123456789一二三总计ab ﬁ") if rng.random() > 0.02 else ""
    return _char(text, x0, top, rng.uniform(2, 10), rng.uniform(5, 12))


def _random_page(rng: random.Random) -> LayoutPage:
    """One to three ruled tables drawn as cell rectangles, with merged cells, jitter, gaps and text."""
    edges: list[dict[str, Any]] = []
    chars: list[dict[str, Any]] = []
    top = 20.0
    for _ in range(rng.randint(1, 3)):
        n_cols, n_rows = rng.randint(1, 6), rng.randint(1, 7)
        xs = [rng.uniform(20, 80)]
        for _ in range(n_cols):
            xs.append(xs[-1] + rng.choice([rng.uniform(4, 80), 3.0, 6.5]))
        ys = [top]
        for _ in range(n_rows):
            ys.append(ys[-1] + rng.uniform(4, 30))
        covered: set[tuple[int, int]] = set()
        for r in range(n_rows):
            for c in range(n_cols):
                if (r, c) in covered:
                    continue
                width = height = 1
                if rng.random() < 0.2:  # merged across
                    while c + width < n_cols and (r, c + width) not in covered and rng.random() < 0.6:
                        width += 1
                if rng.random() < 0.2:  # merged down
                    while r + height < n_rows and rng.random() < 0.6:
                        height += 1
                covered |= {(r + i, c + j) for i in range(height) for j in range(width)}
                box = [xs[c], ys[r], xs[c + width], ys[r + height]]
                if rng.random() < 0.2:
                    box = [v + rng.uniform(-2.5, 2.5) for v in box]  # lines a word processor misplaced
                if rng.random() < 0.05:
                    continue  # a cell whose border was not drawn
                edges.extend(_edges(*box))
        for _ in range(rng.randint(0, 60)):
            chars.append(_random_char(rng, rng.uniform(xs[0] - 10, xs[-1] + 5), rng.uniform(ys[0] - 8, ys[-1] + 2)))
        # chars whose middle sits exactly on a line: the cell rule (left/top inclusive) decides
        for x in xs[:3]:
            chars.append(_char("5", x - 2.5, ys[0] + 1))
        for y in ys[:3]:
            chars.append(_char("6", xs[0] + 1, y - 5))
        top = ys[-1] + rng.choice([0.0, 1.0, 2.5, 10.0, 40.0])  # touching tables, or apart
    rng.shuffle(edges)
    return LayoutPage(chars=chars, edges=edges, bbox=(0.0, 0.0, 600.0, top + 50))


def _pdf_with_forms() -> bytes:
    """A page with a ruled rect, a form holding rects, and that form nested in another form."""
    inner = pypdfium2.PdfDocument.new()
    inner_page = inner.new_page(300, 300)
    for x in (10, 60):
        _insert_rect(inner_page, x, 10, 40, 20)
    inner_page.gen_content()
    outer = pypdfium2.PdfDocument.new()
    outer_page = outer.new_page(300, 300)
    _insert_rect(outer_page, 100, 100, 50, 30)
    outer_page.insert_obj(inner.page_as_xobject(0, outer).as_pageobject())
    outer_page.gen_content()
    pdf = pypdfium2.PdfDocument.new()
    page = pdf.new_page(400, 400)
    _insert_rect(page, 200, 300, 80, 40)
    page.insert_obj(outer.page_as_xobject(0, pdf).as_pageobject())
    _insert_rect(page, 5, 5, 30, 30)
    page.gen_content()
    buf = io.BytesIO()
    pdf.save(buf)
    for doc in (pdf, outer, inner):
        doc.close()
    return buf.getvalue()


def _insert_rect(page: pypdfium2.PdfPage, x: float, y: float, w: float, h: float) -> None:
    rect = pdfium_c.FPDFPageObj_CreateNewRect(ctypes.c_float(x), ctypes.c_float(y), ctypes.c_float(w), ctypes.c_float(h))
    pdfium_c.FPDFPath_SetDrawMode(rect, 0, True)
    pdfium_c.FPDFPage_InsertObject(page.raw, rect)

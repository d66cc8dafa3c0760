"""PDF → Document: text lines and ruled tables in reading order.

pdfium reads each page's chars and drawn lines through its C API
(:mod:`crawler.core.extract.pdf_layout`), and the ruled tables are found and
filled by pdfplumber's rules, re-implemented to cost a fraction
(:mod:`crawler.core.extract.pdf_grid`, :mod:`crawler.core.extract.pdf_celltext`);
a page drawn with paths too complex for that is read by pdfplumber whole,
which costs a pure-Python interpretation of the page. Either way one layout pass
per page gives the ruled tables and the text lines outside them. Rows of a
"table" that are one cell spanning the whole width (word processors often box
the whole page) are prose, not table rows. Page numbers and running headers
are dropped, and a table that continues on the next page is joined to its
first part.

A PDF longer than :mod:`crawler.core.limits` allows (``max_pdf_pages``) is read up
to that page, with a warning in the record: the report's tables sit in its
first pages even when it is bound into a larger volume, so a partial read
still gives the numbers, while reading every page of a 2,000-page file would
take minutes.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import pdfplumber
import pypdfium2
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from crawler.core.document import Block, Document, Table, pad_rows
from crawler.core.errors import ExtractionError
from crawler.core.extract.pdf_grid import find_tables
from crawler.core.extract.pdf_layout import LayoutPage, layout_page, text_lines
from crawler.core.limits import Limits, current

if TYPE_CHECKING:
    from crawler.core.extract.image_tables import PageResult

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/共]\s*\d{1,3}\s*页?)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$"
)


class _Row(Protocol):
    bbox: tuple[float, float, float, float]


class _Table(Protocol):
    """A ruled table: ours (:mod:`crawler.core.extract.pdf_grid`) or pdfplumber's."""

    @property
    def rows(self) -> Sequence[_Row]: ...

    def extract(self) -> list[list[str | None]]: ...


@dataclass
class _Item:
    top: float
    text: str | None = None  # a line of prose
    row: list[str] | None = None  # a table row
    table: int = -1  # which table on the page the row belongs to


def extract_pdf(body: bytes, limits: Limits | None = None) -> Document:
    max_pages = (limits or current()).max_pdf_pages
    try:
        screen = pypdfium2.PdfDocument(body)
    except pypdfium2.PdfiumError as exc:
        raise _open_error(exc) from exc
    try:
        page_count = len(screen)
        pages: list[list[_Item] | None] = []
        for index in range(min(page_count, max_pages)):
            try:
                layout = layout_page(screen[index])
            except pypdfium2.PdfiumError as exc:
                raise _open_error(exc) from exc
            pages.append(None if layout is None else _layout_items(layout))
    finally:
        screen.close()
    if any(items is None for items in pages):
        # Pages drawn with paths pdfium's bounds cannot describe: pdfplumber reads them whole.
        try:
            with pdfplumber.open(io.BytesIO(body)) as pdf:
                for index, items in enumerate(pages):
                    if items is None:
                        pages[index] = _plumber_items(pdf.pages[index])
        except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
            raise _open_error(exc) from exc
    # Pages without a text layer (scans, pictures of tables) are read by OCR; pages with text never are.
    blank = [index for index, items in enumerate(pages) if not items]
    scanned = None
    if blank:
        from crawler.core.extract.pdf_ocr import read_scanned_pages  # OpenCV and the OCR engine: only for scans

        scanned = read_scanned_pages(body, blank, required=len(blank) == len(pages))
    for index, result in (scanned.pages if scanned else {}).items():
        pages[index] = _ocr_items(result)
    doc = _document([items or [] for items in pages], page_count)
    if page_count > max_pages:
        doc.warnings.append(f"only the first {max_pages} of {page_count} pages were read (GOVREPORTS_MAX_PDF_PAGES)")
    if scanned:
        doc.source_format = "pdf-ocr"
        doc.ocr = {"engine": scanned.engine, "mean_confidence": scanned.mean_confidence, "pages": len(scanned.pages)}
        doc.warnings.extend(f"page {i + 1}: {w}" for i, r in sorted(scanned.pages.items()) for w in r.warnings)
    return doc


def _ocr_items(result: PageResult) -> list[_Item]:
    """An OCR'd page as the same items a text page gives, so page-break joins and running lines apply."""
    items: list[_Item] = []
    for order, block in enumerate(result.blocks):
        if isinstance(block, str):
            items.append(_Item(top=float(order), text=block))
        else:
            items.extend(_Item(top=order + i / 1000, row=row, table=order) for i, row in enumerate(block.rows))
    return items


def _document(pages: list[list[_Item]], page_count: int) -> Document:
    if not any(item.text or item.row for items in pages for item in items):
        raise ExtractionError("PDF has no text layer and OCR found no text on its pages", "extract/pdf/no_text")
    _drop_running_lines(pages)
    blocks, joined = _blocks(pages)
    doc = Document(blocks=blocks, source_format="pdf", pages=page_count)
    if joined:
        doc.warnings.append(f"{joined} table(s) continued over a page break were joined")
    return doc


def _open_error(exc: Exception) -> ExtractionError:
    message = str(exc) or type(exc).__name__
    if "password" in message.lower() or "encrypt" in message.lower():
        return ExtractionError(f"encrypted PDF: {message}", "extract/pdf/encrypted")
    return ExtractionError(f"unreadable PDF: {message}", "extract/pdf/corrupt")


def _layout_items(page: LayoutPage) -> list[_Item]:
    tables = find_tables(page) if page.edges else []
    boxes = [t.bbox for t in tables]

    def outside(ch: dict[str, Any]) -> bool:
        mid_x, mid_y = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return not any(x0 <= mid_x <= x1 and top <= mid_y <= bottom for x0, top, x1, bottom in boxes)

    return _items(tables, text_lines([ch for ch in page.chars if outside(ch)] if boxes else page.chars))


def _plumber_items(page: pdfplumber.page.Page) -> list[_Item]:
    tables = page.find_tables() if (page.rects or page.lines or page.curves) else []
    outside = page
    for table in tables:
        outside = outside.outside_bbox(table.bbox)
    return _items(tables, outside.extract_text_lines(return_chars=False))


def _items(tables: Sequence[_Table], lines: list[dict[str, Any]]) -> list[_Item]:
    """Table rows and prose lines of one page, sorted top to bottom."""
    items: list[_Item] = []
    for t_index, table in enumerate(tables):
        for row, cells in zip(table.rows, table.extract()):
            texts = ["" if c is None else c for c in cells]
            if all(c is None for c in cells[1:]):
                # one cell across the whole width (a one-column table too): prose inside a box
                top = row.bbox[1]
                items.extend(_Item(top=top + i * 0.01, text=ln) for i, ln in enumerate(texts[0].split("\n")) if ln.strip())
            else:
                items.append(_Item(top=row.bbox[1], row=texts, table=t_index))
    items.extend(_Item(top=line["top"], text=line["text"]) for line in lines if line["text"].strip())
    items.sort(key=lambda it: it.top)
    return items


def _drop_running_lines(pages: list[list[_Item]]) -> None:
    """Drop page numbers and headers/footers repeated at the same place on most pages."""
    edge_counts: Counter[str] = Counter()
    for items in pages:
        lines = [it for it in items if it.text is not None]
        for it in lines[:2] + lines[-2:]:
            edge_counts[re.sub(r"\d+", "#", it.text or "").strip()] += 1
    repeated = {k for k, n in edge_counts.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    for items in pages:
        items[:] = [
            it
            for it in items
            if it.text is None or not (_PAGE_NUMBER.match(it.text) or re.sub(r"\d+", "#", it.text).strip() in repeated)
        ]


def _blocks(pages: list[list[_Item]]) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    joined = 0
    for items in pages:
        first_on_page = True
        current: tuple[int, Table] | None = None
        for it in items:
            if it.text is not None:
                blocks.append(it.text)
                current = None
            elif it.row is not None:
                if current is not None and current[0] == it.table:
                    current[1].rows.append(it.row)
                else:
                    prev = blocks[-1] if blocks else None
                    if first_on_page and isinstance(prev, Table) and prev.width == len(it.row):
                        # the page opens with the rest of the table that ended the last page
                        prev.rows.append(it.row)
                        prev.notes.append("joined over a page break")
                        joined += 1
                        current = (it.table, prev)
                    else:
                        table = Table(rows=[it.row])
                        blocks.append(table)
                        current = (it.table, table)
            first_on_page = False
    for block in blocks:
        if isinstance(block, Table):
            block.rows = pad_rows(block.rows)
    return blocks, joined

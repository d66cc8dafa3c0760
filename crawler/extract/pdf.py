"""PDF → Document with pdfplumber: text lines and ruled tables in reading order.

One layout pass per page: the tables pdfplumber finds from the ruling lines,
and the text lines outside them. Rows of a "table" that are one cell spanning
the whole width (word processors often box the whole page) are prose, not
table rows. Page numbers and running headers are dropped, and a table that
continues on the next page is joined to its first part.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from crawler.document import Block, Document, Table, pad_rows
from crawler.errors import ExtractionError

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/共]\s*\d{1,3}\s*页?)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$"
)


@dataclass
class _Item:
    top: float
    text: str | None = None  # a line of prose
    row: list[str] | None = None  # a table row
    table: int = -1  # which table on the page the row belongs to


def extract_pdf(body: bytes) -> Document:
    try:
        pdf = pdfplumber.open(io.BytesIO(body))
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise _open_error(exc) from exc
    with pdf:
        try:
            pages = [_page_items(page) for page in pdf.pages]
        except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
            raise _open_error(exc) from exc
        page_count = len(pdf.pages)
    if not any(item.text or item.row for items in pages for item in items):
        raise ExtractionError("PDF has no text layer (scanned?); OCR is not supported", "extract/pdf/no_text")
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


def _page_items(page: pdfplumber.page.Page) -> list[_Item]:
    items: list[_Item] = []
    outside = page
    # Table finding costs a layout pass; a page without ruling lines has no ruled table.
    tables = page.find_tables() if (page.rects or page.lines) else []
    for t_index, table in enumerate(tables):
        outside = outside.outside_bbox(table.bbox)
        for row, cells in zip(table.rows, table.extract()):
            texts = ["" if c is None else c for c in cells]
            if all(c is None for c in cells[1:]) or len(cells) == 1:
                # one cell across the whole width: prose inside a box
                top = row.bbox[1]
                items.extend(_Item(top=top + i * 0.01, text=ln) for i, ln in enumerate(texts[0].split("\n")) if ln.strip())
            else:
                items.append(_Item(top=row.bbox[1], row=texts, table=t_index))
    for line in outside.extract_text_lines(return_chars=False):
        if line["text"].strip():
            items.append(_Item(top=line["top"], text=line["text"]))
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

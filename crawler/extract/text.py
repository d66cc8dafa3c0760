"""Plain text → Document: text another tool already extracted, tables included.

Three table shapes occur in such dumps (see ../shared/seeds): cells separated
by pipes, cells separated by tabs, and one cell per line (each cell on a line
opening with a tab, rows separated by blank lines, a cell's wrapped text on
lines without the tab).
"""

from __future__ import annotations

import re

from crawler.document import Block, Document, Table, pad_rows
from crawler.errors import ExtractionError
from crawler.extract.chrome import strip_page
from crawler.extract.encoding import decode

_RULE_LINE = re.compile(r"^[\s|:+\-—=]*$")


def extract_text(body: bytes, content_type: str | None = None) -> Document:
    text, _ = decode(body, content_type)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ExtractionError("empty text document", "extract/text/empty")
    # an archiver's or a copy-paste's page furniture and metadata lines (标题：…, 发布时间：…)
    blocks, meta = strip_page(text_blocks(text.split("\n")))
    if not blocks:
        raise ExtractionError("no text besides page furniture", "extract/text/empty")
    return Document(blocks=blocks, source_format="text", title=meta.title, published_date=meta.date, publisher=meta.publisher)


def _kind(line: str) -> str:
    if line.count("|") >= 2:
        return "pipe"
    if "\t" in line.lstrip("\t").rstrip(" "):
        return "tab"
    if line.startswith("\t"):
        return "cell"
    return "text" if line.strip() else "blank"


def text_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    rows: list[list[str]] = []
    cell_row: list[str] | None = None  # the row being built in one-cell-per-line mode
    mode = "text"

    def end_table() -> None:
        nonlocal rows, cell_row
        if cell_row:
            rows.append(cell_row)
        cell_row = None
        if mode == "pipe" and rows and all(r and r[0] == "" for r in rows):
            rows = [r[1:] for r in rows]  # | a | b | markdown rows: the leading pipe opens the row
        grid = pad_rows([r for r in rows if any(c.strip() for c in r)])
        if grid:
            blocks.append(Table(rows=grid))
        rows = []

    for raw in lines:
        kind = _kind(raw)
        if kind in {"pipe", "tab"} and _RULE_LINE.match(raw.replace("\t", "")):
            continue  # a markdown rule line (---|---)
        if kind == "pipe":
            if mode != "pipe":
                end_table()
            mode = "pipe"
            # a leading pipe is an empty first cell, unless every row has one (markdown): see end_table
            rows.append([c.strip() for c in raw.rstrip().split("|")])
        elif kind == "tab":
            if mode != "tab":
                end_table()
            mode = "tab"
            rows.append([c.strip() for c in raw.split("\t")])
        elif kind == "cell":
            if mode != "cell":
                end_table()
            mode = "cell"
            if cell_row is None:
                cell_row = []
            cell_row.append(raw.strip())
        elif kind == "blank":
            if mode == "cell" and cell_row is not None:
                rows.append(cell_row)
                cell_row = None
            # blank lines inside pipe / tab tables (page breaks) keep the table open
        else:  # a line of prose
            if mode == "cell" and cell_row:
                # a cell's wrapped text continues on a line without the tab
                cell_row[-1] = cell_row[-1] + "\n" + raw.strip()
                continue
            if mode != "text":
                end_table()
                mode = "text"
            blocks.append(raw.strip())
    end_table()
    return blocks

"""Plain text → Document: text another tool already extracted, tables included.

Three table shapes occur in such dumps (see ../shared/seeds): cells separated
by pipes, cells separated by tabs, and one cell per line (each cell on a line
opening with a tab, rows separated by blank lines, a cell's wrapped text on
lines without the tab). A row that stops short keeps its length (``Table.row_lengths``):
the cells past its end were not printed blank, the dump just has none.

Markdown that converters (marker, MinerU, pandoc) emit is text too: its ``#`` heading
marks and ``**`` emphasis around whole lines are dropped, its pipe tables read as above.
"""

from __future__ import annotations

import re

from crawler.core.document import Block, Document, Table, pad_rows
from crawler.core.errors import ExtractionError
from crawler.core.extract.chrome import strip_page
from crawler.core.extract.encoding import decode

_RULE_LINE = re.compile(r"^[\s|:+\-—=]*$")
# a markdown heading ("## 一、总体情况") or a line in emphasis ("**一、总体情况**"): the marks are no text
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MD_EMPHASIS = re.compile(r"^\s*(\*\*|__)(.+)\1\s*$")


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


def _prose(line: str) -> str:
    """A prose line without markdown's heading and emphasis marks."""
    m = _MD_HEADING.match(line)
    if m:
        line = m.group(1)
    m = _MD_EMPHASIS.match(line)
    return m.group(2) if m else line


def _pipe_cells(raw: str) -> tuple[list[str], int]:
    """A pipe row's cells and how many of them it printed (a closing pipe opens no cell)."""
    line = raw.rstrip()
    cells = [c.strip() for c in line.split("|")]
    closed = len(cells) > 1 and line.endswith("|")
    return cells, len(cells) - closed


def text_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    rows: list[list[str]] = []
    lengths: list[int] = []  # cells each row printed (see Table.row_lengths)
    cell_row: list[str] | None = None  # the row being built in one-cell-per-line mode
    mode = "text"

    def add_row(cells: list[str], printed: int) -> None:
        rows.append(cells)
        lengths.append(printed)

    def end_table() -> None:
        nonlocal rows, lengths, cell_row
        if cell_row:
            add_row(cell_row, len(cell_row))
        cell_row = None
        if mode == "pipe" and rows and all(r and r[0] == "" for r in rows):
            # | a | b | markdown rows: the leading pipe opens the row
            rows = [r[1:] for r in rows]
            lengths = [max(n - 1, 0) for n in lengths]
        kept = [(r, n) for r, n in zip(rows, lengths, strict=True) if any(c.strip() for c in r)]
        grid = pad_rows([r for r, _ in kept])
        printed = [n for _, n in kept]
        if grid:
            # every row as long as the longest: none stopped short (a closing pipe's empty column aside)
            short = any(n < max(printed) for n in printed)
            blocks.append(Table(rows=grid, row_lengths=printed if short else None))
        rows, lengths = [], []

    for raw in lines:
        kind = _kind(raw)
        if kind in {"pipe", "tab"} and _RULE_LINE.match(raw.replace("\t", "")):
            continue  # a markdown rule line (---|---)
        if kind == "pipe":
            if mode != "pipe":
                end_table()
            mode = "pipe"
            # a leading pipe is an empty first cell, unless every row has one (markdown): see end_table
            add_row(*_pipe_cells(raw))
        elif kind == "tab":
            if mode != "tab":
                end_table()
            mode = "tab"
            cells = [c.strip() for c in raw.split("\t")]
            add_row(cells, len(cells))
        elif kind == "cell":
            if mode != "cell":
                end_table()
            mode = "cell"
            if cell_row is None:
                cell_row = []
            cell_row.append(raw.strip())
        elif kind == "blank":
            if mode == "cell" and cell_row is not None:
                add_row(cell_row, len(cell_row))
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
            line = _prose(raw).strip()
            if line:
                blocks.append(line)
    end_table()
    return blocks

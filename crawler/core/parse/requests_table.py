"""Table 三 (收到和处理政府信息公开申请情况): rows matched to keys, seven columns each.

Rows are matched by label, loosely (see :mod:`crawler.core.parse.labels`), with the
办理结果 category (（三）不予公开 …) carried from the rowspan cell above.
Label fragments wrapped onto a row of their own are joined back to their row.
Columns come from the header's cell positions when the grid is aligned, else
from the order of the value cells.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from crawler.core.parse.labels import (
    CATEGORIES,
    COLUMN_LABELS,
    REQUEST_COLUMNS,
    REQUEST_ROWS,
    RowLabel,
    label_core,
    similarity,
    split_numbered,
    strip_numbering,
)
from crawler.core.parse.rows import Row, trim_cells
from crawler.core.parse.values import parse_value, run_together, single_digits, split_numbers, sum_readings

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
    columns = _column_positions(rows)
    subtotal_at = _subtotal_position(rows)
    reading = _Reading()
    for item in _join_fragments(rows):
        flat = run_together(item.labels[-1]) if item.labels and not item.row.has_values else None
        if flat is not None:
            # the label, for matching (its cells run together too); the numbers are read below, if they can be
            item.labels[-1:] = split_numbered(flat[0])
        cores = [label_core(x) for x in item.labels]
        reading.enter_categories(cores)
        if flat is None and not item.row.has_values and not _blank_data_row(item, cores):
            reading.note_label_only(cores)
            continue
        values, notes = _values(item.row, columns, subtotal_at) if flat is None else _run_together_values(item, flat[1])
        reading.warnings.extend(notes)
        reading.file(item, cores[-1] if cores else "", values)
    reading.place_other()
    return reading.table(), reading.warnings


Values = list[int | float | None]


@dataclass
class _Reading:
    """Table 三 while its rows are read in order: where each went, and the 办理结果 category they are under."""

    rows: dict[str, Values] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # row key → the label as printed
    extras: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    category: str | None = None
    single_other: Values | None = None  # （六）其他处理 as one row (2019), or the rowspan cell above its sub-rows
    in_outcomes: bool = False  # between （一）予以公开 and （七）总计: rows there are outcomes

    def enter_categories(self, cores: list[str]) -> None:
        """A category's label (in its own cell or run into a row's) applies to the rows after it."""
        for core in cores:
            cat = _category_of(core)
            if cat is not None:
                self.category = cat

    def note_label_only(self, cores: list[str]) -> None:
        """A row of labels and no values (a header, a category's rowspan cell) is not a row of the table."""
        if cores and _category_of(cores[-1]) == "other" and self.single_other is None:
            # （六）其他处理 printed blank: the 2019 template's one row (kept, null), or the
            # 2021 rowspan cell above its sub-rows (then dropped by place_other)
            self.single_other = [None] * len(REQUEST_COLUMNS)

    def file(self, item: _Logical, last: str, values: Values) -> None:
        """One row with values (``last``: its label's core): a category's own row, a subtotal, a known row, or extra."""
        cat = _category_of(last)
        if cat is not None:
            if cat == "other":
                self.single_other = values  # 2019 template: （六）其他处理 is one row
            else:
                self.extras.append({"label": item.labels[-1], "values": values, "kind": "subtotal", "category": cat})
            return
        if last in {"小计", "合计"} and self.category is not None:
            self.extras.append({"label": " ".join(item.labels), "values": values, "kind": "subtotal", "category": self.category})
            return
        key, score = _match(last, self.category)
        if key is None:
            extra = {"label": " ".join(item.labels), "values": values, "kind": "unknown", "in_outcomes": self.in_outcomes}
            if self.category is not None:
                extra["category"] = self.category
            self.extras.append(extra)
            self.warnings.append(f"table 三: unknown row {''.join(item.labels) or '(no label)'!r} kept in extra_rows")
            return
        if key in self.rows:
            self.extras.append({"label": " ".join(item.labels), "values": values, "kind": "duplicate"})
            self.warnings.append(f"table 三: row {key} printed twice; the second is in extra_rows")
            return
        if score < _SURE:
            self.warnings.append(f"table 三: label {item.labels[-1]!r} matched loosely to {key} ({score:.2f})")
        self.rows[key] = values
        self.labels[key] = item.labels[-1]
        self.in_outcomes = key not in {"new", "carried_over", "result_total", "carried_forward"}
        if key == "result_total":
            self.category = None

    def place_other(self) -> None:
        """（六）其他处理 is a row of its own unless the report has its sub-rows (2021), then a subtotal."""
        if self.single_other is None:
            return
        if not any(k.startswith("other.") for k in self.rows):
            self.rows["other"] = self.single_other
            self.labels["other"] = "（六）其他处理"
        elif any(v is not None for v in self.single_other):  # blank, it was only the rowspan cell above 1–3
            self.extras.append({"label": "其他处理", "values": self.single_other, "kind": "subtotal", "category": "other"})

    def table(self) -> dict[str, Any] | None:
        """The rows in the record's order (a lone 其他处理 just before 总计); None when no row was read."""
        if not self.rows:
            return None
        ordered = {r.key: self.rows[r.key] for r in REQUEST_ROWS if r.key in self.rows}
        if "other" in self.rows:
            keys = list(ordered)
            at = keys.index("result_total") if "result_total" in keys else len(keys)
            keys.insert(at, "other")
            ordered = {k: self.rows[k] for k in keys}
        return {
            "columns": list(REQUEST_COLUMNS),
            "rows": ordered,
            "labels": {k: self.labels[k] for k in ordered if k in self.labels},
            "extra_rows": self.extras,
        }


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
    if not cores or _category_of(cores[-1]) is not None or _is_header(cores):
        return False
    return _match(cores[-1], None)[1] >= _SURE


def _join_fragments(rows: list[Row]) -> list[_Logical]:
    """Join label fragments back to their row.

    A label wraps in two ways: its rest on a row of its own after the values (the
    common PDF and DOCX case), or its start on a row of its own before them (OCR
    and converters that centre the numbers in a tall cell).
    """
    out: list[_Logical] = []
    for row in rows:
        labels = row.labels
        prev = out[-1] if out else None
        if prev is not None and not row.has_values and labels and _is_fragment(row, prev):
            prev.labels = _merge_labels(prev, row)
            continue
        if prev is not None and row.has_values and _is_prefix(prev, row):
            # one label again: the first line's last cell runs on into the second line's first
            prev.labels = prev.labels[:-1] + [prev.labels[-1] + "".join(labels[:1])] + labels[1:]
            prev.row = row
            continue
        out.append(_Logical(labels=labels, row=row))
    return out


def _is_header(cores: list[str]) -> bool:
    """A header row of the table (column names, the 勾稽 note), repeated where the table continues.

    Converters merge header cells ("自然人 法人或其他组织"): a cell made only of column names
    counts each of them.
    """
    return sum(_column_names(c) for c in cores) >= 2 or any("勾稽" in c or "申请人情况" in c for c in cores)


_HEADER_WORDS = sorted({*_COLUMN_CORES, "法人或其他组织", "申请人情况"}, key=len, reverse=True)


def _column_names(core: str) -> int:
    """How many column names a header cell's core is made of (0 when it holds anything else)."""
    count = 0
    while core:
        word = next((w for w in _HEADER_WORDS if core.startswith(w)), None)
        if word is None:
            return 0
        core = core[len(word) :]
        count += 1
    return count


def _score(labels: list[str]) -> float:
    return _match(label_core(labels[-1]), None)[1] if labels else 0.0


def _is_fragment(row: Row, prev: _Logical) -> bool:
    if not prev.row.has_values:
        return False
    if _is_header([label_core(c) for c in row.labels]):
        return False  # a header repeated where the table continues, not a wrapped label
    first = row.labels[0]
    if strip_numbering(first) != first.strip():
        return False  # opens with its own numbering: a row of its own
    if not prev.labels:
        # values whose label was lost (OCR): the label below is theirs only if it names a row surely
        return _score(row.labels) >= _SURE
    merged = _merge_labels(prev, row)
    before = _score(prev.labels)
    return _score(merged) > before or _score(row.labels) < 0.75


def _is_prefix(prev: _Logical, row: Row) -> bool:
    """``prev`` (labels, no values) is the first line of the label of ``row`` (values)."""
    if prev.row.has_values or not prev.labels or prev.row.table != row.table:
        return False
    cores = [label_core(c) for c in prev.labels]
    if _is_header(cores) or _category_of(cores[-1]) is not None:
        return False  # a header, or a category's rowspan cell
    if row.labels:
        first = row.labels[0]
        if strip_numbering(first) != first.strip():
            return False  # the valued row opens with its own numbering
    # joined, the label must name a row better than either line alone (a row printed blank names its own)
    joined = [prev.labels[-1] + (row.labels[0] if row.labels else "")]
    return _score(joined) >= _SURE and _score(joined) > max(_score(prev.labels), _score(row.labels))


def _merge_labels(prev: _Logical, row: Row) -> list[str]:
    """Append each fragment cell to the label cell above it (by grid position)."""
    if not prev.labels:
        return list(row.labels)
    if prev.labels != prev.row.labels:  # already joined to a prefix: positions no longer tell
        return prev.labels[:-1] + [prev.labels[-1] + "".join(row.labels)]
    # only the previous row's label cells: a fragment under one of its values belongs to its last label
    cells = list(prev.row.cells[: prev.row.label_end])
    for i, frag in enumerate(row.cells[: row.label_end]):
        if not frag:
            continue
        # a fragment under an empty position belongs to the nearest label on its left
        j = min(i, len(cells) - 1)
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


def _run_together_values(item: _Logical, numbers: str) -> tuple[list[int | float | None], list[str]]:
    """A row whose numbers ran into its label: read when spaces still part them, seven of them,
    or when seven digits are one per cell and that alone is a reading whose 总计 is the sum of
    the six applicant columns (a blank or a 12 elsewhere would leave the digits another reading)."""
    name = "".join(item.labels)
    width = len(REQUEST_COLUMNS)
    cells = split_numbers(numbers, width)
    if cells is not None:
        return [parse_value(c)[0] for c in cells], [f"table 三: row {name!r} read from numbers run together ({numbers!r})"]
    digits = single_digits(numbers, width)
    if digits is not None:
        single = [int(d) for d in digits]
        readings = sum_readings(numbers, width)
        if readings == [single]:
            return list(single), [
                f"table 三: row {name!r} read one digit per cell from {numbers!r} (its 总计 is the sum of the others)"
            ]
        why = "another reading adds up as well" if single in readings else "one digit per cell does not add up"
        return [None] * width, [
            f"table 三: row {name!r} has its digits run together ({numbers!r}) and {why}; its cells are left null"
        ]
    return [None] * width, [f"table 三: row {name!r} has its numbers run together ({numbers!r}); its cells are left null"]


def _values(row: Row, grids: dict[int, list[int]], subtotal_at: int | None = None) -> tuple[list[int | float | None], list[str]]:
    notes: list[str] = []
    name = "".join(row.labels) or "(no label)"
    columns = grids.get(row.table)
    shifted = _shifted(row, columns) if columns is not None else None
    if shifted is not None:
        # an OCR or converter put an empty cell in front of this row's values (a rowspan's
        # placeholder): its values keep the header's spacing, one or more places to the right
        cells = [row.cells[i] for i in shifted]
        notes.append(f"table 三: row {name!r} is shifted right of the header's columns; read with the shift")
    elif columns is not None and _under_header(row, columns):
        cells = [row.cells[i] for i in columns]
        if any(row.cells[columns[-1] + 1 :]):
            notes.append(f"table 三: row {name!r} has a value right of the 总计 column; ignored")
    else:
        cells = list(row.values)
        if subtotal_at is not None:
            eight = trim_cells(cells, len(REQUEST_COLUMNS) + 1)
            if len(eight) == len(REQUEST_COLUMNS) + 1:
                del eight[subtotal_at]  # the 小计 column is not one of the record's seven
                cells = eight
        cells = trim_cells(cells, len(REQUEST_COLUMNS))
        if len(cells) != len(REQUEST_COLUMNS):
            # a converter dropped or added a cell: which column moved is unknown, so none is read
            notes.append(f"table 三: row {name!r} has {len(cells)} value cells, expected 7; its cells are left null")
            return [None] * len(REQUEST_COLUMNS), notes
    values: list[int | float | None] = []
    for cell in cells:
        value, note = parse_value(cell)
        if note and note.startswith("unreadable"):
            notes.append(f"table 三: {note} in row {name!r}")
        values.append(value)
    return values, notes


def _under_header(row: Row, columns: list[int]) -> bool:
    """True when every value of the row sits in one of the header's column positions."""
    if len(row.cells) <= columns[-1] or row.label_end > columns[0]:
        return False
    # a value between the header's columns means the row is shifted; one past the last column
    # is a cell the converter added at the end (reported by the caller), the others still line up
    wanted = set(columns)
    return not any(cell for i, cell in enumerate(row.cells[: columns[-1]]) if i >= row.label_end and i not in wanted)


def _shifted(row: Row, columns: list[int]) -> list[int] | None:
    """The header's columns moved right by as much as the row's last value sits past 总计, when
    every value of the row sits in the moved columns and none in its label cells; else None."""
    filled = [i for i in range(row.label_end, len(row.cells)) if row.cells[i]]
    if not filled or filled[-1] <= columns[-1] or row.label_end > columns[0]:
        return None  # (labels reaching into the value columns: the row is read in order instead)
    moved = [c + filled[-1] - columns[-1] for c in columns]
    if moved[0] < row.label_end or not set(filled) <= set(moved):
        return None
    return moved

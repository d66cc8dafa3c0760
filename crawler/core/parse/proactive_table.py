"""Table 二 (主动公开政府信息情况): items of 条例第二十条, fields by column header.

Header rows ("信息内容 | 本年制发件数 | …") set the meaning of the columns that
follow, so the same code reads the 2019 and the 2021 layouts, and the single
table or the four small tables a PDF may split it into.
"""

from __future__ import annotations

from typing import Any

from crawler.core.parse.labels import label_core, similarity
from crawler.core.parse.rows import Row
from crawler.core.parse.values import forced, parse_value, run_together, single_digits, split_numbers

ITEMS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
# header label core → field; checked in order, the first contained word wins
FIELDS = (
    ("制发", "made"),
    ("新制作", "made"),
    ("废止", "repealed"),
    ("现行有效", "in_force"),
    ("新公开", "published"),
    ("对外公开总数", "total"),
    ("公开总数", "total"),
    ("上一年", "previous"),
    ("增减", "change"),
    ("增加", "change"),
    ("处理决定", "decisions"),
    ("收费金额", "amount_10k_yuan"),
    ("采购项目", "items"),
    ("采购总金额", "amount"),
    ("总金额", "amount"),
)
DEFAULT_FIELDS = {
    "2021": {
        "regulations": ["made", "repealed", "in_force"],
        "normative_documents": ["made", "repealed", "in_force"],
        "licensing": ["decisions"],
        "penalty": ["decisions"],
        "enforcement": ["decisions"],
        "fees": ["amount_10k_yuan"],
    },
    "2019": {
        "regulations": ["made", "published", "total"],
        "normative_documents": ["made", "published", "total"],
        "licensing": ["previous", "change", "decisions"],
        "other_services": ["previous", "change", "decisions"],
        "penalty": ["previous", "change", "decisions"],
        "enforcement": ["previous", "change", "decisions"],
        "fees": ["previous", "change"],
        "procurement": ["items", "amount"],
    },
}
_ITEM_CORES = {label_core(v): k for k, v in ITEMS.items()}
_2019_FIELDS = {"published", "total", "previous", "change", "items", "amount"}
_2021_FIELDS = {"repealed", "in_force", "amount_10k_yuan"}


def header_fields(row: Row) -> dict[int, str]:
    """Grid position → field, for a header row; empty when the row is not a header."""
    found: dict[int, str] = {}
    for i, cell in enumerate(row.cells):
        core = label_core(cell).replace("／", "").replace("/", "")
        for word, field in FIELDS:
            if word in core:
                found[i] = field
                break
    return found


def template_votes(rows: list[Row]) -> dict[str, int]:
    votes = {"2019": 0, "2021": 0}
    for row in rows:
        fields = set(header_fields(row).values())
        votes["2019"] += len(fields & _2019_FIELDS)
        votes["2021"] += len(fields & _2021_FIELDS)
        if "采购" in row.text:
            votes["2019"] += 1
    return votes


def parse_proactive(rows: list[Row], template: str) -> tuple[dict[str, Any] | None, list[str]]:
    warnings: list[str] = []
    header: dict[int, str] = {}
    out: dict[str, Any] = {}
    extras: list[dict[str, Any]] = []
    labels: dict[str, str] = {}  # item → the label as printed
    for row, label in _join_wrapped(rows):
        # a flattened row (cells run together) may carry the header text in front of its label
        flat = run_together(row.labels[-1]) if row.labels and not row.has_values else None
        if flat is not None:
            item = _item(flat[0]) or _item_at_end(flat[0])
            if item is not None:
                record, notes = _run_together_values(item, flat[1], template)
                warnings.extend(notes)
                if item not in out:
                    out[item] = record
                    labels[item] = flat[0] if _item(flat[0]) else _printed_ending(flat[0], item)
                continue
        fields = header_fields(row)
        if fields and not row.has_values:
            header = fields
            continue
        if not label or "第二十条" in row.text:
            continue
        item = _item(label)
        if item is None:
            if row.has_values:
                extras.append({"label": label, "values": [parse_value(v)[0] for v in row.values if v]})
                warnings.append(f"table 二: unknown row {label!r} kept in extra_rows")
            continue
        record, notes = _item_values(row, item, header, template)
        warnings.extend(notes)
        if item in out:
            warnings.append(f"table 二: row {item} printed twice; the first is kept")
            continue
        out[item] = record
        labels[item] = label
    if not out:
        return None, warnings
    if extras:
        out["extra_rows"] = extras
    out["labels"] = labels
    return out, warnings


def _join_wrapped(rows: list[Row]) -> list[tuple[Row, str]]:
    """Rows with the label they print; a label wrapped onto the next line joined back.

    OCR and converters print a long label's start on a line of its own and its rest with the
    values ("其他对外管理服务" / "事项 7 0 412"): the two lines are one row when the rest
    names no item by itself and the joined label names one.
    """
    out: list[tuple[Row, str]] = []
    for row in rows:
        label = row.labels[-1] if row.labels else ""
        if out and row.has_values and label and _item(label) is None:
            prev, start = out[-1]
            joined = start + "".join(row.labels)
            if not prev.has_values and start and not header_fields(prev) and _item(joined) is not None:
                out[-1] = (row, joined)
                continue
        out.append((row, label))
    return out


def _item(label: str) -> str | None:
    core = label_core(label)
    if core in _ITEM_CORES:
        return _ITEM_CORES[core]
    if core in {"规范性文件", "其他规范性文件"}:
        return "normative_documents"
    best, score = None, 0.0
    for item_core, item in _ITEM_CORES.items():
        s = similarity(core, item_core)
        if s > score:
            best, score = item, s
    return best if score >= 0.8 else None


def _endings(label: str) -> list[tuple[str, str]]:
    """(label core, item) of the items whose label ends the given label's core."""
    core = label_core(label)
    names = [*_ITEM_CORES.items(), ("规范性文件", "normative_documents")]
    return sorted(((c, i) for c, i in names if core.endswith(c)), key=lambda ci: len(ci[0]), reverse=True)


def _item_at_end(label: str) -> str | None:
    """The item whose label ends a flattened run of header and row text ("…现行有效件数规章")."""
    endings = _endings(label)
    return endings[0][1] if endings else None


def _printed_ending(label: str, item: str) -> str:
    """The item's label as the run printed it, without the header text in front."""
    for core, found in _endings(label):
        if found == item:
            return core
    return label


def _item_values(row: Row, item: str, header: dict[int, str], template: str) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    defaults = _defaults(item, template)
    record: dict[str, Any] = dict.fromkeys(defaults)
    filled = [i for i in range(row.label_end, len(row.cells)) if row.cells[i]]
    if not filled:
        return record, notes  # printed blank: null, never 0
    positions = {i: f for i, f in header.items() if i >= row.label_end and f in defaults}
    pairs = _by_position(row, positions, filled) or _by_order(row, defaults)
    if pairs is None:
        # a converter dropped or added a cell: which column it was is unknown, so none is read
        notes.append(f"table 二: row {item} has {len(filled)} values for {len(defaults)} columns; its cells are left null")
        return record, notes
    for f, cell in pairs:
        value, note = parse_value(cell)
        if note and note.startswith("unreadable"):
            notes.append(f"table 二: {note} in row {item}")
        elif note:
            notes.append(f"table 二: {item}.{f} printed as {cell!r}, read {value}")
        record[f] = value
    return record, notes


def _run_together_values(item: str, numbers: str, template: str) -> tuple[dict[str, Any], list[str]]:
    """A row whose numbers ran into its label: read only when spaces still part them one per field."""
    defaults = _defaults(item, template)
    record: dict[str, Any] = dict.fromkeys(defaults)
    cells = split_numbers(numbers, len(defaults))
    if len(defaults) == 1 and parse_value(numbers)[0] is not None:
        cells = [numbers]  # one cell: the whole run is its number ("1 234" with a thousands space)
    if cells is None and forced(numbers):
        # table 二 has no sum to check a split against: one digit per cell only when the digits
        # allow no other reading ("000"; "213" may be 21|3 or 2|13 with a cell left blank)
        cells = single_digits(numbers, len(defaults))
    if cells is None:
        return record, [f"table 二: row {item} has its numbers run together ({numbers!r}); its cells are left null"]
    for f, cell in zip(defaults, cells, strict=True):
        record[f] = parse_value(cell)[0]
    return record, [f"table 二: row {item} read from numbers run together ({numbers!r})"]


def _defaults(item: str, template: str) -> list[str]:
    return DEFAULT_FIELDS.get(template, DEFAULT_FIELDS["2021"]).get(item) or DEFAULT_FIELDS["2019"].get(item, [])


def _by_position(row: Row, positions: dict[int, str], filled: list[int]) -> list[tuple[str, str]] | None:
    """The row's cells under the header's columns, when the grid lines them up.

    A row of a text dump that stops short is not lined up: ``规章 | 22 | 235`` under three
    columns may have lost any of its cells. A row that prints its blank cells
    (``规章 | 0 | | |``), or a grid whose rows are the document's own (HTML, DOCX, PDF),
    keeps its positions.
    """
    if not positions or not set(filled) <= set(positions):
        return None
    columns = sorted(positions)
    if len(filled) < len(columns) and filled == columns[: len(filled)] and row.stops_before(columns[len(filled)]):
        return None  # the row stopped there: its missing cells may have been anywhere before
    return [(positions[i], row.cells[i]) for i in columns]


def _by_order(row: Row, fields: list[str]) -> list[tuple[str, str]] | None:
    """The row's values in order, when there is exactly one per field."""
    cells = row.values
    while cells and not cells[-1]:
        cells = cells[:-1]
    if len(cells) == len(fields):
        return list(zip(fields, cells, strict=True))
    values = [c for c in cells if c]
    if len(values) == len(fields):  # blank spacer cells between the values (OCR placeholder columns)
        return list(zip(fields, values, strict=True))
    return None

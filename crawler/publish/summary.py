"""A record as a person reads it: identity, sections, the three tables laid out, failed checks.

Also the plain-text table helpers every command's tables use (:func:`width`, :func:`pad`, :func:`line`):
one rule for how wide Chinese text is on a terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from crawler.core.parse.labels import COLUMN_LABELS, REQUEST_COLUMNS, REQUEST_ROWS, REVIEW_FIELD_LABELS, REVIEW_FIELDS
from crawler.core.parse.proactive_table import ITEMS
from crawler.core.record_types import Record

_ROW_LABELS = {r.key: r.label for r in REQUEST_ROWS} | {"other": "其他处理", "partially_disclosed": "部分公开"}
_GROUP_LABELS = {"review": "行政复议", "litigation_direct": "诉讼(未经复议)", "litigation_after_review": "诉讼(复议后)"}
_FIELD_LABELS = {
    "made": "制发/制作",
    "repealed": "废止",
    "in_force": "现行有效",
    "published": "新公开",
    "total": "公开总数",
    "previous": "上一年",
    "change": "增/减",
    "decisions": "处理决定",
    "amount_10k_yuan": "金额(万元)",
    "items": "采购项目",
    "amount": "采购金额",
}


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide and full-width characters (Chinese) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``size`` columns, on the right (or on the left: ``right``-aligned)."""
    fill = " " * max(size - width(text), 0)
    return fill + text if right else text + fill


def line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """One line of a plain-text table: each cell padded to its column, two spaces between columns."""
    return "  ".join(pad(c, w) for c, w in zip(cells, widths, strict=True))


def cell(value: Any) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def render(record: Record) -> str:
    out: list[str] = []
    region = "/".join(str(v) for v in record["region"].values() if v) or "—"
    out.append(record["title"])
    out.append(
        f"  agency {record['agency'] or '—'} | year {record['year'] or '—'} | published {record['published_date'] or '—'}"
        f" | region {region} | template {record['template']} | {record['source_format']}"
    )
    out.append(f"  id {record['id']} | sha256 {record['sha256'][:16]}…")
    out.append("")
    out.append("Sections")
    for s in record["sections"]:
        out.append(f"  {s['number']}、{s['heading']}  ({len(s['text'])} chars)")
    if not record["sections"]:
        out.append("  (none found)")
    out += _proactive(record.get("proactive"))
    out += _requests(record.get("requests"))
    out += _review(record.get("review_litigation"))
    if record.get("figures"):
        out.append("")
        out.append("Figures stated in the text")
        for name, value in record["figures"].items():
            out.append(f"  {name} = {cell(value)}")
    failed = [c for c in record["checks"] if c["ok"] is False]
    unknown = sum(1 for c in record["checks"] if c["ok"] is None)
    out.append("")
    out.append(f"Checks: {len(record['checks'])} evaluated, {len(failed)} failed, {unknown} undecidable (blank cells)")
    for c in failed:
        out.append(f"  FAILED {c['rule']} [{c.get('scope', '')}] {c['detail']}")
    if record["warnings"]:
        out.append("Warnings")
        out += [f"  {w}" for w in record["warnings"]]
    return "\n".join(out)


def _proactive(table: Mapping[str, Any] | None) -> list[str]:
    out = ["", "Table 二 主动公开"]
    if not table:
        return out + ["  (not found)"]
    for key, fields in table.items():
        if key == "labels":
            continue
        if key == "extra_rows":
            for extra in fields:
                out.append(f"  + {extra['label']}: {' '.join(cell(v) for v in extra['values'])}")
            continue
        shown = "  ".join(f"{_FIELD_LABELS.get(f, f)} {cell(v)}" for f, v in fields.items())
        out.append(f"  {pad(ITEMS.get(key, key), 22)}{shown}")
    return out


def _requests(table: Mapping[str, Any] | None) -> list[str]:
    out = ["", "Table 三 依申请公开"]
    if not table:
        return out + ["  (not found)"]
    head = "".join(pad(COLUMN_LABELS[c][:4], 10, right=True) for c in REQUEST_COLUMNS)
    out.append(f"  {pad('', 30)}{head}")
    for key, values in table["rows"].items():
        label = _ROW_LABELS.get(key, key)[:14]
        out.append(f"  {pad(label, 30)}{''.join(pad(cell(v), 10, right=True) for v in values)}")
    for extra in table["extra_rows"]:
        label = f"+ {extra['label'][:12]} ({extra['kind']})"
        out.append(f"  {pad(label, 30)}{''.join(pad(cell(v), 10, right=True) for v in extra['values'])}")
    return out


def _review(table: Mapping[str, Any] | None) -> list[str]:
    out = ["", "Table 四 行政复议、行政诉讼"]
    if not table:
        return out + ["  (not found)"]
    out.append(f"  {pad('', 18)}{''.join(pad(REVIEW_FIELD_LABELS[f], 10, right=True) for f in REVIEW_FIELDS)}")
    for group, values in table.items():
        out.append(f"  {pad(_GROUP_LABELS[group], 18)}{''.join(pad(cell(values[f]), 10, right=True) for f in REVIEW_FIELDS)}")
    return out

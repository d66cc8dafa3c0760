"""Figures from the old 附表 政府信息公开情况统计表 of pre-2019 reports.

Those tables are lists of indicators ("（一）主动公开政府信息数 | 条 | 2187"),
sometimes two lists side by side, sometimes with a column per year. They are not
the 2019/2021 tables, so only whole indicator labels are matched here, never a
word inside a longer label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from crawler.core.document import Table
from crawler.core.parse.values import parse_value

# indicator label (numbering, "其中：" and spaces removed) → figure
_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("proactive_items", re.compile(r"主动公开(?:政府)?信息(?:总)?(?:数|数量|条数)")),
    ("requests_received", re.compile(r"(?:收到|受理)(?:政府信息公开)?申请(?:总)?(?:数|数量|件数)")),
    ("requests_completed", re.compile(r"(?:申请)?办结(?:数|数量|件数)")),
    ("requests_disclosed", re.compile(r"(?:同意公开|予以公开)(?:答复)?(?:数|数量|件数)")),
    ("requests_partially_disclosed", re.compile(r"(?:同意部分公开|部分公开)(?:答复)?(?:数|数量|件数)")),
    ("requests_refused", re.compile(r"(?:不同意公开|不予公开)(?:答复)?(?:数|数量|件数)")),
    ("review_cases", re.compile(r"(?:因政府信息公开(?:申请)?(?:提起)?)?(?:申请)?行政复议(?:案件)?(?:数|数量|件数)")),
    ("litigation_cases", re.compile(r"(?:因政府信息公开(?:申请)?)?(?:提起)?行政诉讼(?:案件)?(?:数|数量|件数)")),
    ("fees_yuan", re.compile(r"(?:依申请公开(?:政府)?信息)?收取(?:的)?(?:费用|处理费)(?:总额|数额)?")),
)
_NUMBERING = re.compile(r"^(?:其中[：:]?)?(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）]?[、.．]?)?|[\s　]+")
_UNIT = re.compile(r"^[（(]?(?:条|件|个|项|次|人次|万元|元)[)）]?$")
Value = int | float
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def _figure_of(label: str) -> str | None:
    core = _NUMBERING.sub("", label)
    core = re.sub(r"[（(](?:条|件|个|项|次|万元|元)[)）]$", "", core)
    for name, pattern in _LABELS:
        if pattern.fullmatch(core):
            return name
    return None


def _year_columns(table: Table) -> dict[int, int]:
    """{year: column} when the header row has a column per year ("2016年 | 2015年")."""
    for row in table.rows[:3]:
        years = {int(m.group(1)): i for i, c in enumerate(row) if (m := _YEAR.fullmatch(c.strip().rstrip("度")))}
        if len(years) >= 2:
            return years
    return {}


def appendix_figures(table: Table, year: int | None) -> Iterator[tuple[str, int | float, str]]:
    """(figure, value, the row as evidence) for each indicator row the table states a number for."""
    years = _year_columns(table)
    if years and year not in years:
        return  # a table of other years' figures is not this report's
    for row in table.rows:
        cells = [c.strip() for c in row]
        for i, cell in enumerate(cells):
            name = _figure_of(cell) if cell else None
            if name is None:
                continue
            value, unit = _value_after(cells, i, years.get(year) if year is not None else None)
            if value is None:
                continue
            if name == "fees_yuan" and "万元" in (cell + unit):
                value = to_yuan(value)
            yield name, value, " | ".join(c for c in cells if c)


def _value_after(cells: list[str], i: int, column: int | None) -> tuple[int | float | None, str]:
    """The row's number for the label in cell i: its year's column, else the first number after it (unit cells skipped)."""
    if column is not None:
        value, _ = parse_value(cells[column]) if column < len(cells) else (None, None)
        units = [c for c in cells[i + 1 : column] if _UNIT.match(c)]
        return value, "".join(units)
    unit = ""
    for cell in cells[i + 1 : i + 4]:
        if not cell:
            continue
        if _UNIT.match(cell):
            unit = cell
            continue
        value, note = parse_value(cell)
        return value, unit + (note or "")
    return None, unit


def to_yuan(value: Value) -> Value:
    """万元 → 元 without float debris (0.12万元 is 1200, not 1200.0000000000002)."""
    yuan = Decimal(str(value)) * 10000
    return int(yuan) if yuan == yuan.to_integral_value() else float(yuan)

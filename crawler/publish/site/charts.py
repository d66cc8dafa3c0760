"""The static report's charts: one SQL query over the browse database each, drawn by matplotlib as SVG.

Each :class:`Chart` names its query (the site links to it, runnable in Datasette) and a
function that draws the query's rows. Text stays text in the SVG (``svg.fonttype: none``)
with a Chinese-capable font list, so the browser draws province names with its own CJK
font; matplotlib only measures them, with whatever font it has.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: series colours (colour-blind safe, Okabe–Ito); the tests look for these in the SVGs
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "DejaVu Sans"]
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "govreports",  # stable element ids: the same data gives the same file
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

Rows = Sequence[dict[str, Any]]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    sql: str
    draw: Callable[[Rows], Figure]


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _grouped_bars(ax: Axes, categories: list[str], series: dict[str, list[float]]) -> None:
    width = 0.8 / max(len(series), 1)
    for n, (name, values) in enumerate(series.items()):
        xs = [i + (n - (len(series) - 1) / 2) * width for i in range(len(categories))]
        ax.bar(xs, values, width=width, label=name, color=PALETTE[n % len(PALETTE)])
    ax.set_xticks(range(len(categories)), categories)
    ax.legend(frameon=False)


# 1. requests received, disclosed and refused per year -----------------------------------------

REQUESTS_SQL = """
select year,
  sum(case when row_key = 'new' then value end) as received,
  sum(case when row_key in ('disclosed', 'partially_disclosed') then value end) as disclosed,
  sum(case when row_key like 'withheld.%' then value end) as refused
from cells
where "table" = 'requests' and column_key = 'total' and year is not null
group by year order by year
""".strip()


def draw_requests(rows: Rows) -> Figure:
    fig = _figure(7.5, 3.6)
    ax = fig.add_subplot()
    series = {
        "received (本年新收)": [_num(r["received"]) for r in rows],
        "disclosed in full or part (予以公开 + 部分公开)": [_num(r["disclosed"]) for r in rows],
        "refused (不予公开)": [_num(r["refused"]) for r in rows],
    }
    _grouped_bars(ax, [str(r["year"]) for r in rows], series)
    ax.set_ylabel("requests (all reports)")
    return fig


# 2. review and litigation outcomes -----------------------------------------------------------

OUTCOMES_SQL = """
select year, row_key as proceeding, column_key as outcome, sum(value) as cases
from cells
where "table" = 'review_litigation' and column_key in ('upheld', 'corrected', 'other', 'pending') and year is not null
group by year, row_key, column_key order by year, row_key, column_key
""".strip()

PROCEEDINGS = {
    "review": "行政复议 review",
    "litigation_direct": "行政诉讼 litigation",
    "litigation_after_review": "复议后起诉 after review",
}
OUTCOMES = {"upheld": "upheld 维持", "corrected": "corrected 纠正", "other": "other 其他", "pending": "pending 尚未审结"}


def draw_outcomes(rows: Rows) -> Figure:
    years = sorted({int(r["year"]) for r in rows})
    fig = _figure(9, 3.4)
    axes = fig.subplots(1, len(PROCEEDINGS), sharey=True)
    cases = {(int(r["year"]), r["proceeding"], r["outcome"]): _num(r["cases"]) for r in rows}
    for ax, (proceeding, title) in zip(axes, PROCEEDINGS.items(), strict=True):
        bottom = [0.0] * len(years)
        for n, (outcome, label) in enumerate(OUTCOMES.items()):
            values = [cases.get((y, proceeding, outcome), 0.0) for y in years]
            ax.bar([str(y) for y in years], values, bottom=bottom, label=label, color=PALETTE[n])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title(title)
    axes[0].set_ylabel("cases")
    axes[-1].legend(frameon=False, fontsize=8)
    return fig


# 3. reports per province per year -----------------------------------------------------------

PROVINCE_YEAR_SQL = """
select coalesce(province, '(unknown)') as province, year, count(*) as reports
from reports where year is not null
group by 1, 2 order by 1, 2
""".strip()


def draw_province_year(rows: Rows) -> Figure:
    provinces = sorted({str(r["province"]) for r in rows})
    years = sorted({int(r["year"]) for r in rows})
    counts = {(str(r["province"]), int(r["year"])): int(r["reports"]) for r in rows}
    fig = _figure(max(4.5, 1.1 + 0.7 * len(years)), max(2.2, 0.9 + 0.35 * len(provinces)))
    ax = fig.add_subplot()
    grid = [[counts.get((p, y), 0) for y in years] for p in provinces]
    ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=max(max(row) for row in grid))
    peak = max(max(row) for row in grid)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value:
                ax.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_yticks(range(len(provinces)), provinces)
    ax.spines[:].set_visible(False)
    return fig


# 4. the share of reports failing each check --------------------------------------------------

FAILING_SQL = """
select rule,
  count(distinct report_id) as reports_checked,
  count(distinct case when ok = 0 then report_id end) as reports_failing,
  round(100.0 * count(distinct case when ok = 0 then report_id end) / count(distinct report_id), 1) as percent_failing
from checks
where ok is not null
group by rule order by percent_failing desc, rule
""".strip()


def draw_failing(rows: Rows) -> Figure:
    fig = _figure(7.5, max(2.0, 0.8 + 0.3 * len(rows)))
    ax = fig.add_subplot()
    labels = [str(r["rule"]) for r in rows][::-1]
    values = [_num(r["percent_failing"]) for r in rows][::-1]
    bars = ax.barh(labels, values, color=PALETTE[3])
    ax.bar_label(bars, labels=[f"{v:g}%" for v in values], padding=3, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the reports the rule could be checked on that fail it")
    return fig


# 5. coverage by province (a table, no chart) --------------------------------------------------

COVERAGE_SQL = """
select coalesce(province, '(unknown)') as province,
  count(*) as reports,
  count(distinct agency) as agencies,
  count(distinct year) as years,
  min(year) as first_year,
  max(year) as last_year,
  sum(n_failed_checks > 0) as reports_failing_checks
from reports
group by 1 order by reports desc, province
""".strip()

CHARTS = (
    Chart(
        "requests",
        "Requests received, disclosed and refused per year",
        "Sums of table 三's 总计 column over all reports of each year.",
        REQUESTS_SQL,
        draw_requests,
    ),
    Chart(
        "outcomes",
        "Administrative review and litigation outcomes",
        "Table 四, summed per year: cases upheld, corrected, other and pending for each kind of proceeding.",
        OUTCOMES_SQL,
        draw_outcomes,
    ),
    Chart(
        "province_year",
        "Reports per province per year",
        "How many reports the store holds for each province and year.",
        PROVINCE_YEAR_SQL,
        draw_province_year,
    ),
    Chart(
        "failing",
        "Share of reports failing each check",
        "For each consistency rule, the share of reports it could be evaluated on (no blank cell needed) that fail it.",
        FAILING_SQL,
        draw_failing,
    ),
)


def svg(chart: Chart, rows: Rows) -> str:
    """The chart drawn from its rows, as an SVG document (no XML declaration, for inlining in HTML)."""
    # rc_context is typed with the literal names of every setting; ours are checked by matplotlib at run time
    with matplotlib.rc_context(cast(Any, _RC)), warnings.catch_warnings():
        # matplotlib measures CJK labels with a font that may lack them; the browser draws them with its own
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        fig = chart.draw(rows)
        fig.set_gid(f"chart-{chart.key}")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]

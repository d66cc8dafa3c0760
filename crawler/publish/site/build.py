"""The static report: one HTML page with the charts inline as SVG, openable offline (no script, no CDN).

Written into ``out/``: ``index.html`` (everything inline), ``charts/*.svg`` (each chart alone),
``data/*.csv`` (the rows behind each chart and the coverage table) and ``queries/*.sql``.
Each chart links to its query three ways: open in Datasette (``govreports serve``), the SQL
file, and the CSV of its result.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from crawler.core.errors import ReportError
from crawler.publish.site.charts import CHARTS, COVERAGE_SQL, Chart, svg

DEFAULT_DATASETTE = "http://127.0.0.1:8001"

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif;
       margin: 2rem auto; max-width: 68rem; padding: 0 1rem; color: #1b1f24; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.meta { color: #57606a; margin-top: 0; }
figure { margin: 2rem 0; padding: 1rem; border: 1px solid #d0d7de; border-radius: 6px; }
figure svg { max-width: 100%; height: auto; }
figure svg text { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif !important; }
figcaption h2 { font-size: 1.15rem; margin: 0 0 .3rem; }
.links a { margin-right: 1rem; }
.empty { color: #57606a; font-style: italic; }
details pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
"""


def _rows(db: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _write_csv(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _columns(db: sqlite3.Connection, sql: str) -> list[str]:
    return [d[0] for d in db.execute(f"select * from ({sql}) limit 0").description]


def _links(key: str, sql: str, datasette: str, database: str) -> str:
    query_url = f"{datasette.rstrip('/')}/{quote(database)}?sql={quote(sql)}"
    return (
        f'<p class="links"><a class="query" href="{html.escape(query_url)}">open the query in Datasette</a>'
        f'<a href="queries/{key}.sql">SQL</a><a href="data/{key}.csv">data (CSV)</a></p>'
        f"<details><summary>the query</summary><pre>{html.escape(sql)}</pre></details>"
    )


def _figure(chart: Chart, rows: list[dict[str, Any]], drawing: str | None, datasette: str, database: str) -> str:
    body = drawing if drawing is not None else '<p class="empty">No data in the store for this chart yet.</p>'
    return (
        f'<figure id="{chart.key}"><figcaption><h2>{html.escape(chart.title)}</h2>'
        f"<p>{html.escape(chart.description)}</p></figcaption>{body}{_links(chart.key, chart.sql, datasette, database)}</figure>"
    )


def _coverage(rows: list[dict[str, Any]], columns: list[str], datasette: str, database: str) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if row[c] is None else str(row[c]))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    table = f'<table id="coverage-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    if not rows:
        table = '<p class="empty">No reports in the store yet.</p>'
    return (
        '<figure id="coverage"><figcaption><h2>Coverage by province</h2>'
        "<p>Reports, reporting organs and years per province; reports failing at least one check.</p></figcaption>"
        f"{table}{_links('coverage', COVERAGE_SQL, datasette, database)}</figure>"
    )


def build(browse_db: Path, out: Path, datasette: str = DEFAULT_DATASETTE) -> dict[str, int]:
    """Write the site from a browse database; returns how many rows each chart drew (0: an empty chart)."""
    try:
        db = sqlite3.connect(f"file:{browse_db}?mode=ro", uri=True)
        info = dict(db.execute("select key, value from build_info").fetchall())
    except sqlite3.Error as exc:
        raise ReportError(f"cannot read the browse database {browse_db}: {exc}") from exc
    for folder in ("charts", "data", "queries"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    database = browse_db.stem
    drawn: dict[str, int] = {}
    sections = []
    try:
        for chart in CHARTS:
            rows = _rows(db, chart.sql)
            drawing = svg(chart, rows) if rows else None
            if drawing is not None:
                (out / "charts" / f"{chart.key}.svg").write_text(drawing, "utf-8")
            _write_csv(out / "data" / f"{chart.key}.csv", rows, _columns(db, chart.sql))
            (out / "queries" / f"{chart.key}.sql").write_text(chart.sql + "\n", "utf-8")
            sections.append(_figure(chart, rows, drawing, datasette, database))
            drawn[chart.key] = len(rows)
        coverage = _rows(db, COVERAGE_SQL)
        columns = _columns(db, COVERAGE_SQL)
        _write_csv(out / "data" / "coverage.csv", coverage, columns)
        (out / "queries" / "coverage.sql").write_text(COVERAGE_SQL + "\n", "utf-8")
        sections.append(_coverage(coverage, columns, datasette, database))
        drawn["coverage"] = len(coverage)
        reports = db.execute("select count(*) from reports").fetchone()[0]
    finally:
        db.close()
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html>
<html lang="zh-Hans">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>govreports: 政府信息公开工作年度报告, {reports} reports</title>
<style>{_CSS}</style></head>
<body>
<h1>政府信息公开工作年度报告: the corpus in charts</h1>
<p class="meta">{reports} reports; data derived {html.escape(info.get("built_at", "?"))} from {html.escape(info.get("source", "?"))};
page made {made}. Every chart links to the query behind it.</p>
{"".join(sections)}
</body>
</html>
"""
    (out / "index.html").write_text(page, "utf-8")
    return drawn

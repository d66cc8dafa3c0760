"""``govreports report``: the static site renders offline in Chromium, its charts draw the data, its links run the queries."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import subprocess
import sys
import urllib.parse

import pytest
from PIL import Image

from crawler.publish.site.charts import CHARTS, COVERAGE_SQL, PALETTE
from crawler.store.database import Store, database_url
from tests.browser import chromium_page
from tests.conftest import ROOT
from tests.corpus_store import corpus, make_store


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


PALETTE_RGB = [rgb(c) for c in PALETTE]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    store, _ = make_store(data)
    store.close()
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler",
            "report",
            "--data-dir",
            str(data),
            "--out",
            str(out),
            "--datasette-url",
            "http://127.0.0.1:8001",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "without data" not in result.stderr
    return out, data / "browse.sqlite"


def read_csv(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def test_the_page_is_self_contained(site):
    out, _ = site
    page = (out / "index.html").read_text("utf-8")
    assert "<script" not in page, "no JavaScript: nothing to fetch, nothing to break offline"
    assert not re.search(r"""(src|href)=["'](https?:)?//(?!127\.0\.0\.1:8001/)""", page), "no CDN or other remote resource"
    assert not re.search(r"<link[^>]+stylesheet", page)
    for chart in CHARTS:
        assert (out / "charts" / f"{chart.key}.svg").read_text("utf-8").startswith("<svg")


def test_each_chart_links_to_the_query_behind_it(site):
    out, browse = site
    page = (out / "index.html").read_text("utf-8")
    db = sqlite3.connect(browse)
    for key, sql in [*((c.key, c.sql) for c in CHARTS), ("coverage", COVERAGE_SQL)]:
        figure = page[page.index(f'<figure id="{key}"') :]
        figure = figure[: figure.index("</figure>")]
        href = re.search(r'<a class="query" href="([^"]+)"', figure).group(1).replace("&amp;", "&")
        assert href.startswith("http://127.0.0.1:8001/browse?sql=")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["sql"][0]
        assert query == sql == (out / "queries" / f"{key}.sql").read_text("utf-8").strip()
        cursor = db.execute(query)
        names = [d[0] for d in cursor.description]
        fresh = [{n: "" if v is None else str(v) for n, v in zip(names, row)} for row in cursor]
        assert fresh and fresh == read_csv(out / "data" / f"{key}.csv"), key
    db.close()


def test_chart_data_adds_up_to_the_records(site):
    out, _ = site
    received = {int(r["year"]): float(r["received"]) for r in read_csv(out / "data" / "requests.csv")}
    expected: dict[int, float] = {}
    for record in corpus():
        value = ((record["requests"] or {}).get("rows") or {}).get("new", [None] * 7)[6]
        if value is not None:
            expected[record["year"]] = expected.get(record["year"], 0) + value
    assert received == expected
    per_province = {(r["province"], int(r["year"])): int(r["reports"]) for r in read_csv(out / "data" / "province_year.csv")}
    assert sum(per_province.values()) == len(corpus())
    failing = {r["rule"]: int(r["reports_failing"]) for r in read_csv(out / "data" / "failing.csv")}
    for rule in ("T3-2", "T4-1"):
        assert failing[rule] == sum(1 for r in corpus() if any(c.split(":")[0] == rule for c in r["failed_checks"]))


def marks(page, key: str) -> list[dict]:
    """Every filled SVG path in a chart, with its colour and size on screen."""
    return page.evaluate(
        """(key) => Array.from(document.querySelectorAll(`#${key} svg path`)).map(p => {
            const box = p.getBoundingClientRect();
            return {fill: getComputedStyle(p).fill, width: box.width, height: box.height};
        })""",
        key,
    )


def coloured_pixels(png: bytes) -> int:
    data = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    count = 0
    for i in range(0, len(data), 3):
        r, g, b = data[i], data[i + 1], data[i + 2]
        if max(r, g, b) - min(r, g, b) > 60:  # saturated: a bar or a heat cell, not text, axes or background
            count += 1
    return count


def test_chromium_renders_every_chart_with_its_data(site, tmp_path):
    out, _ = site
    requests = read_csv(out / "data" / "requests.csv")
    failing = read_csv(out / "data" / "failing.csv")
    with chromium_page(1200, 900) as (page, blocked):
        page.goto((out / "index.html").as_uri())
        page.screenshot(path=str(tmp_path / "site.png"), full_page=True)
        assert blocked == [], "the page opens offline: it asks for nothing"

        bars = [m for m in marks(page, "requests") if m["fill"] in PALETTE_RGB[:3] and m["height"] > 0.5 and m["width"] > 0.5]
        positive = sum(1 for row in requests for k in ("received", "disclosed", "refused") if row[k] and float(row[k]) > 0)
        legend = 3
        assert positive > 0 and len(bars) == positive + legend

        bars = [m for m in marks(page, "failing") if m["fill"] == PALETTE_RGB[3] and m["width"] > 0.5]
        assert len(bars) == sum(1 for row in failing if float(row["percent_failing"]) > 0) > 0

        outcome_bars = [m for m in marks(page, "outcomes") if m["fill"] in PALETTE_RGB[:4] and m["height"] > 0.5]
        assert len(outcome_bars) > 4

        for chart in CHARTS:
            shot = page.locator(f"#{chart.key} svg").screenshot()
            assert coloured_pixels(shot) > 400, f"{chart.key} draws something"

        rows = page.locator("#coverage-table tbody tr").all_inner_texts()
        provinces = {r["region"]["province"] or "(unknown)" for r in corpus()}
        assert len(rows) == len(provinces)
        total = page.evaluate(
            "() => Array.from(document.querySelectorAll('#coverage-table tbody tr td:nth-child(2)')).reduce((s, td) => s + Number(td.textContent), 0)"
        )
        assert total == len(corpus())


def test_an_empty_store_gives_a_page_that_says_so(tmp_path):
    Store(database_url(tmp_path, None)).close()
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "report", "--data-dir", str(tmp_path), "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "without data" in result.stderr
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert page.count("No data in the store for this chart yet.") == len(CHARTS)
    assert "<svg" not in page


def test_report_on_a_missing_store_is_a_one_line_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "report", "--data-dir", str(tmp_path / "none"), "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1

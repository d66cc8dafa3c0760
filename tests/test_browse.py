"""``govreports serve``: the browse database, Chinese full-text search, and Datasette queried over HTTP and in Chromium."""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse

import pytest

from crawler.publish.browse.build import build, replay_url
from crawler.publish.browse.fts import bigram_text, match_query
from crawler.publish.exports import cell_rows
from tests.browser import chromium_page, free_port, get_json, running
from tests.conftest import ROOT
from tests.corpus_store import corpus, make_store

HAN = re.compile(r"[\u4e00-\u9fff]+")


# full-text search ---------------------------------------------------------------------------


def fts_db(texts: list[str]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(t, content='', tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO f (rowid, t) VALUES (?, ?)", [(i, bigram_text(t)) for i, t in enumerate(texts)])
    return db


def search(db: sqlite3.Connection, query: str) -> set[int]:
    return {row[0] for row in db.execute("SELECT rowid FROM f WHERE f MATCH ?", (match_query(query),))}


def test_search_finds_exactly_the_texts_containing_a_chinese_substring():
    """Random Han substrings (1 to 6 characters) of the real reports: FTS gives the reports whose text contains them."""
    texts = [r["text"] for r in corpus()]
    db = fts_db(texts)
    rng = random.Random(13)
    runs = [run for text in texts for run in HAN.findall(text) if len(run) >= 2]
    tried = 0
    for _ in range(300):
        run = rng.choice(runs)
        size = rng.randint(1, min(6, len(run)))
        start = rng.randrange(len(run) - size + 1)
        term = run[start : start + size]
        assert search(db, term) == {i for i, t in enumerate(texts) if term in t}, term
        tried += 1
    assert tried == 300


def test_search_terms_all_match_and_words_and_digits_work():
    texts = ["本机关收到行政复议申请2件。", "行政诉讼1件，政府信息公开", "2023年度报告 PDF"]
    db = fts_db(texts)
    assert search(db, "行政") == {0, 1}
    assert search(db, "行政 公开") == {1}
    assert search(db, '"政府信息"') == {1}
    assert search(db, "2023年度") == {2}
    assert search(db, "pdf") == {2}
    assert search(db, "复议申请2件") == {0}
    assert search(db, "政复议") == {0}
    assert search(db, "议申请诉") == set()
    assert search(db, "。，") == set(), "punctuation alone matches nothing and is no syntax error"
    assert search(db, "申请。行政") == set(), "a query never matches across the report's punctuation"


# the browse database --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("data")
    store, _ = make_store(path)
    store.close()
    return path


@pytest.fixture(scope="module")
def browse(data_dir, tmp_path_factory):
    from crawler.store.database import Store, database_url

    store = Store(database_url(data_dir, None))
    out = tmp_path_factory.mktemp("browse") / "browse.sqlite"
    counts = build(store, out, "http://127.0.0.1:8080/govreports/")
    store.close()
    db = sqlite3.connect(out)
    yield db, counts
    db.close()


def test_browse_tables_hold_the_store(browse):
    db, counts = browse
    records = corpus()
    assert counts["reports"] == len(records) == db.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert counts["cells"] == len(list(cell_rows(records))) == db.execute("SELECT count(*) FROM cells").fetchone()[0]
    assert db.execute("SELECT count(*) FROM checks").fetchone()[0] == sum(len(r["checks"]) for r in records)
    failing = {r["id"] for r in records if r["failed_checks"]}
    assert failing
    assert {row[0] for row in db.execute("SELECT DISTINCT report_id FROM checks WHERE ok = 0")} == failing
    assert db.execute("SELECT sum(reports) FROM coverage").fetchone()[0] == len(records)
    assert {row[0] for row in db.execute("SELECT outcome FROM crawl_failures")} == {"failed", "skipped"}


def test_browse_cells_keep_nulls_and_numbers(browse):
    db, _ = browse
    record = next(r for r in corpus() if r["template"] == "2021" and r["year"] == 2022)
    got = db.execute(
        """SELECT value FROM cells WHERE report_id = ? AND "table" = 'requests' AND row_key = 'new' AND column_key = 'total'""",
        (record["id"],),
    ).fetchone()[0]
    assert got == record["requests"]["rows"]["new"][6]
    blank = next(
        (k, i) for k, values in record["requests"]["rows"].items() for i, v in enumerate(values) if v is None
    ) if any(v is None for vs in record["requests"]["rows"].values() for v in vs) else None  # fmt: skip
    if blank:
        column = record["requests"]["columns"][blank[1]]
        value = db.execute(
            """SELECT value FROM cells WHERE report_id = ? AND "table" = 'requests' AND row_key = ? AND column_key = ?""",
            (record["id"], blank[0], column),
        ).fetchone()
        assert value == (None,), "a blank cell stays null, not 0"


def test_report_rows_link_to_their_replayed_capture(browse):
    db, _ = browse
    record = corpus()[2]
    row = db.execute(
        "SELECT replay_url, warc_file, warc_offset, failed_rules FROM reports WHERE id = ?", (record["id"],)
    ).fetchone()
    stamp = re.sub(r"\D", "", record["fetched_at"])[:14]
    assert row[0] == f"http://127.0.0.1:8080/govreports/{stamp}/{record['url']}"
    assert row[1:3] == (record["warc"]["file"], record["warc"]["offset"])
    assert replay_url("http://x/c/", {"url": None}) is None


def test_building_never_writes_the_store(data_dir, tmp_path):
    before = hashlib.sha256((data_dir / "records.sqlite").read_bytes()).hexdigest()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler",
            "serve",
            "--data-dir",
            str(data_dir),
            "--browse-db",
            str(tmp_path / "b.sqlite"),
            "--build-only",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert f"{len(corpus())} reports" in result.stderr
    assert hashlib.sha256((data_dir / "records.sqlite").read_bytes()).hexdigest() == before


def test_serve_without_a_store_is_a_one_line_error(tmp_path):
    for extra in ([], ["--no-rebuild"]):
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "serve", "--data-dir", str(tmp_path / "none"), *extra],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 2
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "none").exists()


# Datasette, over HTTP and in a browser ---------------------------------------------------------


@pytest.fixture(scope="module")
def server(data_dir):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(["serve", "--data-dir", str(data_dir), "--port", str(port)], f"{base}/-/versions.json"):
        yield base


def q(value: str) -> str:
    return urllib.parse.quote(value)


def test_json_api_search_in_chinese(server):
    for term in ("信息公开", "复议", "依申请公开"):
        rows = get_json(f"{server}/browse/reports.json?_search={q(term)}&_shape=array&_col=id&_size=max")
        expected = {r["id"] for r in corpus() if term in r["text"] or term in r["title"]}
        assert expected, term
        assert {row["id"] for row in rows} == expected, term


def test_json_api_facets(server):
    data = get_json(f"{server}/browse/reports.json?_size=0")
    facets = data["facet_results"]
    assert {"province", "year", "template", "failed_rules"} <= set(facets)
    counts = {f["value"]: f["count"] for f in facets["province"]["results"]}
    assert counts["江苏省"] == sum(1 for r in corpus() if r["region"]["province"] == "江苏省")
    rules = {f["value"]: f["count"] for f in facets["failed_rules"]["results"]}
    expected: dict[str, int] = {}
    for r in corpus():
        for rule in {c.split(":")[0] for c in r["failed_checks"]}:
            expected[rule] = expected.get(rule, 0) + 1
    assert expected and rules == expected


def test_canned_queries(server):
    year = next(r["year"] for r in corpus() if any(c.startswith("T3-") for c in r["failed_checks"]))
    rows = get_json(f"{server}/browse/failed_t3_checks_in_year.json?year={year}&_shape=array")
    expected = {
        (r["id"], c) for r in corpus() if r["year"] == year for c in r["failed_checks"] if c.startswith("T3-")
    }  # fmt: skip
    assert {(row["id"], f"{row['rule']}:{row['scope']}") for row in rows} == expected
    assert get_json(f"{server}/browse/failed_t3_checks_in_year.json?year=1999&_shape=array") == []

    agency = "南通市海门区市场监督管理局"
    trend = get_json(f"{server}/browse/agency_requests_trend.json?agency={q(agency)}&_shape=array")
    records = sorted((r for r in corpus() if r["agency"] == agency), key=lambda r: r["year"])
    assert [row["year"] for row in trend] == [r["year"] for r in records] == [2022, 2023, 2024]
    assert [row["received"] for row in trend] == [r["requests"]["rows"]["new"][6] for r in records]
    assert [row["disclosed"] for row in trend] == [r["requests"]["rows"]["disclosed"][6] for r in records]

    found = get_json(f"{server}/browse/search_reports.json?q={q('行政复议')}&_shape=array")
    assert {row["id"] for row in found} == {r["id"] for r in corpus() if "行政复议" in r["text"] or "行政复议" in r["title"]}


def test_read_only(server):
    databases = get_json(f"{server}/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("browse", False)]
    url = f"{server}/browse.json?sql={q('insert into build_info values (1, 2)')}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        get_json(url)
    assert refused.value.code == 400
    refused.value.close()


def test_a_page_and_a_facet_in_chromium(server, tmp_path):
    with chromium_page() as (page, blocked):
        page.goto(f"{server}/browse/reports")
        assert page.title() == f"browse: reports: {len(corpus())} rows sorted by year descending"
        facet = page.locator(".facet-info[data-column='province']")
        assert "江苏省" in facet.inner_text()
        page.locator(".facet-info[data-column='province'] a", has_text="江苏省").first.click()
        page.wait_for_url(re.compile(r"province=%E6%B1%9F%E8%8B%8F%E7%9C%81"))
        agencies = page.locator("table.rows-and-columns td.col-agency").all_inner_texts()
        assert agencies and set(agencies) == {r["agency"] for r in corpus() if r["region"]["province"] == "江苏省"}
        page.fill("input[name='_search']", "行政复议")
        page.locator("input[name='_search']").press("Enter")
        page.wait_for_url(re.compile(r"_search="))
        shown = len(page.locator("table.rows-and-columns tbody tr").all())
        assert shown == sum(1 for r in corpus() if r["region"]["province"] == "江苏省" and "行政复议" in r["text"])
        link = page.locator("td.col-replay_url a").first
        assert link.get_attribute("href").startswith("http://127.0.0.1:8080/govreports/")
        page.screenshot(path=str(tmp_path / "reports.png"))
        assert (tmp_path / "reports.png").stat().st_size > 10_000
        assert blocked == [], "Datasette's pages load nothing from off the machine"


def test_browse_database_from_a_postgresql_store(tmp_path):
    """A PostgreSQL store is exported into the same SQLite browse database."""
    from crawler.store.database import Store, database_url
    from tests.corpus_store import fill
    from tests.services import pg_schema_url

    gen = pg_schema_url()
    url = next(gen)
    try:
        store = Store(database_url(tmp_path, url))
        fill(store)
        counts = build(store, tmp_path / "browse.sqlite")
        store.close()
    finally:
        gen.close()
    db = sqlite3.connect(tmp_path / "browse.sqlite")
    assert counts["reports"] == len(corpus()) == db.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert db.execute("SELECT value FROM build_info WHERE key = 'source'").fetchone()[0].startswith("postgresql+psycopg://")
    ids = {
        row[0]
        for row in db.execute(
            "SELECT id FROM reports WHERE rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?)",
            (match_query("复议"),),
        )
    }
    assert ids == {r["id"] for r in corpus() if "复议" in r["text"] or "复议" in r["title"]}
    db.close()

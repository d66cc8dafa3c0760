"""Many writer processes, one store: overlapping report groups give no duplicate and lose no source.

As in a distributed crawl or a cluster rebuild, each report is shown by three pages (groups),
and four processes store every group, each in its own order, at the same time: the same
group by several processes, the same report from several groups. PostgreSQL (the real
server, a fresh schema) and a shared SQLite file must both end with one row per report,
every page's sources in it, every group mapped to it, and no writer failing.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.store.database import Store, database_url
from crawler.store.grouplock import group_lock
from tests.services import pg_schema_url

REPORTS = 4
PAGES_PER_REPORT = 10
WRITERS = 4


def _group(report: int, page: int) -> str:
    return f"http://www{page}.example.gov.cn/zfxxgk/nb/{report:03d}.html"


def _record(report: int, page: int, writer: int) -> dict[str, Any]:
    group = _group(report, page)
    return {
        "id": f"r{report:019d}", "agency": f"示范县第{report}局", "year": 2023, "template": "2021", "url": group,
        "page_url": group, "region": {"province": "演示省"}, "failed_checks": [], "sha256": f"{report:064d}",
        "stored_by": writer,
        "sources": [{"url": group, "role": "page"}, {"url": group.replace(".html", ".pdf"), "role": "attachment"}],
    }  # fmt: skip


def _write(url: str, writer: int, start_at: float) -> list[str]:
    """One writer process: every group, in its own order, as the crawl pipeline stores a group."""
    store = Store(url)
    time.sleep(max(0.0, start_at - time.time()))  # all writers start together: the races happen
    errors = []
    groups = [(r, p) for r in range(REPORTS) for p in range(PAGES_PER_REPORT)]
    random.Random(writer).shuffle(groups)
    try:
        for report, page in groups:
            group = _group(report, page)
            try:
                with group_lock(store, group):
                    store.save_document(group, group_key=group, role="page", outcome="parsed")
                    store.put_report(group, _record(report, page, writer))
            except Exception as exc:  # noqa: BLE001 - collected: the test shows every writer's failures
                errors.append(f"{group}: {type(exc).__name__}: {exc}")
    finally:
        store.close()
    return errors


@pytest.fixture(params=["postgresql", "sqlite"])
def store_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield database_url(tmp_path, None)
        return
    gen = pg_schema_url()
    url = next(gen)
    try:
        yield database_url(tmp_path, url)
    finally:
        gen.close()


def test_concurrent_writers_store_each_report_once_with_every_source(store_url):
    Store(store_url).close()  # the tables exist before the race on the rows starts
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        start_at = time.time() + 4  # after every process has started and imported
        results = pool.starmap(_write, [(store_url, w, start_at) for w in range(WRITERS)])
    assert [e for errors in results for e in errors] == []
    store = Store(store_url)
    try:
        records = list(store.records())
        assert store.count_reports() == REPORTS == len({r["id"] for r in records})
        for record in records:
            report = int(record["id"][1:])
            expected = {_group(report, p) for p in range(PAGES_PER_REPORT)}
            urls = {s["url"] for s in record["sources"]}
            assert urls == expected | {u.replace(".html", ".pdf") for u in expected}, record["id"]
            assert record["page_url"] == min(expected)
            # the body comes from the page that sorts last, whichever writer stored it last
            assert record["url"] == max(expected)
            for page in range(PAGES_PER_REPORT):
                assert store.report_for_group(_group(report, page))["id"] == record["id"]
    finally:
        store.close()

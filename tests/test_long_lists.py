"""Pagination is not depth: a list's own pages are followed to the end, a stale list is stopped.

The demo portal gets a column of 60 list pages chained only by "下一页" links (with a run of
pages holding only notices in the middle); a crawl with the default DEPTH_LIMIT must find
every report of it. Unit tests pin the depth rule and the stale-list guard on their own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.crawl.books import Books
from crawler.crawl.middlewares import BooksMiddleware, ListDepthMiddleware
from crawler.demo.portal import DemoPortal
from spiders.reports import ReportsSpider
from tests.conftest import ROOT

PAGES = 60
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "PROGRESS_INTERVAL=0"]


def cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    # few reports a page: the point is the length of the chain, not the number of documents
    with DemoPortal(long_list_pages=PAGES, long_list_per_page=2) as portal:
        data = tmp_path_factory.mktemp("long")
        run = cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST)
        exported = cli("export", "--format", "jsonl", "--data-dir", str(data))
        yield {
            "run": run, "expected": portal.expected(), "hits": dict(portal.hits),
            "records": [json.loads(line) for line in exported.stdout.splitlines()],
        }  # fmt: skip


def test_every_report_of_a_60_page_next_link_column_is_found(crawled: dict[str, Any]) -> None:
    run, long_list = crawled["run"], crawled["expected"]["long_list"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(long_list["list_urls"]) == PAGES and len(long_list["report_page_urls"]) == 2 * (PAGES - 3)
    found = {r["page_url"] for r in crawled["records"]}
    missing = set(long_list["report_page_urls"]) - found
    assert not missing, f"{len(missing)} reports of the long column not found, e.g. {sorted(missing)[:3]}"
    # every list page was fetched once, the last one included (no depth cut, no stale stop)
    for url in long_list["list_urls"]:
        path = url.split("/", 3)[3]
        assert crawled["hits"].get("/" + path) == 1, url
    assert "depth limit" not in run.stderr and "stale list" not in run.stderr


def test_the_rest_of_the_portal_is_still_found(crawled: dict[str, Any]) -> None:
    found = {r["page_url"] for r in crawled["records"]} | {s["url"] for r in crawled["records"] for s in r["sources"]}
    assert set(crawled["expected"]["report_page_urls"]) <= found


# the rules on their own ---------------------------------------------------------------------------

PORTAL = "http://www.example.gov.cn"


def _response(url: str, depth: int, **meta: Any) -> HtmlResponse:
    return HtmlResponse(url, body=b"<html></html>", request=Request(url, meta={"depth": depth, **meta}))


def test_pagination_keeps_the_depth_and_other_links_add_one() -> None:
    crawler = get_crawler(ReportsSpider, {"DEPTH_LIMIT": 3})
    mw = ListDepthMiddleware.from_crawler(crawler)
    page = _response(f"{PORTAL}/nb/list.html?page=40", depth=3)
    following = Request(f"{PORTAL}/nb/list.html?page=41", meta={"pagination": True})
    report = Request(f"{PORTAL}/nb/t1.html")
    out = list(mw.process_spider_output(page, [following, report]))
    assert out == [following] and following.meta["depth"] == 3


def _spider(**settings: Any) -> ReportsSpider:
    crawler = get_crawler(ReportsSpider, settings)
    return ReportsSpider.from_crawler(crawler, start_url=f"{PORTAL}/", render="never")


def _list_page(n: int, body: str, stale: int = 0) -> HtmlResponse:
    url = f"{PORTAL}/cal/list.html?page={n}"
    request = Request(url, meta={"kind": "list", "stale": stale, "pagination": True, "depth": 2})
    return HtmlResponse(
        url, body=f"<html><title>日历</title><body>{body}</body></html>".encode(), request=request, encoding="utf-8"
    )


def test_a_list_without_new_reports_stops_after_k_pages_and_says_so() -> None:
    spider = _spider(LIST_STALE_PAGES=3)
    next_link = '<a href="list.html?page={n}">下一页</a>'
    stale, n, followed = 0, 1, []
    while n < 50:
        out = [
            r
            for r in spider.parse(_list_page(n, "<p>本月无内容</p>" + next_link.format(n=n + 1), stale))
            if isinstance(r, Request)
        ]
        nxt = [r for r in out if r.meta.get("pagination")]
        if not nxt:
            break
        followed.append(nxt[0].url)
        stale, n = nxt[0].meta["stale"], n + 1
    assert len(followed) == 2  # pages 1, 2, 3 read without a report: the fourth is not fetched
    entry = spider.books.entries[f"{PORTAL}/cal/list.html?page=4"]
    assert (entry.state, entry.reason) == ("skipped", "stale list") and "3 list pages in a row" in entry.detail


def test_a_new_report_link_resets_the_count() -> None:
    spider = _spider(LIST_STALE_PAGES=2)
    body = '<a href="/nb/t{n}.html">示范县{n}局2022年政府信息公开工作年度报告</a><a href="list.html?page={m}">下一页</a>'
    out = list(spider.parse(_list_page(7, body.format(n=7, m=8), stale=1)))
    nxt = [r for r in out if isinstance(r, Request) and r.meta.get("pagination")]
    assert len(nxt) == 1 and nxt[0].meta["stale"] == 0
    # the same report link again is not new: the count goes on and the chain stops at the limit
    out = list(spider.parse(_list_page(8, body.format(n=7, m=9), stale=1)))
    assert not [r for r in out if isinstance(r, Request) and r.meta.get("pagination")]
    assert spider.books.entries[f"{PORTAL}/cal/list.html?page=9"].reason == "stale list"


def test_books_see_pagination_at_the_parents_depth(tmp_path: Path) -> None:
    crawler = get_crawler(ReportsSpider, {"DEPTH_LIMIT": 2, "STORE_URL": f"sqlite:///{tmp_path / 'r.sqlite'}"})
    crawler.spider = ReportsSpider.from_crawler(crawler, start_url=f"{PORTAL}/", render="never")
    mw = BooksMiddleware.from_crawler(crawler)
    page = _response(f"{PORTAL}/nb/list.html?page=9", depth=2)
    following = Request(f"{PORTAL}/nb/list.html?page=10", meta={"pagination": True})
    column = Request(f"{PORTAL}/other/index.html")
    assert list(mw.process_spider_output(page, [following, column])) == [following]
    books: Books = crawler.spider.books
    assert books.entries[column.url].reason == "depth limit" and following.url not in books.entries


def test_a_column_of_100_000_items_serves_every_report_and_notice() -> None:
    """Benchmark-sized columns: a notice's number never collides with a report's (the 100k crawl lost 16%)."""
    import re
    import urllib.request

    with DemoPortal(long_list_pages=4100, long_list_per_page=20, report_body="stub") as portal:
        base = portal.base_url.rstrip("/")
        column = base + "/zfxxgk/bmnbhb/"
        seen = {"report": 0, "notice": 0}
        for page in (2050, 4050):  # a notice-only page of the gap, and reports numbered past 80,000
            with urllib.request.urlopen(f"{column}list.html?page={page + 1}") as reply:
                listing = reply.read().decode("utf-8")
            hrefs = re.findall(r'href="\./(\d{6}/t\d{8}_\d+\.html)"', listing)
            assert len(hrefs) == 20, listing[-800:]
            for href in hrefs:
                with urllib.request.urlopen(column + href) as reply:  # a 404 raises
                    text = reply.read().decode("utf-8")
                seen["notice" if "通知公告" in text else "report"] += 1
        assert seen == {"report": 20, "notice": 20}

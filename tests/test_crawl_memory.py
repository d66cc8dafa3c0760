"""The crawl's memory stays bounded: pages are freed when read, documents queue only as far as the backlog allows.

Counted, not timed: live responses (weak references, with the cyclic garbage collector off)
and documents between the parse queue and the store (a store held shut by the test).
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.core.resource import FetchedResource
from crawler.core.workers import Backlog
from crawler.crawl.items import FetchedDocument
from crawler.crawl.middlewares import ParseBacklogGate
from pipelines.reports import ReportPipeline
from spiders.reports import ReportsSpider

PORTAL = "http://www.example.gov.cn"
_TABLE = "<table>" + "<tr><td>申请数</td><td>12</td></tr>" * 200 + "</table>"


def not_a_report(resource: FetchedResource) -> tuple[str, None, None, None]:
    """A parse that costs nothing (run in the pool's spawned workers: module-level)."""
    return ("not_report", None, None, None)


@pytest.fixture
def no_cyclic_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _spider() -> ReportsSpider:
    return ReportsSpider.from_crawler(get_crawler(ReportsSpider, {}), start_url=f"{PORTAL}/", render="never")


def _page(url: str, title: str, body: str, kind: str) -> HtmlResponse:
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    request = Request(url, meta={"kind": kind, "group_key": url, "depth": 1})
    return HtmlResponse(url, body=html.encode("utf-8"), request=request, encoding="utf-8")


@pytest.mark.usefixtures("no_cyclic_gc")
@pytest.mark.parametrize("callback", ["parse", "parse_report"])
def test_a_read_page_is_freed_without_waiting_for_the_garbage_collector(callback: str) -> None:
    spider = _spider()
    url = f"{PORTAL}/nb/t20230101_1.html"
    links = '<a href="/nb/f1.pdf">附件：2022年政府信息公开工作年度报告.pdf</a><a href="list.html?page=2">下一页</a>'
    response = _page(url, "示范县2022年政府信息公开工作年度报告", _TABLE + links, "report")
    out = list(getattr(spider, callback)(response))
    # the page was read: its document and its attachment's request came out
    assert [type(o).__name__ for o in out] == ["FetchedDocument", "Request"]
    assert out[1].url == f"{PORTAL}/nb/f1.pdf"
    alive = weakref.ref(response)
    del response
    assert alive() is None, "the response (and its parsed tree) outlives its callback until a gc run"


@pytest.mark.usefixtures("no_cyclic_gc")
def test_a_list_page_is_freed_after_its_links_are_followed() -> None:
    spider = _spider()
    items = "".join(f'<li><a href="/nb/t{i}.html">示范县{i}局2022年政府信息公开工作年度报告</a></li>' for i in range(20))
    response = _page(f"{PORTAL}/nb/list.html", "年报", items + '<a href="list.html?page=2">下一页</a>', "list")
    requests = [o for o in spider.parse(response) if isinstance(o, Request)]
    assert len(requests) == 21  # 20 reports and the next page
    alive = weakref.ref(response)
    del response
    assert alive() is None


def _document(n: int) -> FetchedDocument:
    url = f"{PORTAL}/nb/t{n}.html"
    return FetchedDocument(
        url=url, group_key=url, role="page", status=200, headers={"content-type": "text/html"},
        body=b"<html>%d</html>" % n, fetched_at="2024-01-01T00:00:00Z", prior=None, prior_checked=True,
    )  # fmt: skip


def test_documents_wait_in_the_backlog_while_the_store_is_slow(tmp_path: Path) -> None:
    """Parsed documents the store has not written yet keep their backlog place: nothing piles up behind the store."""
    crawler = get_crawler(
        settings_dict={
            "STORE_URL": f"sqlite:///{tmp_path / 'r.sqlite'}", "PARSE_WORKERS": 1, "PARSE_QUEUE_DOCUMENTS": 3,
            "PARSE_FUNCTION": f"{__name__}.not_a_report",
            # the store's own thread writes (with STORE_IN_WORKERS a worker holds its backlog place
            # until it has stored, by construction)
            "STORE_IN_WORKERS": False,
        }
    )  # fmt: skip
    pipeline = ReportPipeline(crawler, crawler.settings["STORE_URL"])
    gate = threading.Event()
    stored: list[str] = []
    parsed = 0

    def held_store(item: FetchedDocument, prior: Any, outcome: Any) -> None:
        gate.wait(60)
        stored.append(item.url)

    pipeline._document = held_store  # type: ignore[method-assign]
    submit = pipeline.pool.submit

    def counted_submit(document: Any) -> Any:
        def done(_: Any) -> None:
            nonlocal parsed
            parsed += 1

        future = submit(document)
        future.add_done_callback(done)
        return future

    pipeline.pool.submit = counted_submit  # type: ignore[method-assign]

    async def crawl() -> tuple[int, int, int]:
        items = [asyncio.ensure_future(pipeline.process_item(_document(n))) for n in range(12)]
        deadline = time.monotonic() + 60
        while parsed < 3 and time.monotonic() < deadline:  # the first documents parsed (workers start slowly)
            await asyncio.sleep(0.05)
        # given time, parses that were not held back would all finish, and wait for the store
        await asyncio.sleep(1.0)
        seen = (parsed, pipeline.io._work_queue.qsize(), len(pipeline.backlog._waiting))
        gate.set()
        await asyncio.gather(*items)
        while pipeline.parsing:
            await asyncio.wait(set(pipeline.parsing), timeout=1)
        return seen

    try:
        parsed_before_store, store_queue, waiting = asyncio.run(crawl())
    finally:
        gate.set()
        pipeline.pool.terminate()
        pipeline.io.shutdown(wait=True)
    assert parsed_before_store == 3, "documents were parsed beyond the backlog while the store was shut"
    assert store_queue <= 2  # one being written, the others of the backlog queued behind it
    assert waiting == 9  # the rest wait for room: in Scrapy, their responses pause the downloads
    # nothing dropped: every document stored once the store moved again, the backlog empty
    assert sorted(stored) == sorted(_document(n).url for n in range(12))
    assert pipeline.backlog.documents == 0 and pipeline.backlog.bytes == 0 and not pipeline.in_flight


def test_documents_found_are_fetched_before_more_of_the_list() -> None:
    """Report pages outrank the list's next page, attachments outrank reports: the scheduler holds about one page's links."""
    spider = _spider()
    items = "".join(f'<li><a href="/nb/t{i}.html">示范县{i}局2022年政府信息公开工作年度报告</a></li>' for i in range(5))
    listed = list(spider.parse(_page(f"{PORTAL}/nb/list.html", "年报", items + '<a href="list.html?page=2">下一页</a>', "list")))
    reports = [r for r in listed if r.meta.get("kind") == "report"]
    following = [r for r in listed if r.meta.get("pagination")]
    assert len(reports) == 5 and len(following) == 1
    assert min(r.priority for r in reports) > following[0].priority
    links = '<a href="/nb/f1.pdf">附件：2022年政府信息公开工作年度报告.pdf</a>'
    out = list(spider.parse_report(_page(f"{PORTAL}/nb/t0.html", "示范县2022年政府信息公开工作年度报告", links, "report")))
    attachments = [r for r in out if isinstance(r, Request)]
    assert len(attachments) == 1 and attachments[0].priority > reports[0].priority


def test_downloads_wait_while_too_many_documents_wait_for_the_backlog() -> None:
    crawler = get_crawler(settings_dict={"PARSE_QUEUE_WAITING": 2})
    gate = ParseBacklogGate.from_crawler(crawler)

    async def run() -> list[str]:
        log: list[str] = []
        backlog = Backlog(max_documents=1, max_bytes=100)
        gate._backlog = backlog  # what backlog() finds on the running crawl's pipeline
        assert await backlog.admit(10)
        queued = [asyncio.ensure_future(backlog.admit(10)) for _ in range(2)]
        await asyncio.sleep(0)
        held = asyncio.ensure_future(gate.process_request(Request(f"{PORTAL}/nb/t9.html")))
        await asyncio.sleep(0.05)
        log.append(f"held with {backlog.waiting} waiting: {not held.done()}")
        await backlog.release(10)  # one waiter admitted: one left, under the limit
        await asyncio.wait_for(held, 1)
        log.append(f"sent with {backlog.waiting} waiting")
        # a closed backlog (the crawl stopping) holds nothing back
        blocked = asyncio.ensure_future(backlog.admit(10))
        await asyncio.sleep(0)
        assert backlog.waiting == 2
        again = asyncio.ensure_future(gate.process_request(Request(f"{PORTAL}/nb/t10.html")))
        await asyncio.sleep(0.05)
        log.append(f"held again: {not again.done()}")
        await backlog.close()
        await asyncio.wait_for(again, 1)
        log.append(f"closed: admitted={[q.result() for q in (*queued, blocked)]}")
        return log

    assert asyncio.run(run()) == [
        "held with 2 waiting: True",
        "sent with 1 waiting",
        "held again: True",
        "closed: admitted=[True, False, False]",
    ]
    assert crawler.stats.get_value("parse/held_downloads") == 2

"""ReportPipeline.process_item on its own: fetched documents in, records in a temporary SQLite store out.

Built with ``build_from_crawler`` from a test crawler's settings (one parse worker, the real
parse function), driven on an asyncio loop as Scrapy's engine would: a report page is parsed
and stored as a record, the same bytes again are not parsed twice, a notice is refused, a
fetch failure is stored and listed, and closing counts the new report.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.crawl.items import FetchedDocument, FetchFailure
from pipelines.reports import ReportPipeline
from tests.conftest import FIXTURES

PAGE_URL = "http://www.example.gov.cn/zfxxgknb/202301/t20230118_1.html"
NOTICE_URL = "http://www.example.gov.cn/tzgg/202301/t20230110_2.html"
NOTICE = (
    "<html><head><meta charset='utf-8'><title>关于做好2022年政府信息公开工作年度报告编制发布工作的通知</title></head>"
    "<body><div class='TRS_Editor'><p>各镇（街道）、区直各单位：</p><p>请于2023年1月31日前完成年度报告的编制和发布工作。</p></div>"
    "</body></html>"
).encode()


class PortalSpider(Spider):
    name = "portal"


def _pipeline(tmp_path: Path) -> ReportPipeline:
    settings = {"STORE_URL": f"sqlite:///{tmp_path / 'reports.sqlite'}", "PARSE_WORKERS": 1, "PARSE_TIMEOUT": 60,
                "STORE_BATCH_SECONDS": 0.2, "LOGSTATS_INTERVAL": 0, "TELNETCONSOLE_ENABLED": False}  # fmt: skip
    crawler = get_crawler(PortalSpider, settings)
    crawler.spider = crawler._create_spider()
    return build_from_crawler(ReportPipeline, crawler)


def _document(url: str, body: bytes, content_type: str, **extra: Any) -> FetchedDocument:
    return FetchedDocument(
        url=url, group_key=url, role="page", status=200, headers={"content-type": content_type, "etag": '"61f3"'},
        body=body, fetched_at="2023-01-20T08:00:00Z",
        warc={"file": "govreports-20230120080000-00000-host.warc.gz", "offset": 1234, "record_id": "<urn:uuid:1>"}, **extra,
    )  # fmt: skip


async def _settle(pipeline: ReportPipeline) -> None:
    while pipeline.parsing:
        await asyncio.wait(set(pipeline.parsing), timeout=60)


def test_documents_in_records_out(tmp_path: Path) -> None:
    page = (FIXTURES / "gov2021_gbk.html").read_bytes()
    pipeline = _pipeline(tmp_path)
    stats = pipeline.crawler.stats

    async def crawl() -> dict[str, Any]:
        item = _document(PAGE_URL, page, "text/html; charset=gbk")
        assert await pipeline.process_item(item) is item
        notice = _document(NOTICE_URL, NOTICE, "text/html; charset=utf-8")
        await pipeline.process_item(notice)
        failure = FetchFailure(url="http://www.example.gov.cn/zfxxgknb/202301/P0202301.pdf", group_key=PAGE_URL,
                               role="attachment", error="HTTP 404", status=404)  # fmt: skip
        await pipeline.process_item(failure)
        await _settle(pipeline)
        stored = pipeline.store.report_for_group(PAGE_URL)
        # the same bytes again (what the crawl state knew of the URL rides on the item): not parsed again
        again = _document(PAGE_URL, page, "text/html; charset=gbk", prior=pipeline.store.document(PAGE_URL), prior_checked=True)
        await pipeline.process_item(again)
        await _settle(pipeline)
        await pipeline.close_spider()
        assert stored is not None
        return stored

    record = asyncio.run(crawl())
    # the page became a record, with its provenance from the item
    assert record["year"] == 2021 and "政府信息公开工作年度报告" in record["title"]
    assert record["url"] == PAGE_URL and record["warc"]["offset"] == 1234
    assert record["sha256"] == hashlib.sha256(page).hexdigest()
    assert [s["number"] for s in record["sections"]][:2] == ["一", "二"]
    assert record["requests"] is not None and record["requests"]["rows"]["new"][6] is not None
    store = pipeline.store
    assert store.document(PAGE_URL).outcome == "parsed"
    assert store.document(NOTICE_URL).outcome == "not_report" and store.report_for_group(NOTICE_URL) is None
    failed = store.document("http://www.example.gov.cn/zfxxgknb/202301/P0202301.pdf")
    assert (failed.outcome, failed.error, failed.status) == ("failed", "HTTP 404", 404)
    # the stats Scrapy prints at the end
    assert stats.get_value("documents/parsed") == 1 and stats.get_value("documents/not_report") == 1
    assert stats.get_value("documents/unchanged") == 1 and stats.get_value("documents/fetch_failed") == 1
    assert stats.get_value("reports/new") == 1 and stats.get_value("reports/changed") == 0
    assert stats.get_value("documents/failures") == [
        {"url": "http://www.example.gov.cn/zfxxgknb/202301/P0202301.pdf", "error": "HTTP 404", "group": PAGE_URL}
    ]
    assert store.count_reports() == 1


def test_a_document_that_cannot_be_parsed_is_listed_and_the_next_stored(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    bad = "http://www.example.gov.cn/zfxxgknb/202301/P0202302.pdf"

    async def crawl() -> None:
        await pipeline.process_item(_document(bad, b"%PDF-1.7\n\x00\x01 this PDF was cut off", "application/pdf"))
        await pipeline.process_item(_document(NOTICE_URL, NOTICE, "text/html; charset=utf-8"))
        await _settle(pipeline)
        await pipeline.close_spider()

    asyncio.run(crawl())
    state = pipeline.store.document(bad)
    assert state.outcome == "failed" and state.error
    assert pipeline.crawler.stats.get_value("documents/parse_failed") == 1
    assert [f["url"] for f in pipeline.failures] == [bad]
    assert pipeline.store.document(NOTICE_URL).outcome == "not_report"


def test_without_a_store_url_it_is_not_configured() -> None:
    with pytest.raises(NotConfigured, match="STORE_URL"):
        build_from_crawler(ReportPipeline, get_crawler(PortalSpider, {"STORE_URL": ""}))


def test_a_known_report_found_at_another_page_is_not_counted_new(tmp_path: Path) -> None:
    """The second crawl: the same report on a page not seen before is unchanged, a report never stored is new."""
    gbk = (FIXTURES / "gov2021_gbk.html").read_bytes()
    other = (FIXTURES / "pre2019_report.html").read_bytes()
    elsewhere = "http://www.example.gov.cn/bmxxgk/zfxxgknb/202301/t20230118_9.html"
    pre2019 = "http://www.example.gov.cn/zfxxgknb/201803/t20180330_3.html"

    async def crawl(pipeline: ReportPipeline, items: list[FetchedDocument]) -> None:
        for item in items:
            await pipeline.process_item(item)
        await _settle(pipeline)
        await pipeline.close_spider()

    first = _pipeline(tmp_path)
    asyncio.run(crawl(first, [_document(PAGE_URL, gbk, "text/html; charset=gbk")]))
    assert first.crawler.stats.get_value("reports/new") == 1
    second = _pipeline(tmp_path)
    items = [_document(elsewhere, gbk, "text/html; charset=gbk"), _document(pre2019, other, "text/html; charset=utf-8")]
    asyncio.run(crawl(second, items))
    stats = second.crawler.stats
    store = second.store
    assert store.report_for_group(elsewhere)["id"] == store.report_for_group(PAGE_URL)["id"], "one report, two pages"
    assert store.count_reports() == 2
    counts = [stats.get_value(f"reports/{state}") for state in ("new", "changed", "unchanged")]
    assert counts == [1, 0, 1], counts
    assert stats.get_value("reports/groups_touched") == 2


def test_the_failed_checks_of_the_reports_touched_reach_the_summary(tmp_path: Path) -> None:
    """Each report the crawl touched that failed a check is listed once, with its agency and year."""
    docx = (FIXTURES / "gov2021_inconsistent.docx").read_bytes()
    url = "http://www.example.gov.cn/zfxxgknb/202301/P020230118.docx"
    pipeline = _pipeline(tmp_path)

    async def crawl() -> None:
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        await pipeline.process_item(_document(url, docx, content_type))
        await pipeline.process_item(_document(PAGE_URL, (FIXTURES / "gov2021_gbk.html").read_bytes(), "text/html; charset=gbk"))
        await _settle(pipeline)
        await pipeline.close_spider()

    asyncio.run(crawl())
    record = pipeline.store.report_for_group(url)
    assert record is not None and record["failed_checks"], "the fixture's numbers do not add up"
    failing = [r for r in (record, pipeline.store.report_for_group(PAGE_URL)) if r and r["failed_checks"]]
    expected = sorted((r["agency"], r["year"], ",".join(r["failed_checks"])) for r in failing)
    assert sorted(pipeline.crawler.stats.get_value("reports/failed_checks")) == expected

"""The WARC extension as Scrapy builds it: signals in, WARC records out, read back with warcio.

``build_from_crawler`` makes the extension from a test crawler's settings; the test sends it the
signals the engine would (spider_opened, response_downloaded, the project's fetch_failed and
browser_response, spider_closed) and reads the files it wrote with warcio, as any other tool
would. ``ArchiveConfig.from_settings`` refuses unusable ARCHIVE_* values with a message naming them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from archive import signals as archive_signals
from archive.extension import ArchiveConfig, ArchiveConfigError, WarcArchiveExtension
from crawler.core.errors import ReportError
from crawler.store.database import Prior

PAGE_URL = "http://www.zp.gov.cn/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm"
PAGE = "<html><head><title>漳平市财政局2021年政府信息公开工作年度报告</title></head><body><p>一、总体情况</p></body></html>"


class PortalSpider(Spider):
    name = "portal"


def _crawler(tmp_path: Path, **settings: Any) -> Any:
    base = {
        "LOGSTATS_INTERVAL": 0,
        "TELNETCONSOLE_ENABLED": False,
        "ARCHIVE_ENABLED": True,
        "ARCHIVE_DIR": str(tmp_path / "warc"),
        "ARCHIVE_GZIP": True,
        "USER_AGENT": "govreports-test",
    }
    crawler = get_crawler(PortalSpider, {**base, **settings})
    crawler.spider = crawler._create_spider()
    return crawler


def _records(directory: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(directory.glob("*.warc*")):
        with path.open("rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                out.append({
                    "file": path.name, "offset": it.offset, "type": record.rec_type,
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "refers_to": record.rec_headers.get_header("WARC-Refers-To"),
                    "status": record.http_headers.get_statuscode() if record.http_headers else None,
                    "http": dict(record.http_headers.headers) if record.http_headers else {},
                    "raw": record.raw_stream.read(),
                })  # fmt: skip
    return out


@pytest.mark.parametrize("gz", [True, False])
def test_a_downloaded_response_is_archived_as_it_came(tmp_path: Path, gz: bool) -> None:
    crawler = _crawler(tmp_path, ARCHIVE_GZIP=gz)
    ext = build_from_crawler(WarcArchiveExtension, crawler)  # kept: signals hold their receivers weakly
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    wire = gzip.compress(PAGE.encode("utf-8"))
    request = Request(PAGE_URL, headers={"Accept-Encoding": "gzip, deflate"}, meta={"kind": "report"})
    response = Response(
        PAGE_URL, status=200, body=wire, request=request,
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Set-Cookie": ["a=1", "b=2"]},
    )  # fmt: skip
    crawler.signals.send_catch_log(signals.response_downloaded, response=response, request=request, spider=crawler.spider)
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason="finished")

    directory = tmp_path / "warc"
    (warc,) = [p for p in directory.iterdir() if ".warc" in p.name]
    assert warc.name.startswith("govreports-") and warc.name.endswith(".warc.gz" if gz else ".warc")
    records = _records(directory)
    assert [r["type"] for r in records] == ["warcinfo", "response", "request"]
    info, resp, req = records
    assert b"isPartOf: portal" in info["raw"] and b"http-header-user-agent: govreports-test" in info["raw"]
    # the body as on the wire, still gzip-encoded; repeated headers kept
    assert resp["uri"] == PAGE_URL and resp["status"] == "200" and resp["raw"] == wire
    assert resp["http"]["Content-Encoding"] == "gzip"
    assert req["http"].get("Accept-Encoding") == "gzip, deflate"
    # the pipeline finds the record from the request's meta, and the same date as the rebuild will
    assert request.meta["warc"] == {"file": warc.name, "offset": resp["offset"], "record_id": resp["id"]}
    assert request.meta["fetched_at"] == resp["date"]
    assert crawler.stats.get_value("archive/response_records") == 1 and crawler.stats.get_value("archive/files") == 1
    # the crawl's CDXJ index lists the capture
    lines = (directory / "index.cdxj").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert [(e["url"], e["status"], int(e["offset"])) for e in entries] == [(PAGE_URL, "200", resp["offset"])]
    assert ext.writer is not None


def test_a_304_becomes_a_revisit_of_the_archived_original(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    ext = build_from_crawler(WarcArchiveExtension, crawler)  # kept: signals hold their receivers weakly
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)

    # what ConditionalRequestMiddleware puts in meta["prior"]
    prior = Prior(status=200, etag='"61f3-5d6"', last_modified=None, sha256="ab" * 32, outcome="parsed", error=None,
                  fetched_at="2023-01-01T00:00:00Z", warc_file="govreports-20230101000000-00000-host.warc.gz",
                  warc_offset=512, warc_record_id="<urn:uuid:1234>")  # fmt: skip
    request = Request(PAGE_URL, headers={"If-None-Match": '"61f3-5d6"'}, meta={"conditional": True, "prior": prior})
    response = Response(PAGE_URL, status=304, headers={"ETag": '"61f3-5d6"'}, request=request)
    crawler.signals.send_catch_log(signals.response_downloaded, response=response, request=request, spider=crawler.spider)
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason="finished")
    revisit = next(r for r in _records(tmp_path / "warc") if r["type"] == "revisit")
    assert revisit["status"] == "304" and revisit["refers_to"] == "<urn:uuid:1234>" and revisit["raw"] == b""
    assert request.meta["warc"]["record_id"] == revisit["id"]
    assert crawler.stats.get_value("archive/revisit_records") == 1 and ext.writer is not None


def test_failures_browser_fetches_and_rendered_pages(tmp_path: Path) -> None:
    crawler = _crawler(tmp_path)
    ext = build_from_crawler(WarcArchiveExtension, crawler)  # kept: signals hold their receivers weakly
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    lost = Request("http://www.zp.gov.cn/zwgk/index.htm")
    crawler.signals.send_catch_log(archive_signals.fetch_failed, request=lost, error="DNSLookupError: no such host")
    crawler.signals.send_catch_log(
        archive_signals.browser_response, url="http://www.zp.gov.cn/api/list.json", method="GET",
        request_headers=[("Accept", "application/json")], status=200, reason="OK",
        headers=[("Content-Type", "application/json"), ("Content-Length", "13")], body=b'{"total": 0}\n',
    )  # fmt: skip
    rendered_request = Request(PAGE_URL, meta={"playwright": True})
    rendered = HtmlResponse(PAGE_URL, body=PAGE.encode(), encoding="utf-8", request=rendered_request, flags=["playwright"])
    crawler.signals.send_catch_log(
        signals.response_downloaded, response=rendered, request=rendered_request, spider=crawler.spider
    )
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason="finished")
    records = _records(tmp_path / "warc")
    by_type = {r["type"]: r for r in records}
    assert by_type["metadata"]["uri"] == lost.url and b"fetch-error: DNSLookupError: no such host" in by_type["metadata"]["raw"]
    browser = next(r for r in records if r["type"] == "response")
    assert browser["uri"] == "http://www.zp.gov.cn/api/list.json" and browser["raw"] == b'{"total": 0}\n'
    # the DOM the browser built is not an HTTP message: a resource record, and not the page's "warc" position
    assert by_type["resource"]["uri"] == PAGE_URL and by_type["resource"]["raw"] == PAGE.encode()
    assert "warc" not in rendered_request.meta
    assert [crawler.stats.get_value(f"archive/{k}") for k in ("error_records", "browser_records", "resource_records")] == [
        1,
        1,
        1,
    ]
    assert ext.writer is not None


def test_disabled_or_without_a_folder_it_is_not_configured(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match="ARCHIVE_ENABLED"):
        build_from_crawler(WarcArchiveExtension, _crawler(tmp_path, ARCHIVE_ENABLED=False))
    with pytest.raises(NotConfigured, match="ARCHIVE_DIR"):
        build_from_crawler(WarcArchiveExtension, _crawler(tmp_path, ARCHIVE_DIR=""))


def test_config_from_settings(tmp_path: Path) -> None:
    settings = _crawler(tmp_path, ARCHIVE_MAX_SIZE="1048576", ARCHIVE_GZIP="false", ARCHIVE_PREFIX="govreports-w2").settings
    assert ArchiveConfig.from_settings(settings) == ArchiveConfig(tmp_path / "warc", 2**20, False, "govreports-w2")


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("ARCHIVE_MAX_SIZE", "100MB", "ARCHIVE_MAX_SIZE must be a whole number of bytes, not '100MB'"),
        ("ARCHIVE_MAX_SIZE", "0", "ARCHIVE_MAX_SIZE must be a positive number of bytes, not 0"),
        ("ARCHIVE_MAX_SIZE", -5, "ARCHIVE_MAX_SIZE must be a positive number of bytes, not -5"),
        ("ARCHIVE_GZIP", "maybe", "ARCHIVE_GZIP must be true or false, not 'maybe'"),
        ("ARCHIVE_PREFIX", "../../etc/x", "ARCHIVE_PREFIX must be letters"),
        ("ARCHIVE_PREFIX", "年报", "ARCHIVE_PREFIX must be letters"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path: Path, setting: str, value: Any, message: str) -> None:
    crawler = _crawler(tmp_path, **{setting: value})
    with pytest.raises(ArchiveConfigError) as caught:
        build_from_crawler(WarcArchiveExtension, crawler)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ReportError) and caught.value.reason == "options/invalid"
    assert not (tmp_path / "warc").exists()

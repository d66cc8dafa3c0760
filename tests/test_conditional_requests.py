"""ConditionalRequestMiddleware on its own: validators from the crawl state, a 304 answered from the WARC.

Built as Scrapy builds it (``get_crawler`` + ``build_from_crawler``), its crawl state set as
``spider_opened`` would load it, and a real gzipped WARC holding the archived copy.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.crawl.middlewares import ConditionalRequestMiddleware
from crawler.store.database import Prior

URL = "http://www.hzq.gov.cn/art/2024/1/20/art_1229_4471.html"
PAGE = "<html><head><title>洪泽区2023年政府信息公开工作年度报告</title></head><body>正文</body></html>".encode()


def _archive(warc_dir: Path) -> tuple[str, int]:
    """A WARC as our writer leaves it: a gzip member per record; the response body as the server sent it."""
    warc_dir.mkdir()
    name = "govreports-20240121-00000.warc.gz"
    with (warc_dir / name).open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(name, {"software": "test"}))
        offset = fh.tell()
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("ETag", '"61f3"')],
            protocol="HTTP/1.1",
        )  # fmt: skip
        body = gzip.compress(PAGE)
        record = writer.create_warc_record(URL, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers)
        writer.write_record(record)
    return name, offset


def _prior(file: str | None, offset: int | None, *, etag: str | None = '"61f3"', status: int = 200) -> Prior:
    return Prior(
        status=status, etag=etag, last_modified="Sat, 20 Jan 2024 08:00:00 GMT", sha256="ab" * 32, outcome="parsed",
        error=None, fetched_at="2024-01-21T02:00:00Z", warc_file=file, warc_offset=offset, warc_record_id="<urn:uuid:1>",
    )  # fmt: skip


@pytest.fixture
def middleware(tmp_path: Path) -> ConditionalRequestMiddleware:
    settings = {"STORE_URL": f"sqlite:///{tmp_path / 'records.sqlite'}", "ARCHIVE_DIR": str(tmp_path / "warc")}
    crawler = get_crawler(Spider, settings)
    crawler.spider = crawler._create_spider("test")
    return build_from_crawler(ConditionalRequestMiddleware, crawler)


def test_a_known_url_is_asked_with_its_validators(middleware, tmp_path):
    middleware.state = {URL: _prior("a.warc.gz", 0)}
    request = Request(URL, meta={"conditional": True})
    assert middleware.process_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"61f3"'
    assert request.headers[b"If-Modified-Since"] == b"Sat, 20 Jan 2024 08:00:00 GMT"
    assert request.meta["prior"] is middleware.state[URL]
    assert middleware.stats.get_value("incremental/conditional_requests") == 1


@pytest.mark.parametrize(
    ("meta", "state"),
    [
        ({"conditional": True}, None),  # never fetched: prior None, no validators
        ({"conditional": True}, _prior(None, None)),  # fetched but not archived: nothing to answer a 304 from
        ({"conditional": True}, _prior("a.warc.gz", 0, status=404)),  # a 404 is never revalidated
        ({}, _prior("a.warc.gz", 0)),  # a list page: always fetched whole
    ],
)
def test_requests_without_a_usable_prior_go_plain(middleware, meta, state):
    middleware.state = {URL: state} if state else {}
    request = Request(URL, meta=dict(meta))
    middleware.process_request(request)
    assert b"If-None-Match" not in request.headers and b"If-Modified-Since" not in request.headers
    if meta.get("conditional"):
        assert request.meta["prior"] == state
    else:
        assert "prior" not in request.meta


def test_a_304_is_answered_from_the_archived_copy(middleware, tmp_path):
    file, offset = _archive(tmp_path / "warc")
    prior = _prior(file, offset)
    request = Request(URL, meta={"conditional": True, "prior": prior})
    answer = middleware.process_response(request, Response(URL, status=304, request=request))
    assert isinstance(answer, HtmlResponse) and answer.status == 200
    # still content-encoded as archived: Scrapy's compression middleware decodes it later
    assert answer.headers[b"Content-Encoding"] == b"gzip" and gzip.decompress(answer.body) == PAGE
    assert "revalidated" in answer.flags
    assert request.meta["warc"] == prior.warc and request.meta["fetched_at"] == prior.fetched_at
    assert middleware.stats.get_value("incremental/not_modified") == 1


def test_a_304_whose_copy_is_unreadable_is_fetched_whole(middleware, tmp_path):
    (tmp_path / "warc").mkdir()
    request = Request(URL, headers={"If-None-Match": '"61f3"'}, meta={"conditional": True, "prior": _prior("gone.warc.gz", 0)})
    retry = middleware.process_response(request, Response(URL, status=304, request=request))
    assert isinstance(retry, Request) and retry.dont_filter and retry.meta["conditional"] is False
    assert b"If-None-Match" not in retry.headers
    assert middleware.stats.get_value("incremental/refetch_whole") == 1


def test_other_answers_pass_untouched(middleware):
    request = Request(URL, meta={"conditional": True, "prior": None})
    response = Response(URL, status=200, body=b"new", request=request)
    assert middleware.process_response(request, response) is response


def test_off_without_a_store_or_when_disabled(tmp_path):
    with pytest.raises(NotConfigured):
        build_from_crawler(ConditionalRequestMiddleware, get_crawler(Spider, {"STORE_URL": None}))
    settings = {"STORE_URL": f"sqlite:///{tmp_path / 'r.sqlite'}", "INCREMENTAL_ENABLED": False}
    with pytest.raises(NotConfigured):
        build_from_crawler(ConditionalRequestMiddleware, get_crawler(Spider, settings))

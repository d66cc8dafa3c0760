"""The crawl's middlewares and books: redirect scope, lenient decoding, failures that keep the rest going."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.crawl import discovery
from crawler.crawl.books import Books, close_books, equation
from crawler.crawl.middlewares import (
    BooksMiddleware,
    LenientDecodingMiddleware,
    OffsiteRedirect,
    RedirectScopeMiddleware,
    decodable,
)
from crawler.store.database import Store

PORTAL = "http://www.example.gov.cn"


class PortalSpider(Spider):
    name = "portal"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hosts = {"www.example.gov.cn"}
        self.books = Books()


def _crawler(**settings: Any) -> Any:
    crawler = get_crawler(PortalSpider, settings)
    crawler.spider = crawler._create_spider()
    return crawler


# redirect scope ---------------------------------------------------------------------------------
def test_offsite_redirect_is_refused_before_anything_is_fetched() -> None:
    crawler = _crawler()
    mw = RedirectScopeMiddleware.from_crawler(crawler)
    redirected = Request("http://other.example.com/report.html", meta={"redirect_urls": [f"{PORTAL}/moved.html"]})
    with pytest.raises(OffsiteRedirect) as caught:
        mw.process_request(redirected)
    assert caught.value.target == "http://other.example.com/report.html"
    assert crawler.stats.get_value("discovery/offsite_redirects") == 1


@pytest.mark.parametrize(
    "request_",
    [
        Request(f"{PORTAL}/zfxxgknb/t1.html", meta={"redirect_urls": [f"{PORTAL}/old.html"]}),  # a redirect in scope
        Request("http://other.example.com/x.html"),  # not a redirect: the spider's own scope check applies
    ],
)
def test_in_scope_redirects_and_plain_requests_pass(request_: Request) -> None:
    assert RedirectScopeMiddleware.from_crawler(_crawler()).process_request(request_) is None


def test_redirect_to_another_port_is_offsite() -> None:
    mw = RedirectScopeMiddleware.from_crawler(_crawler())
    with pytest.raises(OffsiteRedirect):
        mw.process_request(Request(f"{PORTAL}:8443/x.html", meta={"redirect_urls": [f"{PORTAL}/x.html"]}))


def test_offsite_redirect_is_an_ignore_request_for_the_errback() -> None:
    assert issubclass(OffsiteRedirect, IgnoreRequest)


# lenient decoding ------------------------------------------------------------------------------
PLAIN = "<html><head><title>示范县2022年政府信息公开工作年度报告</title></head><body>正文</body></html>".encode()


def _through(body: bytes, encoding: str) -> Response:
    """The response as the spider sees it: Lenient (595) then HttpCompression (590), as in the settings."""
    crawler = _crawler()
    request = Request(f"{PORTAL}/t1.html")
    response = HtmlResponse(request.url, body=body, headers={"Content-Encoding": encoding}, request=request)
    response = LenientDecodingMiddleware.from_crawler(crawler).process_response(request, response)
    return HttpCompressionMiddleware.from_crawler(crawler).process_response(request, response)


def test_gzip_label_on_a_plain_body_gives_the_plain_body() -> None:
    response = _through(PLAIN, "gzip")
    assert response.body == PLAIN and b"Content-Encoding" not in response.headers


@pytest.mark.parametrize(
    ("encoded", "label"),
    [
        (gzip.compress(PLAIN), "gzip"),
        (zlib.compress(PLAIN), "deflate"),
        (zlib.compress(PLAIN)[2:-4], "deflate"),  # raw deflate, as some servers send it
    ],
)
def test_real_encodings_are_still_decoded(encoded: bytes, label: str) -> None:
    assert _through(encoded, label).body == PLAIN


def test_truncated_gzip_keeps_what_decodes() -> None:
    big = PLAIN * 2000
    cut = gzip.compress(big)[: len(gzip.compress(big)) // 2]
    assert decodable(cut, b"gzip")
    body = _through(cut, "gzip").body
    assert body and big.startswith(body)


def test_decodable_unknown_and_empty() -> None:
    assert decodable(b"anything", b"br") and decodable(b"", b"gzip")
    assert not decodable(b"<html>", b"x-gzip") and not decodable(b"<html>", b"deflate")


# links --------------------------------------------------------------------------------------------
def test_a_malformed_link_is_reported_and_the_others_kept() -> None:
    html = (
        '<ul><li><a href="http://[::1/bad.html">示范县2018年政府信息公开工作年度报告</a></li>'
        '<li><a href="年报 2022/第一.html#top">示范县2022年政府信息公开工作年度报告</a></li>'
        '<li><a href="..\\files\\2021.pdf">2021年报.pdf</a></li></ul>'
    )
    links = list(discovery.checked_links(lxml.html.fromstring(html), f"{PORTAL}/xxgk/index.html"))
    assert links[0][0] == "http://[::1/bad.html" and links[0][2] and "IPv6" in links[0][2]
    assert links[1] == (
        f"{PORTAL}/xxgk/%E5%B9%B4%E6%8A%A5%202022/%E7%AC%AC%E4%B8%80.html",
        "示范县2022年政府信息公开工作年度报告",
        None,
    )
    assert links[2][0] == f"{PORTAL}/files/2021.pdf"
    assert [u for u, _ in discovery.page_links(lxml.html.fromstring(html), f"{PORTAL}/xxgk/")] == [links[1][0], links[2][0]]


def test_canonical_url_is_stable() -> None:
    for raw in ("http://a.gov.cn/x y/报告.pdf#p=2", "http://a.gov.cn/a%20b?q=中文"):
        once = discovery.canonical_url(raw)
        assert discovery.canonical_url(once) == once and "#" not in once and " " not in once


# the books -----------------------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(f"sqlite:///{tmp_path / 'records.sqlite'}")
    yield s
    s.close()


def test_books_balance_and_every_outcome_is_kept(store: Store) -> None:
    books = Books()
    for url, kind in [("L", "list"), ("R1", "report"), ("R2", "report"), ("R3", "report"), ("R4", "report"), ("P", "list")]:
        books.discover(f"{PORTAL}/{url}", kind)
    books.settle(f"{PORTAL}/L", "read")
    books.settle(f"{PORTAL}/L", "failed", "browser render timed out", "kept 3 links")  # overrides read
    books.settle(f"{PORTAL}/L", "skipped", "duplicate")  # the first outcome stands
    books.document(f"{PORTAL}/R1", f"{PORTAL}/R1")
    books.document(f"{PORTAL}/R2", f"{PORTAL}/R2-final")  # redirected: the pipeline keyed it by the final URL
    books.document(f"{PORTAL}/R3", f"{PORTAL}/R3")
    books.document(f"{PORTAL}/R4", f"{PORTAL}/R4")
    books.settle("http://other.example.com/x", "skipped", "off-site link")
    store.save_document(f"{PORTAL}/R1", group_key=f"{PORTAL}/R1", outcome="parsed")
    store.save_document(f"{PORTAL}/R2-final", group_key=f"{PORTAL}/R2", outcome="not_report")
    store.save_document(f"{PORTAL}/R3", group_key=f"{PORTAL}/R3", outcome="failed", error="unreadable PDF")
    # R4: the pipeline never recorded it (its worker died)
    balance = close_books(books, store, lost={f"{PORTAL}/R4": "BrokenProcessPool: a worker died"}, stopped="shutdown")
    assert balance["discovered"] == 7
    assert [balance[s] for s in ("read", "stored", "refused", "failed", "skipped")] == [0, 1, 1, 3, 2]
    assert equation(balance).endswith("(balanced)")
    failures = {f["url"]: f for f in balance["failures"]}
    assert failures[f"{PORTAL}/L"]["reason"] == "browser render timed out"
    assert failures[f"{PORTAL}/R3"]["detail"] == "unreadable PDF"
    assert failures[f"{PORTAL}/R4"]["reason"] == "lost in the pipeline" and "worker died" in failures[f"{PORTAL}/R4"]["detail"]
    skips = {s["url"]: s["reason"] for s in balance["skips"]}
    assert skips[f"{PORTAL}/P"] == "not reached before the crawl stopped (shutdown)"
    # outcomes the pipeline does not store are kept for `stats`
    failed = {f["url"]: f["error"] for f in store.failed_documents()}
    assert "browser render timed out" in failed[f"{PORTAL}/L"] and "worker died" in failed[f"{PORTAL}/R4"]
    state = store.document("http://other.example.com/x")
    assert state is not None and state.outcome == "skipped" and state.error == "off-site link"


def test_equation_says_when_books_do_not_balance() -> None:
    balance = {"discovered": 5, "read": 1, "stored": 1, "refused": 0, "failed": 1, "skipped": 1}
    assert equation(balance).endswith("(OFF BY 1)")


def _page(url: str, depth: int = 0, **meta: Any) -> HtmlResponse:
    request = Request(url, meta={"depth": depth, **meta})
    return HtmlResponse(url, body=b"<html></html>", request=request)


def test_books_middleware_lists_page_exceptions_and_depth(store: Store, tmp_path: Path) -> None:
    crawler = _crawler(DEPTH_LIMIT=2, STORE_URL=f"sqlite:///{tmp_path / 'records.sqlite'}")
    mw = BooksMiddleware.from_crawler(crawler)
    books = crawler.spider.books
    page = _page(f"{PORTAL}/api/list?page=1", kind="list")
    books.discover(page.url, "list")
    assert mw.process_spider_exception(page, AttributeError("'list' object has no attribute 'get'")) == []
    assert books.entries[page.url].state == "failed" and "AttributeError" in books.entries[page.url].detail
    deep = _page(f"{PORTAL}/cal/index_1.html", depth=2)
    kept = list(mw.process_spider_output(deep, [Request(f"{PORTAL}/cal/index_2.html"), {"item": 1}]))
    assert kept == [{"item": 1}]
    assert books.entries[f"{PORTAL}/cal/index_2.html"].reason == "depth limit"
    shallow = _page(f"{PORTAL}/cal/index.html", depth=1)
    assert len(list(mw.process_spider_output(shallow, [Request(f"{PORTAL}/cal/index_1.html")]))) == 1


def test_books_middleware_tells_loops_from_duplicates(tmp_path: Path) -> None:
    crawler = _crawler(STORE_URL=f"sqlite:///{tmp_path / 'records.sqlite'}")
    mw = BooksMiddleware.from_crawler(crawler)
    books = crawler.spider.books
    a, b, c = (f"{PORTAL}/{n}.html" for n in "abc")
    books.discover(a, "report")
    books.discover(c, "report")
    mw.request_dropped(Request(a, meta={"redirect_urls": [a, b]}), crawler.spider)
    mw.request_dropped(Request(b, meta={"redirect_urls": [c]}), crawler.spider)
    mw.request_dropped(Request(f"{PORTAL}/plain.html"), crawler.spider)  # a plain duplicate: its first request has the outcome
    assert (books.entries[a].state, books.entries[a].reason) == ("failed", "redirect loop")
    assert (books.entries[c].state, books.entries[c].reason) == ("skipped", "duplicate")
    assert f"{PORTAL}/plain.html" not in books.entries


def test_cookie_domains_are_split_without_fetching_the_public_suffix_list(monkeypatch):
    """Scrapy's cookie middleware would download the public suffix list: nothing may leave the machine."""
    import socket

    import tldextract
    from scrapy.downloadermiddlewares import cookies as scrapy_cookies

    import crawler.crawl.middlewares  # noqa: F401  (installs the offline splitter)

    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    splitter = scrapy_cookies._split_domain
    assert isinstance(splitter, tldextract.TLDExtract)
    assert tuple(splitter.suffix_list_urls) == ()
    assert scrapy_cookies._is_public_domain("gov.cn") is True
    assert scrapy_cookies._is_public_domain("www.huaian.gov.cn") is False
    assert attempts == []

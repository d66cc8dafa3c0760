"""ChallengeMiddleware and ChallengeCookieMiddleware as Scrapy builds them, with the browser's solve faked.

The solve itself (Chromium on a real challenge page) is tested in tests/test_challenge.py; here
the middleware's own decisions: which answers it hands to the book, what it archives, the retry
it sends, the cookies later requests carry, the CAPTCHA hosts it skips.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archive import signals as archive_signals
from crawler.crawl.challenge import ChallengeBook, Exchange, Solved
from crawler.crawl.challenge_middleware import ChallengeCookieMiddleware, ChallengeMiddleware

URL = "http://www.hzq.gov.cn/col/col1229/index.html"
# 加速乐: a 521 whose script assembles the clearance cookie and reloads
JSL = (
    b"<html><body><script>document.cookie=('_')+('_jsl_clearance_s=1700000000.123|0|')+('abc%3D');"
    b"location.href=location.pathname+location.search</script></body></html>"
)
CAPTCHA = "<html><body><p>请输入验证码</p><img src='/captcha.jpg'><script>function s(){}</script></body></html>".encode()
LIST = (
    "<html><head><title>政府信息公开年报</title></head><body><ul><li><a href='/art/1.html'>2023年报</a></li></ul></body></html>"
)


class Solver:
    def __init__(self, cookies: dict[str, str]) -> None:
        self.cookies, self.calls = cookies, []

    def __call__(self, url: str) -> Solved:
        self.calls.append(url)
        exchange = Exchange(url=url, method="GET", request_headers=[("User-Agent", "t")], status=200, reason="OK",
                            headers=[("Content-Type", "text/html"), ("Content-Length", "2")], body=b"ok")  # fmt: skip
        return Solved("www.hzq.gov.cn", dict(self.cookies), [exchange], None if self.cookies else "no cookie set")


@pytest.fixture
def crawl(tmp_path: Path):
    crawler = get_crawler(Spider, {"DATA_DIR": str(tmp_path)})
    crawler.spider = crawler._create_spider("test")
    mw = build_from_crawler(ChallengeMiddleware, crawler)
    archived: list[dict] = []
    crawler.signals.connect(lambda **kw: archived.append(kw), signal=archive_signals.browser_response, weak=False)
    # the engine's downloader, as ChallengeCookieMiddleware finds the book through it
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(middleware=SimpleNamespace(middlewares=[mw])))
    return crawler, mw, archived


def _answer(request: Request, status: int, body: bytes) -> HtmlResponse:
    return HtmlResponse(request.url, status=status, headers={"Content-Type": "text/html"}, body=body, request=request)


def test_a_challenge_is_solved_once_archived_and_retried_with_its_cookies(crawl, tmp_path):
    crawler, mw, archived = crawl
    solver = Solver({"__jsl_clearance_s": "1700000000.123|0|abc="})
    mw.book = ChallengeBook(tmp_path / "challenge", solver=solver)
    request = Request(URL)
    retry = asyncio.run(mw.process_response(request, _answer(request, 521, JSL)))
    assert isinstance(retry, Request) and retry.url == URL and retry.dont_filter
    assert retry.meta["challenge_solves"] == 1 and solver.calls == [URL]
    assert [a["url"] for a in archived] == [URL] and archived[0]["body"] == b"ok"
    assert crawler.stats.get_value("challenge/cookie") == 1 and crawler.stats.get_value("challenge/solved") == 1
    # the retry (and every later request to the host) carries the cookie, beside the jar's own
    later = Request("http://www.hzq.gov.cn/art/1.html", headers={"Cookie": "JSESSIONID=7"})
    build_from_crawler(ChallengeCookieMiddleware, crawler).process_request(later)
    assert later.headers[b"Cookie"] == b"JSESSIONID=7; __jsl_clearance_s=1700000000.123|0|abc="
    elsewhere = Request("http://www.other.gov.cn/")
    build_from_crawler(ChallengeCookieMiddleware, crawler).process_request(elsewhere)
    assert b"Cookie" not in elsewhere.headers


def test_a_failed_solve_gives_the_challenge_page_back(crawl, tmp_path):
    crawler, mw, archived = crawl
    mw.book = ChallengeBook(tmp_path / "challenge", solver=Solver({}))
    request = Request(URL)
    response = _answer(request, 521, JSL)
    assert asyncio.run(mw.process_response(request, response)) is response
    assert crawler.stats.get_value("challenge/failed") == 1 and len(archived) == 1


def test_real_pages_and_browser_renderings_pass_untouched(crawl, tmp_path):
    _, mw, _ = crawl
    solver = Solver({"x": "1"})
    mw.book = ChallengeBook(tmp_path / "challenge", solver=solver)
    request = Request(URL)
    page = _answer(request, 200, LIST.encode())
    assert asyncio.run(mw.process_response(request, page)) is page
    rendered = Request(URL, meta={"playwright": True})
    challenge = _answer(rendered, 521, JSL)
    assert asyncio.run(mw.process_response(rendered, challenge)) is challenge
    assert solver.calls == []


def test_a_captcha_host_is_noted_and_skipped_from_then_on(crawl, tmp_path):
    crawler, mw, _ = crawl
    solver = Solver({"x": "1"})
    mw.book = ChallengeBook(tmp_path / "challenge", solver=solver)
    request = Request(URL)
    response = _answer(request, 200, CAPTCHA)
    assert asyncio.run(mw.process_response(request, response)) is response
    assert solver.calls == [] and crawler.stats.get_value("challenge/captcha") == 1
    with pytest.raises(IgnoreRequest, match="CAPTCHA"):
        mw.process_request(Request("http://www.hzq.gov.cn/art/2.html"))
    assert crawler.stats.get_value("challenge/captcha_skipped") == 1
    mw.process_request(Request("http://www.other.gov.cn/"))  # other hosts go on


def test_off_when_disabled():
    with pytest.raises(NotConfigured):
        build_from_crawler(ChallengeMiddleware, get_crawler(Spider, {"CHALLENGE_ENABLED": False}))

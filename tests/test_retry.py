"""BackoffRetryMiddleware: 429 retried, Retry-After (seconds or HTTP date, capped) honoured on 429 and 503."""

from __future__ import annotations

import asyncio
import datetime as dt
from email.utils import format_datetime
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

import crawler.crawl.retry
from crawler.crawl.retry import BackoffRetryMiddleware, retry_after

NOW = dt.datetime(2024, 3, 1, 8, 0, 0, tzinfo=dt.UTC)


def _middleware(**overrides: Any) -> BackoffRetryMiddleware:
    settings = Settings()
    settings.setmodule("crawler.crawl.settings")
    values = {
        k: settings[k] for k in ("RETRY_HTTP_CODES", "RETRY_TIMES", "RETRY_BACKOFF_BASE", "RETRY_BACKOFF_MAX", "RETRY_AFTER_MAX")
    }
    crawler = get_crawler(Spider, {**values, **overrides})
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def _run(result: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[float]]:
    """Await what the middleware returned, recording the sleep instead of sleeping."""
    waited: list[float] = []

    async def fake_sleep(delay: float) -> None:
        waited.append(delay)

    monkeypatch.setattr(crawler.crawl.retry.asyncio, "sleep", fake_sleep)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, waited


def _response(status: int, **headers: str) -> tuple[Request, HtmlResponse]:
    request = Request("http://www.example.gov.cn/zfxxgknb/t20230116_1.html")
    return request, HtmlResponse(request.url, status=status, headers=headers, body=b"<html></html>", request=request)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        (" 0 ", 0.0),
        ("100000", 120.0),  # capped
        (format_datetime(NOW + dt.timedelta(seconds=45), usegmt=True), 45.0),
        (format_datetime(NOW - dt.timedelta(hours=1), usegmt=True), 0.0),  # in the past: no wait
        (format_datetime(NOW + dt.timedelta(days=2), usegmt=True), 120.0),
        ("Fri, 01 Mar 2024 08:00:10", 10.0),  # no zone: HTTP dates are GMT
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: str | None, expected: float | None) -> None:
    assert retry_after(value, cap=120.0, now=NOW) == expected


def test_429_is_retried_after_its_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    mw = _middleware(RETRY_BACKOFF_BASE=0.5)
    request, response = _response(429, **{"Retry-After": "7"})
    result, waited = _run(mw.process_response(request, response), monkeypatch)
    assert isinstance(result, Request) and result.url == request.url
    assert result.meta["retry_times"] == 1
    assert waited == [7.0]


def test_503_retry_after_date_and_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    mw = _middleware(RETRY_AFTER_MAX=20)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    request, response = _response(503, **{"Retry-After": format_datetime(later, usegmt=True)})
    result, waited = _run(mw.process_response(request, response), monkeypatch)
    assert isinstance(result, Request)
    assert waited == [20.0]


def test_backoff_without_retry_after_and_never_shorter_than_it(monkeypatch: pytest.MonkeyPatch) -> None:
    mw = _middleware(RETRY_BACKOFF_BASE=2.0)
    request, response = _response(429)
    result, waited = _run(mw.process_response(request, response), monkeypatch)
    assert isinstance(result, Request) and waited == [2.0]
    # a Retry-After shorter than the backoff does not make the retry sooner
    second = result
    retry = HtmlResponse(second.url, status=429, headers={"Retry-After": "1"}, body=b"", request=second)
    result, waited = _run(mw.process_response(second, retry), monkeypatch)
    assert isinstance(result, Request) and result.meta["retry_times"] == 2 and waited == [4.0]


def test_other_4xx_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    mw = _middleware()
    request, response = _response(404, **{"Retry-After": "3"})
    result, waited = _run(mw.process_response(request, response), monkeypatch)
    assert result is response and waited == []


def test_retries_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    mw = _middleware(RETRY_TIMES=1)
    request, response = _response(429, **{"Retry-After": "1"})
    retried, _ = _run(mw.process_response(request, response), monkeypatch)
    final = HtmlResponse(request.url, status=429, body=b"", request=retried)
    result, waited = _run(mw.process_response(retried, final), monkeypatch)
    assert result is final and waited == []

"""Retries with exponential backoff on 5xx, 429 and timeouts; other 4xx are never retried.

Scrapy's RetryMiddleware re-schedules at once; a portal answering 503 under
load needs time. This one waits ``RETRY_BACKOFF_BASE * 2**(attempt-1)``
seconds (at most ``RETRY_BACKOFF_MAX``) before handing the retry back, without
blocking the reactor. A 429 or 503 with ``Retry-After`` (seconds or an HTTP
date) waits at least that long, at most ``RETRY_AFTER_MAX`` seconds. Only
failing responses pay for it: the common path is Scrapy's own, synchronous code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy import Request as ScrapyRequest
from scrapy.downloadermiddlewares.retry import RetryMiddleware

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    # Scrapy awaits what a middleware method returns when it is awaitable: the
    # coroutine exists only for a retry, every other response passes straight through.
    def process_response(self, request: Request, response: Response) -> Any:  # type: ignore[override]
        wait = None
        if response.status in (429, 503):
            header = response.headers.get(b"Retry-After")
            wait = retry_after(header.decode("latin-1") if header else None, cap=self.retry_after_max)
        return self._backoff(super().process_response(request, response), wait)

    def process_exception(self, request: Request, exception: Exception) -> Any:  # type: ignore[override]
        return self._backoff(super().process_exception(request, exception))

    def _backoff(self, result: Any, at_least: float | None = None) -> Any:
        if isinstance(result, ScrapyRequest) and result.meta.get("retry_times"):
            delay = min(self.backoff_base * 2 ** (int(result.meta["retry_times"]) - 1), self.backoff_max)
            if at_least is not None:
                delay = max(delay, at_least)  # the server said when: never sooner
            result.meta["retry_delay"] = delay
            return _after(delay, result)
        return result


def retry_after(value: str | None, cap: float, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (RFC 9110 §10.2.3), at most ``cap``; None if absent or unreadable.

    >>> retry_after("30", cap=120), retry_after("9999", cap=120), retry_after("soon", cap=120)
    (30.0, 120.0, None)
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), cap)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # HTTP dates are GMT
    seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return min(max(seconds, 0.0), cap)


async def _after(delay: float, result: Any) -> Any:
    await asyncio.sleep(delay)
    return result

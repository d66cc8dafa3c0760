"""Retries with exponential backoff on 5xx and timeouts; 4xx is never retried.

Scrapy's RetryMiddleware re-schedules at once; a portal answering 503 under
load needs time. This one waits ``RETRY_BACKOFF_BASE * 2**(attempt-1)``
seconds (at most ``RETRY_BACKOFF_MAX``) before handing the retry back, without
blocking the reactor. Only failing responses pay for it: the common path is
Scrapy's own, synchronous code.
"""

from __future__ import annotations

import asyncio
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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    # Scrapy awaits what a middleware method returns when it is awaitable: the
    # coroutine exists only for a retry, every other response passes straight through.
    def process_response(self, request: Request, response: Response) -> Any:  # type: ignore[override]
        return self._backoff(super().process_response(request, response))

    def process_exception(self, request: Request, exception: Exception) -> Any:  # type: ignore[override]
        return self._backoff(super().process_exception(request, exception))

    def _backoff(self, result: Any) -> Any:
        if isinstance(result, ScrapyRequest) and result.meta.get("retry_times"):
            delay = min(self.backoff_base * 2 ** (int(result.meta["retry_times"]) - 1), self.backoff_max)
            return _after(delay, result)
        return result


async def _after(delay: float, result: Any) -> Any:
    await asyncio.sleep(delay)
    return result

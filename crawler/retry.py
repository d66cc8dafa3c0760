"""Retries with exponential backoff on 5xx and timeouts; 4xx is never retried.

Scrapy's RetryMiddleware re-schedules at once; a portal answering 503 under
load needs time. The retried request carries a ``download_slot`` delay through
``meta["retry_delay"]``, honoured by sleeping asynchronously before it is
handed back to the downloader.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


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

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            retry.meta["retry_delay"] = min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
        return retry

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop("retry_delay", 0)
        if delay:
            await asyncio.sleep(delay)

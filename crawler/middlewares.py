"""Downloader middleware for periodic crawls: conditional requests answered from the archive.

A report page or attachment fetched before is requested again with
``If-None-Match`` / ``If-Modified-Since`` from the crawl state. A ``304 Not
Modified`` (archived as a revisit record by the archive extension, which sees
it first) is turned back into the archived response, flagged
``revalidated``, so spiders still read the page's links and pipelines know
not to parse it again. Only requests marked ``meta["conditional"]`` take part:
list pages change under the same URL and are always fetched whole.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archive.reader import ArchiveReadError, read_response
from crawler.store import shared_store

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Crawler, store_url: str, warc_dir: Path) -> None:
        self.store = shared_store(store_url)
        self.warc_dir = warc_dir
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED", True) or not settings.get("STORE_URL"):
            raise NotConfigured("INCREMENTAL_ENABLED is off or STORE_URL is not set")
        return cls(crawler, settings["STORE_URL"], Path(settings.get("ARCHIVE_DIR", "data/warc")))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        state = self.store.document(request.url)
        if state is None or state.warc is None or state.status != 200:
            return
        if state.etag:
            request.headers.setdefault(b"If-None-Match", state.etag.encode("latin-1"))
        if state.last_modified:
            request.headers.setdefault(b"If-Modified-Since", state.last_modified.encode("latin-1"))
        if state.etag or state.last_modified:
            self.stats.inc_value("incremental/conditional_requests")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status != 304 or not request.meta.get("conditional"):
            return response
        state = self.store.document(request.url)
        try:
            if state is None or state.warc is None:
                raise ArchiveReadError("no archived copy")
            archived = read_response(self.warc_dir, state.warc["file"], int(state.warc["offset"]))
        except ArchiveReadError as exc:
            logger.warning("304 for %s but its archived copy is unreadable (%s); fetching it whole", request.url, exc)
            self.stats.inc_value("incremental/refetch_whole")
            retry = request.replace(dont_filter=True, meta={**request.meta, "conditional": False})
            retry.headers.pop(b"If-None-Match", None)
            retry.headers.pop(b"If-Modified-Since", None)
            return retry
        self.stats.inc_value("incremental/not_modified")
        request.meta["revalidated"] = True
        request.meta["warc"] = state.warc
        request.meta["fetched_at"] = state.fetched_at
        headers = Headers()
        for name, value in archived.headers:
            headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=archived.body)
        # still content-encoded as archived: HttpCompressionMiddleware (closer to the engine) decodes it
        return cls(
            url=request.url, status=200, headers=headers, body=archived.body, request=request,
            flags=[*response.flags, "revalidated"], protocol=response.protocol,
        )  # fmt: skip

"""The crawl's middlewares: conditional requests, redirect scope, lenient decoding, the books.

:class:`ConditionalRequestMiddleware` (periodic crawls): a report page or attachment fetched before is requested again with
``If-None-Match`` / ``If-Modified-Since`` from the crawl state. A ``304 Not
Modified`` (archived as a revisit record by the archive extension, which sees
it first) is turned back into the archived response, so spiders still read the
page's links; its ``meta["warc"]`` points at the archived copy, and the flag
``revalidated`` marks it in Scrapy's "Crawled" log line. The pipeline does not
parse it again because its bytes match what the crawl state knew of the URL
(``meta["prior"]``), as for any unchanged document. Only requests marked
``meta["conditional"]`` take part: list pages change under the same URL and are
always fetched whole.

:class:`RedirectScopeMiddleware`: a redirect leaves the portal's hosts only as far as
a link may (never): the redirected request is refused before robots.txt or the
page of the other host is fetched, and listed as skipped.

:class:`LenientDecodingMiddleware`: a ``Content-Encoding: gzip`` (or deflate) on a body
that is not compressed is dropped, so the plain body is used, as the rebuild (warcio)
reads the same archived response: decode what is decodable, else the raw body.

:class:`ListDepthMiddleware`: Scrapy's DepthMiddleware, except that a list's own pages
(requests marked ``meta["pagination"]``: next links, TRS pages, list APIs) keep the depth
of the page that led to them: DEPTH_LIMIT counts hops between columns and sites, never the
pages of one list, so a column of 500 pages is read to its end.

:class:`ParseBacklogGate`: while too many fetched documents wait for the parse backlog, new
downloads wait before they start (memory stays flat however far fetching outruns parsing).

:class:`BooksMiddleware`: a spider middleware keeping the crawl's books
(:mod:`crawler.crawl.books`): exceptions while reading a page, links beyond the depth
limit, redirects dropped as duplicates or loops, documents lost in the pipeline;
at the end the balance goes into the stats (``books``) and the crawl state.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares import cookies as scrapy_cookies
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.depth import DepthMiddleware
from tldextract import TLDExtract

from archive.reader import ArchiveReadError, read_response
from crawler.crawl import discovery
from crawler.crawl.books import Books, close_books
from crawler.store.database import Prior, shared_store

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

# Scrapy's cookie middleware splits cookie domains with a TLDExtract that downloads the public
# suffix list from the internet on first use (and logs a traceback when it cannot). A crawler must
# send nothing but its own requests: use the snapshot bundled with tldextract instead.
scrapy_cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)

logger = logging.getLogger(__name__)


class ConditionalRequestMiddleware:
    """Validators from the crawl state, read once when the spider opens: no store query per request.

    Every conditional request gets ``meta["prior"]`` (the :class:`crawler.store.database.Prior` of its URL,
    or None for a URL never fetched): the archive extension writes a 304's revisit record from
    it and the pipeline decides from it whether the bytes changed, without asking the store.
    """

    def __init__(self, crawler: Crawler, store_url: str, warc_dir: Path) -> None:
        self.store_url = store_url
        self.warc_dir = warc_dir
        self.stats = crawler.stats
        self.state: dict[str, Prior] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        settings = crawler.settings
        if not settings.getbool("INCREMENTAL_ENABLED", True) or not settings.get("STORE_URL"):
            raise NotConfigured("INCREMENTAL_ENABLED is off or STORE_URL is not set")
        mw = cls(crawler, settings["STORE_URL"], Path(settings.get("ARCHIVE_DIR", "data/warc")))
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        hosts = getattr(spider, "hosts", None) or set()
        self.state = shared_store(self.store_url).crawl_state(hosts)
        if self.stats:
            self.stats.set_value("incremental/known_urls", len(self.state))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        state = self.state.get(request.url)
        request.meta["prior"] = state
        if state is None or state.warc_file is None or state.status != 200:
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
        state = request.meta.get("prior")
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


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host the crawl does not visit."""

    def __init__(self, target: str) -> None:
        super().__init__(f"off-site redirect to {target}")
        self.target = target


class RedirectScopeMiddleware:
    """Redirected requests get the spider's scope check (its ``hosts``), as links do.

    Placed before RobotsTxtMiddleware (100): a refused redirect costs the other host nothing,
    not even a robots.txt request.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectScopeMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        hosts = getattr(self.crawler.spider, "hosts", None)
        if not hosts or not request.meta.get("redirect_urls") or request.meta.get("playwright"):
            return
        if not discovery.in_scope(request.url, hosts):
            if self.crawler.stats:
                self.crawler.stats.inc_value("discovery/offsite_redirects")
            logger.info("Off-site redirect not followed: %s → %s", request.meta["redirect_urls"][-1], request.url)
            raise OffsiteRedirect(request.url)


# zlib windows: gzip, zlib-wrapped deflate, raw deflate (servers send both as "deflate")
_WINDOWS = {b"gzip": (16 + zlib.MAX_WBITS,), b"x-gzip": (16 + zlib.MAX_WBITS,), b"deflate": (zlib.MAX_WBITS, -zlib.MAX_WBITS)}


def decodable(body: bytes, encoding: bytes) -> bool:
    """Whether the start of ``body`` decodes with ``encoding`` (unknown encodings: assumed so).

    The test warcio applies when reading an archived response: the first block either
    decompresses or the body is taken as it is.
    """
    windows = _WINDOWS.get(encoding.strip().lower())
    if windows is None or not body:
        return True
    for wbits in windows:
        try:
            # the first 2 KiB tell a compressed stream from a plain body (header, first block) without
            # inflating most of the page, which HttpCompressionMiddleware does once more right after
            zlib.decompressobj(wbits).decompress(body[:2048])
            return True
        except zlib.error:
            continue
    return False


class LenientDecodingMiddleware:
    """Drops a Content-Encoding the body does not have; sits between the downloader and HttpCompression (590)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LenientDecodingMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        encodings = response.headers.getlist("Content-Encoding")
        if not encodings or request.method == "HEAD":
            return response
        # the outermost coding is the last one listed: only that one can be checked on the raw body
        if decodable(response.body, encodings[-1]):
            return response
        if self.stats:
            self.stats.inc_value("download/encoding_ignored")
        logger.info("%s is labelled %s but is not: using the body as it came", response.url, encodings[-1].decode("latin-1"))
        headers = Headers(response.headers)
        headers.pop(b"Content-Encoding", None)
        if len(encodings) > 1:
            headers.setlist(b"Content-Encoding", encodings[:-1])
        return response.replace(headers=headers)


def link_depth(response: Response, request: Request) -> int:
    """The depth ``request`` gets from ``response``: one hop more, except for a list's own pages."""
    parent = int(response.meta.get("depth", 0))
    return parent if request.meta.get("pagination") else parent + 1


class ListDepthMiddleware(DepthMiddleware):
    """DepthMiddleware (replaces it at 900) whose depth does not grow along a list's pages."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is None or not request.meta.get("pagination"):
            return super().get_processed_request(request, response)
        request.meta.pop("depth_reset", None)
        request.meta["depth"] = link_depth(response, request)
        return request


class ParseBacklogGate:
    """Holds a request before it is sent while ``PARSE_QUEUE_WAITING`` documents wait for the parse backlog.

    A document waiting for room keeps its response (and everything Scrapy attached to it) in
    memory. Scrapy bounds those by their bodies' bytes (SCRAPER_SLOT_MAX_ACTIVE_SIZE, each counted
    as at least 1 KB), which let more than a thousand small report pages wait at once. A held
    request counts as one of CONCURRENT_REQUESTS, so Scrapy takes no more from the scheduler:
    downloads pause until the parsers have caught up. Nothing is dropped, and a stopped backlog
    holds nothing back. Sits first (10): a held request has not touched anything yet.
    """

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self._backlog: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParseBacklogGate:
        limit = crawler.settings.getint("PARSE_QUEUE_WAITING", 32)
        if limit <= 0:
            raise NotConfigured("PARSE_QUEUE_WAITING is 0")
        return cls(crawler, limit)

    def backlog(self) -> Any:
        """The item pipelines' parse backlog (a :class:`crawler.core.workers.Backlog`), if one has it."""
        if self._backlog is None and self.crawler.engine is not None:
            for pipeline in getattr(self.crawler.engine.scraper.itemproc, "middlewares", ()):
                if hasattr(getattr(pipeline, "backlog", None), "uncrowded"):
                    self._backlog = pipeline.backlog
        return self._backlog

    async def process_request(self, request: Request) -> None:
        backlog = self.backlog()
        if backlog is not None and backlog.waiting >= self.limit:
            if self.crawler.stats:
                self.crawler.stats.inc_value("parse/held_downloads")
            await backlog.uncrowded(self.limit)


class BooksMiddleware:
    """The spider's books (``spider.books``) for what the spider's own code never sees."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_depth = crawler.settings.getint("DEPTH_LIMIT", 0)
        store_url = crawler.settings.get("STORE_URL")
        self.store = shared_store(store_url) if store_url else None
        self.lost: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BooksMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(mw.item_error, signal=signals.item_error)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _books(self) -> Books | None:
        books = getattr(self.crawler.spider, "books", None)
        return books if isinstance(books, Books) else None

    # placed closer to the spider than DepthMiddleware (900): requests it would drop silently are listed
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for out in result:
            if self._keep(response, out):
                yield out

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for out in result:
            if self._keep(response, out):
                yield out

    def _keep(self, response: Response, out: Any) -> bool:
        books = self._books()
        if books is None or not isinstance(out, Request) or not self.max_depth:
            return True
        depth = link_depth(response, out)
        if depth <= self.max_depth:
            return True
        books.settle(out.url, "skipped", "depth limit", f"{depth} links from the start (DEPTH_LIMIT={self.max_depth})")
        return False

    def process_spider_exception(self, response: Response, exception: Exception) -> list[Any]:
        """An exception while reading a page: the page is listed as failed (what it yielded before is kept)."""
        books = self._books()
        if books is None:
            return []
        request = response.request
        chain = request.meta.get("redirect_urls") if request is not None else None
        url = str(chain[0]) if chain else response.url
        detail = f"{type(exception).__name__}: {exception}"
        books.settle(url, "failed", "exception while reading the page", detail, kind=response.meta.get("kind", "list"))
        if self.crawler.stats:
            self.crawler.stats.inc_value("discovery/page_errors")
        logger.warning("Page %s could not be read to the end: %s", response.url, detail)
        return []

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """A redirect to a URL already fetched (the dupefilter drops it): a loop or a duplicate."""
        books = self._books()
        chain = request.meta.get("redirect_urls")
        if books is None or not chain:
            return
        kind = request.meta.get("kind", "link")
        if request.url in chain:
            books.settle(str(chain[0]), "failed", "redirect loop", " → ".join([*chain, request.url]), kind=kind)
        else:
            books.settle(str(chain[0]), "skipped", "duplicate", f"redirects to {request.url}, fetched already", kind=kind)

    def item_error(self, item: Any, response: Response, spider: Spider, failure: Any) -> None:
        url = getattr(item, "url", None)
        if url:
            self.lost[str(url)] = f"{failure.type.__name__}: {failure.getErrorMessage()}"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        books = self._books()
        if books is None or self.store is None:
            return
        # documents the pipeline listed without storing an outcome (a crawl stopped before their turn)
        listed = (self.crawler.stats.get_value("documents/failures") if self.crawler.stats else None) or []
        unparsed = {f["url"]: f["error"] for f in listed if f.get("url") and f.get("error")}
        balance = close_books(books, self.store, lost=self.lost, unparsed=unparsed, stopped=reason)
        if self.crawler.stats:
            self.crawler.stats.set_value("books", balance)

"""ReportsSpider: finds every annual report on a region's portals (or any portal by URL).

Discovery only: which pages to fetch and what they are. From the portal roots
it follows links to disclosure columns and annual-report lists (by link text
and URL slug), their pagination (next links, TRS ``createPageHTML`` scripts,
Hanweb ``dataproxy.jsp`` and Guangdong ``gkmlpt`` list APIs), and report
pages with their attachments, never leaving the portals' own hosts. Lists
that only scripts fill are rendered by Chromium when ``render`` allows.
Report contents are parsed by the pipelines, never here.

    scrapy crawl reports -a region=浙江省/温州市/瑞安市
    scrapy crawl reports -a start_url=https://www.example.gov.cn/ -a render=never
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import scrapy
from playwright.async_api import Error as PlaywrightError
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError

from archive import signals as archive_signals
from archive.decoded import decoded_headers
from crawler.crawl import discovery, rendering
from crawler.crawl.books import Books
from crawler.crawl.items import FetchedDocument, FetchFailure
from crawler.crawl.middlewares import OffsiteRedirect
from crawler.crawl.seen import SeenUrls
from crawler.registry.regions import Region, RegionIndex, load_registry, select

_HANWEB_NEXT = re.compile(r"dataproxy\.jsp\?([^\"'<>\]]+)")
_CDATA_LINK = re.compile(
    r"<a[^>]+href=[\"']([^\"']+)[\"'][^>]*?(?:title=[\"']([^\"']*)[\"'])?[^>]*>(.*?)</a>", re.DOTALL | re.IGNORECASE
)
_GKMLPT_SID = re.compile(r"""SID\s*[:=]\s*['"]([\w-]+)['"]""")
_GKMLPT_COLUMN = re.compile(r"gkmlpt/index#(\d+)|gkmlpt/(?:index|policy)/(\d+)")
_HANWEB_PAGE = 120
# Scrapy fetches higher priorities first: a report's attachments, then report pages, then
# lists. Documents found are fetched before more of a list is read, so the requests waiting in
# the scheduler stay about one list page's links, not a whole column's (100,000 requests for
# a national column kept in memory); a report's documents also complete its group sooner.
_PRIORITY = {"list": 0, "report": 1, "attachment": 2}
# errors Twisted raises without a message
_DESCRIBE = {
    "ResponseDataLossError": "the connection closed before the body was complete (Content-Length not reached, or reset)",
    "DownloadCancelledError": "download cut off: larger than DOWNLOAD_MAXSIZE",
    "ResponseFailed": "the connection failed while reading the response",
}


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(
        self, region: str | None = None, start_url: str | None = None, since: str | int | None = None,
        render: str = "auto", registry: str | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(**kwargs)
        if not region and not start_url:
            raise ValueError("give a region (-a region=省/市/县) or a portal (-a start_url=https://…)")
        if render not in {"auto", "never", "always"}:
            raise ValueError(f"render must be auto, never or always, not {render!r}")
        self.render = render
        self.since = int(since) if since else None
        self.registry = load_registry(Path(registry) if registry else None)
        self.regions: list[Region] = []
        urls: list[str] = []
        if region:
            self.regions = select(self.registry, region)
            for r in self.regions:
                for portal in r.portals:
                    urls.extend([*portal.report_columns, portal.url])
        if start_url:
            urls.append(start_url)
        try:
            self.start_urls = list(dict.fromkeys(discovery.canonical_url(u) for u in urls))
        except ValueError as exc:
            raise ValueError(f"not a usable start address: {exc}") from None
        self.books = Books()
        self.hosts = {urlsplit(u).netloc.lower() for u in self.start_urls}
        self._expanded: set[tuple[str, int, str, str]] = set()
        self._requested = SeenUrls()
        # asked per stored document (from the store's thread): indexed once
        self._own_regions, self._all_regions = RegionIndex(self.regions), RegionIndex(self.registry)

    def region_for(self, url: str) -> Region | None:
        """The registry region a report URL belongs to (the crawled region's, else any known portal's)."""
        region = self._own_regions.find(url) if self.regions else None
        return region or self._all_regions.find(url)

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls:
            yield self._list_request(url)

    # requests ------------------------------------------------------------------------------
    def _list_request(self, url: str, **meta: Any) -> Request:
        self._requested.add(url)
        self.books.discover(url, "list")
        meta = {"kind": "list", **meta}
        if self.render == "always":
            meta.update(self._browser_meta())
        return Request(url, callback=self.parse, errback=self.errback, meta=meta)

    def _browser_meta(self) -> dict[str, Any]:
        settings = self.crawler.settings
        return {
            "playwright": True,
            "playwright_page_event_handlers": {"response": "on_browser_response"},
            # lists filled by scripts after load: wait for their links to appear and settle, not for a quiet
            # network (a list that polls never gets quiet); a timeout keeps what was rendered
            "playwright_page_goto_kwargs": {"wait_until": "load"},
            "playwright_page_methods": [
                rendering.settle_links_method(
                    timeout=settings.getfloat("RENDER_SETTLE_TIMEOUT", 15.0), quiet=settings.getfloat("RENDER_SETTLE_QUIET", 1.0)
                )
            ],
            "rendered": True,
        }

    def _report_request(self, url: str, title: str) -> Request | None:
        year = discovery.report_year(title)
        if self.since and year and year < self.since:
            self.crawler.stats.inc_value("discovery/older_than_since")
            self.books.settle(url, "skipped", "older than --since", title, kind="report")
            return None
        self.crawler.stats.inc_value("discovery/report_links")
        self._requested.add(url)  # a report link met again is not new (the stale-list guard counts new ones)
        self.books.discover(url, "report")
        return Request(
            url,
            callback=self.parse_report,
            errback=self.errback,
            meta={"kind": "report", "link_text": title, "conditional": True, "group_key": url},
            priority=_PRIORITY["report"],
        )

    def _attachment_request(self, url: str, group_key: str, role: str = "attachment") -> Request:
        self._requested.add(url)
        self.books.discover(url, "attachment")
        meta = {"kind": "attachment", "conditional": True, "group_key": group_key, "role": role}
        return Request(url, callback=self.parse_attachment, errback=self.errback, meta=meta, priority=_PRIORITY["attachment"])

    def _scoped(self, url: str, kind: str = "link") -> bool:
        if discovery.in_scope(url, self.hosts):
            return True
        if url.startswith(("http://", "https://")):
            self.crawler.stats.inc_value("discovery/offsite_filtered")
            self.books.settle(url, "skipped", "off-site link", kind=kind)
        return False

    # callbacks -----------------------------------------------------------------------------
    def parse(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield from self._document(response, role="page")
            return
        root = _html_root(response)
        title = discovery.page_title(root)
        if discovery.is_report_title(title) and not response.meta.get("rendered"):
            yield from self._report_page(response, root)
            return
        found, pages = 0, []
        # links followed already (the nav and footer of every page) are skipped before their text is read
        for url, text, error in discovery.checked_links(root, response.url, self._requested):
            for request in self._guarded(response.url, url, text, error):
                found += _is_document_request(request)
                if request.meta.get("pagination"):
                    pages.append(request)
                else:
                    yield request
        pagination = discovery.trs_pagination(response.text)
        column = (response.url.rsplit("/", 1)[0], *pagination) if pagination else None
        if column is not None and column not in self._expanded:
            # every page of a TRS list repeats the same script: expand each column once (all its
            # pages at once, bounded by the script's page count: no chain to guard)
            self._expanded.add(column)
            for url in discovery.trs_pages(response.url, response.text):
                if discovery.same_column(response.url, url) and self._scoped(url, "list") and url not in self._requested:
                    yield self._list_request(url, pagination=True)
        hanweb = list(self._hanweb(response))
        gkmlpt = list(self._gkmlpt(response))
        found += sum(_is_document_request(r) for r in hanweb)
        yield from (r for r in hanweb if not r.meta.get("pagination"))
        yield from gkmlpt
        pages += [r for r in hanweb if r.meta.get("pagination")]
        yield from self._next_pages(response, pages, found)
        self._read(response)
        if (
            self.render == "auto" and not found and not hanweb and not gkmlpt and not response.meta.get("rendered")
            and _looks_like_report_list(response, title) and "<script" in response.text
        ):  # fmt: skip
            # a report list whose items only scripts produce: render it in the browser
            self.crawler.stats.inc_value("discovery/rendered_lists")
            yield Request(
                response.url,
                callback=self.parse,
                errback=self.errback,
                dont_filter=True,
                # the same page again: no hop deeper
                meta={"kind": "list", "pagination": True, **self._browser_meta()},
            )

    @property
    def stale_limit(self) -> int:
        return max(1, self.crawler.settings.getint("LIST_STALE_PAGES", 5))

    def _next_pages(self, response: Response, pages: list[Request], found: int) -> Iterator[Request]:
        """A list's own next pages (same depth as this page), unless the list has gone stale.

        ``stale`` counts the pages in a row, along one chain of next links, that gave no new
        report link: an endless calendar or an archive of notices ends after LIST_STALE_PAGES.
        """
        stale = 0 if found else int(response.meta.get("stale", 0)) + 1
        for request in pages:
            if stale >= self.stale_limit:
                self.crawler.stats.inc_value("discovery/stale_list_stops")
                detail = f"no new report links on {stale} list pages in a row (LIST_STALE_PAGES={self.stale_limit})"
                self.books.settle(request.url, "skipped", "stale list", detail, kind="list")
                continue
            request.meta["stale"] = stale
            yield request

    def _read(self, response: Response) -> None:
        """A list page's links were followed; a browser rendering that timed out is listed as a failure."""
        url = _book_url(response)
        settled = rendering.settle_result(response.meta)
        if settled is not None and not settled.settled:
            self.crawler.stats.inc_value("discovery/render_timeouts")
            self.books.settle(url, "failed", "browser render timed out", settled.describe(), kind="list")
        else:
            self.books.settle(url, "read", kind="list")

    def _guarded(self, base: str, href: str, text: str, error: str | None = None) -> Iterator[Request]:
        """One link's requests: each link is its own failure boundary, a bad one is listed and the rest followed."""
        if error is None:
            try:
                url = discovery.resolve_link(base, href)
            except ValueError as exc:
                error = str(exc)
        if error is not None:
            self.crawler.stats.inc_value("discovery/malformed_links")
            self.books.settle(href, "failed", "malformed link", f"{error.removeprefix('malformed link: ')} (on {base})")
            return
        try:
            yield from self._from_link(base, url, text)
        except Exception as exc:  # noqa: BLE001 - whatever one link does, the page's other links are still followed
            self.crawler.stats.inc_value("discovery/link_errors")
            self.books.settle(url, "failed", "exception while following a link", f"{type(exc).__name__}: {exc}")
            self.logger.warning("Link %s on %s not followed: %s: %s", url, base, type(exc).__name__, exc)

    def _from_link(self, base: str, url: str, text: str) -> Iterator[Request]:
        if url in self._requested:
            return  # the nav and footer repeat on every page: ask Scrapy's dupefilter only once per URL
        if discovery.is_page_link(text) and discovery.same_column(base, url):
            if self._scoped(url, "list"):
                # the list's own pages (下一页, 2, 3 … 尾页): no hop deeper, and the stale-list guard counts them
                yield self._list_request(url, pagination=True)
        elif discovery.is_report_title(text):
            if not self._scoped(url, "report"):
                return
            if discovery.is_attachment(url, text):
                self.crawler.stats.inc_value("discovery/report_links")
                yield self._attachment_request(url, url)
            else:
                request = self._report_request(url, text)
                if request is not None:
                    yield request
        elif discovery.is_column_link(text, url) and not discovery.is_attachment(url) and self._scoped(url, "list"):
            yield self._list_request(url)

    def parse_report(self, response: Response) -> Iterator[Any]:
        yield from self._report_page(response, _html_root(response) if isinstance(response, TextResponse) else None)

    def _report_page(self, response: Response, root: Any) -> Iterator[Any]:
        """A report page: its document, then requests for its attachments (``root``: its parsed HTML)."""
        attachments: list[str] = []
        requests: list[Request] = []
        if root is not None:
            for url, text, error in discovery.checked_links(root, response.url):
                if error is not None:
                    if discovery.is_attachment(url, text):
                        detail = f"{error.removeprefix('malformed link: ')} (on {response.url})"
                        self.books.settle(url, "failed", "malformed link", detail, kind="attachment")
                    continue
                if discovery.is_attachment(url, text) and self._scoped(url, "attachment"):
                    attachments.append(url)
                    requests.append(self._attachment_request(url, response.meta.get("group_key") or response.url))
            # report tables published as pictures: fetched, archived and parsed like attachments
            for url in discovery.page_pictures(root, response.url):
                if url not in attachments and self._scoped(url, "attachment"):
                    self.crawler.stats.inc_value("discovery/table_pictures")
                    attachments.append(url)
                    requests.append(self._attachment_request(url, response.meta.get("group_key") or response.url, "image"))
        yield from self._document(response, role="page", links=attachments)
        yield from requests

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        role = response.meta.get("role", "attachment") if response.meta.get("group_key") != response.url else "page"
        yield from self._document(response, role=role)

    def _document(self, response: Response, role: str, links: list[str] | None = None) -> Iterator[FetchedDocument]:
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        self.books.document(_book_url(response), response.url)
        yield FetchedDocument(
            url=response.url, group_key=response.meta.get("group_key") or response.url, role=role,
            status=response.status, headers=headers, body=response.body,
            fetched_at=response.meta.get("fetched_at") or dt.datetime.now(dt.UTC).isoformat(),
            warc=response.meta.get("warc"), links=links or [], prior=response.meta.get("prior"),
            prior_checked="prior" in response.meta,
        )  # fmt: skip

    # list APIs -----------------------------------------------------------------------------
    def _hanweb(self, response: TextResponse) -> Iterator[Request]:
        """Hanweb 大汉 columns: inline records, then the rest from dataproxy.jsp."""
        m = _HANWEB_NEXT.search(response.text)
        if not m:
            return
        for href, title, text in _CDATA_LINK.findall(_datastore(response.text)):
            yield from self._guarded(response.url, href, title or _strip_tags(text))
        params = {k: v[0] for k, v in parse_qs(m.group(1).replace("&amp;", "&")).items()}
        if "columnid" not in params:
            return
        form = {
            k: params.get(k, "") for k in ("col", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")
        }
        form["col"] = form["col"] or "1"
        form["permissiontype"] = form["permissiontype"] or "0"
        yield self._hanweb_request(response.url, form, 1)  # the column's own list, as its pages: no hop deeper

    def _hanweb_request(self, base: str, form: dict[str, str], start: int) -> Request:
        url = urljoin(
            base,
            f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={start + _HANWEB_PAGE - 1}&perpage={_HANWEB_PAGE // 3}",
        )
        return scrapy.FormRequest(
            url,
            formdata=form,
            callback=self.parse_hanweb,
            errback=self.errback,
            meta={"kind": "list", "form": form, "start": start, "pagination": True},
        )

    def parse_hanweb(self, response: Response) -> Iterator[Request]:
        self._read(response)
        found = 0
        for href, title, text in _CDATA_LINK.findall(response.text):
            for request in self._guarded(response.url, href, title or _strip_tags(text)):
                found += _is_document_request(request)
                yield request
        total = re.search(r"<totalrecord>\s*(\d+)", response.text)
        start = int(response.meta["start"])
        if total and start + _HANWEB_PAGE <= int(total.group(1)):
            yield from self._next_pages(
                response, [self._hanweb_request(response.url, response.meta["form"], start + _HANWEB_PAGE)], found
            )

    def _gkmlpt(self, response: TextResponse) -> Iterator[Request]:
        """Guangdong gkmlpt columns: the list comes from /gkmlpt/api/all/<column>."""
        sid = _GKMLPT_SID.search(response.text)
        if not sid or "gkmlpt" not in response.text:
            return
        columns = {a or b for a, b in _GKMLPT_COLUMN.findall(response.text)}
        fragment = urlsplit(response.url).fragment
        if fragment.isdigit():
            columns.add(fragment)
        for column in sorted(columns):
            yield self._gkmlpt_request(response.url, column, sid.group(1), 1)

    def _gkmlpt_request(self, base: str, column: str, sid: str, page: int) -> Request:
        url = urljoin(base, f"/gkmlpt/api/all/{column}?page={page}&sid={sid}")
        return Request(
            url,
            callback=self.parse_gkmlpt,
            errback=self.errback,
            meta={"kind": "list", "column": column, "sid": sid, "page": page, "pagination": True},
        )

    def parse_gkmlpt(self, response: Response) -> Iterator[Request]:
        try:
            data = json.loads(response.text)
        except ValueError:
            self.crawler.stats.inc_value("discovery/gkmlpt_bad_json")
            self.books.settle(_book_url(response), "failed", "list API answered no JSON", kind="list")
            return
        self._read(response)
        articles = data.get("articles") or []
        found = 0
        for article in articles:
            for request in self._guarded(response.url, str(article.get("url", "")), str(article.get("title", ""))):
                found += _is_document_request(request)
                yield request
        page, total = int(response.meta["page"]), int(data.get("total") or 0)
        if articles and page * len(articles) < total:
            following = self._gkmlpt_request(response.url, response.meta["column"], response.meta["sid"], page + 1)
            yield from self._next_pages(response, [following], found)

    # browser and failures --------------------------------------------------------------------
    async def on_browser_response(self, response: Any) -> None:
        """Archive what the browser fetched while rendering (bodies arrive decoded)."""
        try:
            body = await response.body()
            headers = await response.headers_array()
            request_headers = await response.request.headers_array()
        except PlaywrightError:  # a redirect or an aborted fetch has no body to archive
            self.crawler.stats.inc_value("archive/browser_unreadable")
            return
        fixed = decoded_headers(((h["name"], h["value"]) for h in headers), len(body))
        self.crawler.signals.send_catch_log(
            signal=archive_signals.browser_response, url=response.url, method=response.request.method,
            request_headers=[(h["name"], h["value"]) for h in request_headers if not h["name"].startswith(":")],
            status=response.status, reason=response.status_text, headers=fixed, body=body,
        )  # fmt: skip

    def errback(self, failure: Any) -> Iterator[FetchFailure]:
        request = failure.request
        kind = request.meta.get("kind", "link")
        url = _first_url(request)
        status = None
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            state, reason, detail = _ignored(failure.value)
            self.books.settle(url, state, reason, detail, kind=kind)
            if state == "skipped":
                return  # on purpose (robots.txt, an off-site redirect): listed, not an error
            error = f"{reason}: {detail}" if detail else reason
        elif failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}"
            self.books.settle(url, "failed", "fetch failed", error, kind=kind)
        else:
            message = failure.getErrorMessage().strip()
            error = (
                f"{failure.type.__name__}: {message}" if message else _DESCRIBE.get(failure.type.__name__, failure.type.__name__)
            )
            self.crawler.signals.send_catch_log(signal=archive_signals.fetch_failed, request=request, error=error)
            self.books.settle(url, "failed", "fetch failed", error, kind=kind)
        self.crawler.stats.inc_value("documents/fetch_errors")
        self.logger.warning("Fetch failed: %s (%s)", request.url, error)
        if kind in {"report", "attachment"}:
            yield FetchFailure(url=url, group_key=request.meta.get("group_key"), role=kind, error=error, status=status)


def _ignored(exc: BaseException) -> tuple[str, str, str]:
    """(state, reason, detail) of a request a middleware refused to fetch."""
    message = str(exc)
    if isinstance(exc, OffsiteRedirect):
        return "skipped", "off-site redirect", exc.target
    if "robots.txt" in message:
        return "skipped", "robots.txt", ""
    if "max redirections" in message:
        return "failed", "redirect loop", message
    return "failed", "fetch refused", message


def _first_url(request: Request) -> str:
    """The URL the spider asked for (a redirected request carries its chain in ``redirect_urls``)."""
    chain = request.meta.get("redirect_urls")
    return str(chain[0]) if chain else request.url


def _book_url(response: Response) -> str:
    return _first_url(response.request) if response.request is not None else response.url


def _is_document_request(request: Request) -> bool:
    """A request for a report page or an attachment: what makes a list page worth its next one."""
    return request.meta.get("kind") in {"report", "attachment"}


def _html_root(response: TextResponse) -> Any:
    """The page parsed by lxml, as ``response.selector.root`` would be, but not kept on the response.

    ``response.selector`` caches a Selector that points back at the response: the pair is a
    reference cycle, so the response, its text and its whole lxml tree (over 1 MB for a 100 KB
    report page) wait for the cyclic garbage collector, which runs rarely while the crawl's
    objects live long. Hundreds of them piled up. This tree is the callback's alone: freed
    by reference counting as soon as the callback is done with the page.
    """
    return Selector(response=response).root


def _datastore(html: str) -> str:
    m = re.search(r"<recordset>(.*?)</recordset>", html, re.DOTALL)
    return m.group(1) if m else ""


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).strip()


def _looks_like_report_list(response: TextResponse, title: str) -> bool:
    return bool(re.search(r"年报|年度报告|gknb|zfxxgknb|xxgknb|ndbg|nb/", response.url + title))

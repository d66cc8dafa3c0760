"""WarcArchiveExtension: every HTTP exchange of a crawl into WARC files, before anything else.

Knows nothing of the record store: a 304's original comes with the request
(``meta["prior"]``, set by the conditional-request middleware).

Hooks ``response_downloaded``, which fires right after the download handler and
before every downloader middleware: redirects, errors and robots.txt are
archived as they came, bodies still content-encoded (as on the wire,
de-chunked). The WARC position of the response is put in ``request.meta
["warc"]`` for the pipelines. A 304 becomes a revisit record pointing at the
archived original. Responses rendered by the browser are not HTTP messages:
their DOM is a resource record, and the browser's own network responses come
through :data:`archive.signals.browser_response`.
"""

from __future__ import annotations

import datetime as dt
import http
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive import signals as archive_signals
from archive.cdxj import add_to_index, write_index
from archive.writer import RollingWarcWriter, warc_date
from crawler.core.errors import ReportError

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ArchiveConfigError(ReportError):
    """An ARCHIVE_* setting that cannot be used."""

    reason = "options/invalid"


@dataclass(frozen=True)
class ArchiveConfig:
    directory: Path
    max_size: int
    gzip: bool
    prefix: str

    @classmethod
    def from_settings(cls, settings: Any) -> ArchiveConfig:
        """The archive's settings, checked: a bad value is an ArchiveConfigError naming the setting."""
        directory = settings.get("ARCHIVE_DIR")
        if not directory:
            raise NotConfigured("ARCHIVE_DIR must be set to a folder for the WARC files")
        try:
            max_size = settings.getint("ARCHIVE_MAX_SIZE", 100 * 2**20)
        except (TypeError, ValueError):
            raise ArchiveConfigError(
                f"ARCHIVE_MAX_SIZE must be a whole number of bytes, not {settings.get('ARCHIVE_MAX_SIZE')!r}"
            ) from None
        if max_size <= 0:
            raise ArchiveConfigError(f"ARCHIVE_MAX_SIZE must be a positive number of bytes, not {max_size}")
        try:
            gzip = settings.getbool("ARCHIVE_GZIP", True)
        except ValueError:
            raise ArchiveConfigError(f"ARCHIVE_GZIP must be true or false, not {settings.get('ARCHIVE_GZIP')!r}") from None
        prefix = str(settings.get("ARCHIVE_PREFIX") or "govreports")
        # the prefix starts every file name: a path separator would write outside ARCHIVE_DIR
        if not _PREFIX.fullmatch(prefix):
            raise ArchiveConfigError(f"ARCHIVE_PREFIX must be letters, digits, '.', '_' or '-', not {prefix!r}")
        return cls(directory=Path(directory), max_size=max_size, gzip=gzip, prefix=prefix)


def _headers(headers: Any) -> list[tuple[str, str]]:
    """Scrapy headers as (name, value) pairs, repeated headers kept in order."""
    out: list[tuple[str, str]] = []
    for name, values in headers.items():
        for value in values:
            out.append((name.decode("latin-1"), value.decode("latin-1")))
    return out


class WarcArchiveExtension:
    def __init__(self, crawler: Crawler, config: ArchiveConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.writer: RollingWarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveExtension:
        if not crawler.settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        ext = cls(crawler, ArchiveConfig.from_settings(crawler.settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.fetch_failed, signal=archive_signals.fetch_failed)
        crawler.signals.connect(ext.browser_response, signal=archive_signals.browser_response)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        settings = self.crawler.settings
        self.config.directory.mkdir(parents=True, exist_ok=True)
        self.writer = RollingWarcWriter(
            self.config.directory,
            prefix=self.config.prefix,
            max_size=self.config.max_size,
            gzip=self.config.gzip,
            warcinfo={
                "operator": "govreports crawler",
                "isPartOf": spider.name,
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT", ""),
                "description": "Crawl of government information-disclosure annual reports (政府信息公开工作年度报告)",
            },
        )

    def spider_closed(self, spider: Spider) -> None:
        if self.writer is None:
            return
        files = self.writer.close()
        self.stats.set_value("archive/files", len(files))
        index = self.config.directory / "index.cdxj"
        if files:
            # this crawl's WARCs only, merged into the archive's index: no re-reading of old WARCs
            self.stats.set_value("archive/index_lines", add_to_index(files, index))
        elif not index.exists() and list(self.config.directory.glob("*.warc*")):
            self.stats.set_value("archive/index_lines", write_index(sorted(self.config.directory.glob("*.warc*")), index))
        logger.info("WARC files written: %s", ", ".join(p.name for p in files), extra={"spider": spider})

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.writer is None:
            return
        now = dt.datetime.now(dt.UTC)
        if "playwright" in response.flags:
            # the rendered DOM is not what the server sent: keep it as a resource record
            self.writer.write_resource(
                url=response.url, content_type="text/html; charset=utf-8", body=response.body, fetched_at=now
            )
            self.stats.inc_value("archive/resource_records")
            return
        request_headers = _headers(request.headers)
        response_headers = _headers(response.headers)
        reason = _reason(response.status)
        protocol = response.protocol or "HTTP/1.1"
        if response.status == 304:
            # what the crawl knew of the URL before (conditional requests carry it): no store query here
            original = request.meta.get("prior")
            warc = getattr(original, "warc", None)
            pos = self.writer.write_revisit(
                url=request.url, method=request.method, request_headers=request_headers, protocol=protocol,
                status=304, reason=reason, response_headers=response_headers,
                refers_to_record_id=warc["record_id"] if warc else None,
                refers_to_uri=request.url if warc else None,
                refers_to_date=getattr(original, "fetched_at", None),
                payload_digest=None, fetched_at=now,
            )  # fmt: skip
            self.stats.inc_value("archive/revisit_records")
        else:
            pos = self.writer.write_response(
                url=request.url, method=request.method, request_headers=request_headers,
                request_body=request.body or None, protocol=protocol, status=response.status, reason=reason,
                response_headers=response_headers, body=response.body,
                ip_address=str(response.ip_address) if response.ip_address else None, fetched_at=now,
            )  # fmt: skip
            self.stats.inc_value("archive/response_records")
        request.meta["warc"] = pos.as_dict()
        # the record's WARC-Date: a rebuild from the WARC finds the same value
        request.meta["fetched_at"] = warc_date(now)

    def fetch_failed(self, request: Request, error: str) -> None:
        if self.writer is not None:
            self.writer.write_metadata(url=request.url, fields={"fetch-error": error, "method": request.method})
            self.stats.inc_value("archive/error_records")

    def browser_response(
        self, url: str, method: str, request_headers: list[tuple[str, str]], status: int, reason: str,
        headers: list[tuple[str, str]], body: bytes,
    ) -> None:  # fmt: skip
        if self.writer is None:
            return
        self.writer.write_response(
            url=url, method=method, request_headers=request_headers, request_body=None, protocol="HTTP/1.1",
            status=status, reason=reason or _reason(status), response_headers=headers, body=body,
        )  # fmt: skip
        self.stats.inc_value("archive/browser_records")


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""

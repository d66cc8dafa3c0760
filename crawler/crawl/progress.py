"""CrawlProgress: a line every few seconds while crawling (pages, reports found, errors).

The summary at the end is built by :func:`crawl_summary` from the crawl's
stats and the store, and printed by the command line.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.crawl.books import equation

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger("crawler.crawl.progress")


class CrawlProgress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.stats = crawler.stats
        self.interval = interval
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 10.0)
        if interval <= 0:
            raise NotConfigured("PROGRESS_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def log(self) -> None:
        get = self.stats.get_value
        logger.info(
            "progress: %d pages fetched, %d report links found, %d documents parsed, %d unchanged, %d errors",
            get("response_received_count", 0), get("discovery/report_links", 0), get("documents/parsed", 0),
            get("documents/unchanged", 0), get("documents/fetch_errors", 0) + get("documents/parse_failed", 0),
        )  # fmt: skip

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()


def crawl_summary(stats: dict[str, Any], failed_checks: Iterable[tuple[Any, Any, str]], warc_dir: str, store: str) -> str:
    """What a person wants to know when a crawl ends.

    ``failed_checks``: (agency, year, "check,check…") of each report the crawl touched that failed a
    check, as the report pipeline collects them at its end (stats ``reports/failed_checks``)."""
    elapsed = stats.get("elapsed_time_seconds")
    took = f" in {elapsed:.1f} s" if isinstance(elapsed, (int, float)) else ""
    lines = ["", "Crawl summary", f"  finished: {stats.get('finish_reason', '?')}{took}"]
    lines.append(
        f"  pages fetched: {stats.get('response_received_count', 0)}"
        f" (robots.txt forbidden: {stats.get('robotstxt/forbidden', 0)}, off-site links skipped: {stats.get('discovery/offsite_filtered', 0)},"
        f" retries: {stats.get('retry/count', 0)}, rendered in the browser: {stats.get('discovery/rendered_lists', 0)})"
    )
    lines.append(
        f"  reports: {stats.get('reports/new', 0)} new, {stats.get('reports/changed', 0)} changed, {stats.get('reports/unchanged', 0)} unchanged"
        f" (documents parsed {stats.get('documents/parsed', 0)}, not parsed again {stats.get('documents/unchanged', 0)},"
        f" not reports {stats.get('documents/not_report', 0)})"
    )
    books = stats.get("books")
    if books:
        lines += books_lines(books)
    else:  # the books were not kept (no store): the pipeline's own list
        failures = stats.get("documents/failures") or []
        lines.append(
            f"  failures: {len(failures)} (fetch errors {stats.get('documents/fetch_failed', 0)}, parse failures {stats.get('documents/parse_failed', 0)})"
        )
        for f in failures[:20]:
            lines.append(f"    {f['url']}: {f['error']}")
    by_agency: Counter[str] = Counter()
    for agency, year, checks in failed_checks:
        for check in filter(None, checks.split(",")):
            by_agency[f"{agency or '?'} {year or ''}: {check.split(':')[0]}"] += 1
    if by_agency:
        lines.append("  failed checks by agency (a finding about the report, its numbers kept):")
        lines += [f"    {key} ×{n}" for key, n in sorted(by_agency.items())]
    lines.append(
        f"  WARCs: {warc_dir} ({stats.get('archive/response_records', 0)} responses, {stats.get('archive/revisit_records', 0)} revisits)"
    )
    lines.append(f"  store: {store}")
    return "\n".join(lines)


def books_lines(books: dict[str, Any], per_reason: int = 200) -> list[str]:
    """The books' equation, every failure with its reason, the skips grouped by reason."""
    lines = [f"  books: {equation(books)}"]
    lines.append(f"  failures: {books['failed']}")
    for f in books["failures"]:
        detail = f": {f['detail']}" if f["detail"] else ""
        lines.append(f"    {f['url']} [{f['kind']}] {f['reason']}{detail}")
    if books["skipped"]:
        reasons = ", ".join(f"{reason} {n}" for reason, n in books["skipped_by_reason"].items())
        lines.append(f"  skipped: {books['skipped']} ({reasons})")
        shown: Counter[str] = Counter()
        for s in books["skips"]:
            shown[s["reason"]] += 1
            if shown[s["reason"]] <= per_reason:
                detail = f" ({s['detail']})" if s["detail"] else ""
                lines.append(f"    {s['url']} [{s['kind']}] {s['reason']}{detail}")
        hidden = sum(max(0, n - per_reason) for n in shown.values())
        if hidden:
            lines.append(f"    … {hidden} more skipped: `python -m crawler stats` lists them all")
    return lines

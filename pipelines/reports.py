"""ReportPipeline: fetched documents → the shared parser → one stored record per report.

A thin adapter: the work is :func:`crawler.report.process` (the same function
``python -m crawler parse`` and the rebuild call), run off the reactor in
worker processes (``PARSE_WORKERS``); store reads and writes run in threads. Unchanged documents (answered 304, or the same bytes as last time)
are not parsed again. A report page and its attachments form one group; the
group's best parse becomes the report's record, listing every document in
``sources``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.corpus import apply_corpus_checks
from crawler.items import FetchedDocument, FetchFailure
from crawler.merge import merge_group
from crawler.report import try_process
from crawler.resource import FetchedResource
from crawler.store import DocumentState, shared_store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
_FINAL = {"parsed", "not_report", "failed"}


# where and when the bytes were fetched: new with every fetch, not a change of the report
_PROVENANCE = {"sources", "fetched_at", "warc", "sha256", "url", "page_url", "pages"}


def _content(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in _PROVENANCE}


def _needs_parse(item: FetchedDocument, prior: DocumentState | None) -> bool:
    """False for the bytes parsed last time (parsing is deterministic): a 304 or an unchanged file."""
    return not (prior is not None and prior.sha256 == hashlib.sha256(item.body).hexdigest() and prior.outcome in _FINAL)


class ReportPipeline:
    def __init__(self, crawler: Crawler, store_url: str) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = shared_store(store_url)
        # group → its stored record before this crawl touched it (None: the group is new)
        self.before: dict[str, dict[str, Any] | None] = {}
        self.failures: list[dict[str, Any]] = []
        self.known_ids = self.store.report_ids()  # before this crawl
        self._group_lock = threading.Lock()
        # the crawl itself keeps one core busy: parse on the others
        workers = crawler.settings.getint("PARSE_WORKERS", 0) or max(1, min(4, (os.cpu_count() or 2) - 1))
        # spawned, not forked: the crawl process runs an event loop and threads
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportPipeline:
        url = crawler.settings.get("STORE_URL")
        if not url:
            raise NotConfigured("STORE_URL must be set to a database URL")
        return cls(crawler, url)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            await asyncio.to_thread(self._failure, item)
        elif isinstance(item, FetchedDocument):
            parsed = None
            prior = await asyncio.to_thread(self.store.document, item.url)
            if _needs_parse(item, prior):
                resource = FetchedResource(
                    body=item.body, url=item.url, content_type=item.headers.get("content-type"), headers=item.headers,
                    fetched_at=item.fetched_at, page_url=item.group_key, warc=item.warc,
                )  # fmt: skip
                # CPU-heavy: in worker processes, so neither the reactor nor the GIL waits for it
                parsed = await asyncio.get_running_loop().run_in_executor(self.pool, try_process, resource)
            await asyncio.to_thread(self._document, item, prior, parsed)
        return item

    def _failure(self, item: FetchFailure) -> None:
        self.stats.inc_value("documents/fetch_failed")
        self.failures.append({"url": item.url, "error": item.error, "group": item.group_key})
        self.store.save_document(
            item.url, group_key=item.group_key, role=item.role, status=item.status, outcome="failed", error=item.error
        )

    def _document(
        self,
        item: FetchedDocument,
        prior: DocumentState | None,
        parsed: tuple[str, dict[str, Any] | None, str | None, str | None] | None,
    ) -> None:
        sha = hashlib.sha256(item.body).hexdigest()
        if item.group_key not in self.before:
            self.before[item.group_key] = self.store.report_for_group(item.group_key)
        if parsed is None:
            # the same bytes as last time (or a 304): parsing is deterministic, nothing to redo.
            # The stored state keeps the original fetch (its time and its WARC response record).
            self.stats.inc_value("documents/unchanged")
            etag, modified = item.headers.get("etag"), item.headers.get("last-modified")
            self.store.save_document(
                item.url,
                checked_at=item.fetched_at,
                **({"etag": etag} if etag else {}),
                **({"last_modified": modified} if modified else {}),
            )
            if prior is not None and prior.outcome == "failed":
                self.failures.append(
                    {"url": item.url, "error": f"unchanged since it failed: {prior.error}", "group": item.group_key}
                )
            return
        outcome, record, error, reason = parsed
        if outcome == "parsed":
            self.stats.inc_value("documents/parsed")
        elif outcome == "not_report":
            self.stats.inc_value("documents/not_report")
        else:
            self.stats.inc_value(f"documents/failed/{reason}")
            self.stats.inc_value("documents/parse_failed")
            self.failures.append({"url": item.url, "error": error, "group": item.group_key})
            logger.warning("Document %s could not be parsed: %s", item.url, error)
        region = getattr(self.crawler.spider, "region_for", lambda url: None)(item.group_key)
        # save, merge and store as one step: two documents of a group finishing together
        # must not each store a merge that misses the other
        with self._group_lock:
            self.store.save_document(
                item.url, group_key=item.group_key, role=item.role, status=item.status, etag=item.headers.get("etag"),
                last_modified=item.headers.get("last-modified"), content_type=item.headers.get("content-type"),
                fetched_at=item.fetched_at, links=item.links, sha256=sha, warc=item.warc, outcome=outcome, error=error,
                record=record,
            )  # fmt: skip
            merged = merge_group(self.store.group_documents(item.group_key), item.group_key, region)
            if merged is not None:
                self.store.put_report(item.group_key, merged, region_path=region.path if region else None)

    def close_spider(self) -> None:
        self.pool.shutdown(wait=True)
        self.stats.set_value("reports/corpus_checks_updated", apply_corpus_checks(self.store))
        # counted by report, not by page: one report reached from two pages counts once
        status: dict[str, str] = {}
        rank = {"unchanged": 0, "changed": 1, "new": 2}
        for group, before in self.before.items():
            after = self.store.report_for_group(group)
            if after is None:
                continue
            if before is None:
                # a page not seen before: a new report, or a known one (same id) found again elsewhere
                state = "unchanged" if after["id"] in self.known_ids else "new"
            elif _content(before) != _content(after):
                state = "changed"
            else:
                state = "unchanged"
            previous = status.get(after["id"])
            if previous is None or rank[state] > rank[previous]:
                status[after["id"]] = state
        for state in ("new", "changed", "unchanged"):
            self.stats.set_value(f"reports/{state}", sum(1 for v in status.values() if v == state))
        self.stats.set_value("reports/groups_touched", sorted(self.before))
        self.stats.set_value("documents/failures", self.failures)

"""ReportPipeline: fetched documents → the shared parser → one stored record per report.

A thin adapter: the work is :func:`crawler.core.report.try_process` (the same function
``python -m crawler parse`` and the rebuild call), run off the reactor in the
worker pool of :mod:`crawler.core.workers` (``PARSE_WORKERS``, each document under
``PARSE_TIMEOUT`` and ``PARSE_MEMORY_MB``). Store reads and writes run in one thread
of their own, in batched transactions (``STORE_BATCH_SIZE`` writes or ``STORE_BATCH_SECONDS``,
committed at the end and when the reactor stops). Unchanged documents (answered 304, or
the same bytes as last time: the item carries what the crawl state knew of its URL) are
not parsed again. A report page and its attachments form one group; the group's best parse
becomes the report's record, listing every document in ``sources``.

Back-pressure: ``process_item`` hands a document to the pool and returns, so the
crawl keeps fetching while parsers lag, until the backlog (``PARSE_QUEUE_DOCUMENTS``
documents, ``PARSE_QUEUE_MB`` of bodies, each counted from its admission until it is
stored) is full; then it awaits room, the response
stays in Scrapy's scraper slot, and Scrapy pauses downloads (SCRAPER_SLOT_MAX_ACTIVE_SIZE).
Nothing waits on the reactor thread.

Ctrl-C: once the crawl stops, waiting documents are not admitted and those in workers
get ``PARSE_SHUTDOWN_GRACE`` seconds; the rest are listed ``parse/interrupted`` (their
bytes are in the WARC, and their state is not stored, so the next crawl parses them).
A second Ctrl-C stops the reactor: a shutdown trigger lists what was in flight and
terminates the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar, cast

from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

from crawler.core.record_types import Record, WarcLocation
from crawler.core.resource import FetchedResource
from crawler.core.workers import Backlog, Limits, Outcome, ParsePool, interrupted
from crawler.crawl.items import FetchedDocument, FetchFailure
from crawler.crawl.touched import TouchedGroups
from crawler.store.corpus import apply_corpus_checks
from crawler.store.database import DocumentState, Prior, shared_store
from crawler.store.documents import DocumentTask, fetched_document, parse_and_store, store_documents

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
_FINAL = {"parsed", "not_report", "failed"}
T = TypeVar("T")


# where and when the bytes were fetched: new with every fetch, not a change of the report
_PROVENANCE = {"sources", "fetched_at", "warc", "sha256", "url", "page_url", "pages"}


def _content(record: Record) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in _PROVENANCE}


def _digest(record: Record | None) -> bytes | None:
    """A record's content as a hash: what a group showed before this crawl, in 16 bytes instead of ~10 KB."""
    if record is None:
        return None
    text = json.dumps(_content(record), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _needs_parse(item: FetchedDocument, prior: DocumentState | Prior | None) -> bool:
    """False for the bytes parsed last time (parsing is deterministic): a 304 or an unchanged file."""
    return not (prior is not None and prior.sha256 == hashlib.sha256(item.body).hexdigest() and prior.outcome in _FINAL)


def _reactor() -> Any:
    """The running reactor (imported late: importing it early would install the default one)."""
    from twisted.internet import reactor

    return reactor


class ReportPipeline:
    def __init__(self, crawler: Crawler, store_url: str) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = shared_store(store_url)
        # the groups this crawl touched, each with the digest of its stored record before (None: new), on disk
        self.before = TouchedGroups()
        self.failures: list[dict[str, Any]] = []
        # a report first stored from now on is new; one stored before is not, whichever page shows it
        self.started = dt.datetime.now(dt.UTC)
        self.had_reports = self.store.has_reports()  # none: no group can have had a record, no query
        settings = crawler.settings
        # every store call runs in this one thread: the batch's connection never changes threads,
        # and nothing of the store runs on the reactor thread
        self.io = ThreadPoolExecutor(1, thread_name_prefix="store")
        self.batch_size = settings.getint("STORE_BATCH_SIZE", 200)
        self.batch_seconds = settings.getfloat("STORE_BATCH_SECONDS", 2.0)
        self._flusher: asyncio.Task[None] | None = None
        # the crawl itself keeps one core busy: parse on the others
        workers = settings.getint("PARSE_WORKERS", 0) or max(1, min(4, (os.cpu_count() or 2) - 1))
        limits = Limits(timeout=settings.getfloat("PARSE_TIMEOUT", 120.0), memory_mb=settings.getint("PARSE_MEMORY_MB", 1536))
        parse = load_object(settings.get("PARSE_FUNCTION") or "crawler.core.report.try_process")
        # the workers store what they parse when they can open the store themselves: the crawl
        # process then neither unpickles records nor merges and writes them (its CPU is the crawl's)
        self.workers_store = settings.getbool("STORE_IN_WORKERS", True) and self.store.shareable()
        self.pool = ParsePool(workers, limits, functools.partial(parse_and_store, parse) if self.workers_store else parse)
        self.backlog = Backlog(
            settings.getint("PARSE_QUEUE_DOCUMENTS", 0) or max(8, 4 * workers), settings.getint("PARSE_QUEUE_MB", 256) * 2**20
        )
        self.grace = settings.getfloat("PARSE_SHUTDOWN_GRACE", 5.0)
        # documents between process_item and their stored outcome, by id(item): listed if the crawl is cut
        self.in_flight: dict[int, FetchedDocument] = {}
        self.parsing: set[asyncio.Task[None]] = set()
        self.stopping_since: float | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._trigger: Any = None
        # the same list object: what failed is in the stats even if close_spider never runs (a second Ctrl-C)
        self.stats.set_value("documents/failures", self.failures)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReportPipeline:
        url = crawler.settings.get("STORE_URL")
        if not url:
            raise NotConfigured("STORE_URL must be set to a database URL")
        return cls(crawler, url)

    async def _io(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.io, func, *args)

    async def open_spider(self) -> None:
        if not self.workers_store:
            # one writer: batched transactions. With the workers writing too, this process's rare
            # writes (fetch failures, unchanged documents) commit at once and never hold the lock
            await self._io(self.store.begin_batch, self.batch_size, self.batch_seconds)
        self._flusher = asyncio.ensure_future(self._flush_periodically())
        self._watcher = asyncio.ensure_future(self._watch_stop())
        self._trigger = _reactor().addSystemEventTrigger("before", "shutdown", self._abandon)

    async def _flush_periodically(self) -> None:
        """Commit a batch that stopped growing (parsers busy with a slow document) once it is old enough."""
        while True:
            await asyncio.sleep(max(0.1, self.batch_seconds / 2))
            try:
                await self._io(self.store.flush_due)
            except Exception as exc:  # noqa: BLE001 - the next write or the close retries the commit
                logger.warning("committing the store's batch failed: %s", exc)

    async def _watch_stop(self) -> None:
        """Notice a stop request (Ctrl-C, ``crawler.stop()``): no more admissions, the grace period starts."""
        while self.crawler.crawling:
            await asyncio.sleep(0.2)
        self.stopping_since = time.monotonic()
        await self.backlog.close()

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            await self._io(self._failure, item)
        elif isinstance(item, FetchedDocument):
            prior = item.prior if item.prior_checked else await self._io(self.store.document, item.url)
            if not _needs_parse(item, prior):
                await self._io(self._document, item, prior, None)
                return item
            self.in_flight[id(item)] = item
            # a full backlog keeps this item (and its response) waiting: Scrapy then pauses downloads
            if not await self.backlog.admit(len(item.body)):
                self._interrupted(item)
                return item
            task = asyncio.ensure_future(self._parse(item, prior))
            self.parsing.add(task)
            task.add_done_callback(self.parsing.discard)
        return item

    async def _parse(self, item: FetchedDocument, prior: DocumentState | Prior | None) -> None:
        resource = FetchedResource(
            body=item.body, url=item.url, content_type=item.headers.get("content-type"), headers=item.headers,
            fetched_at=item.fetched_at, page_url=item.group_key, warc=item.warc,
        )  # fmt: skip
        # the document keeps its place in the backlog until it is stored, not only until it is parsed:
        # a store slower than the parsers would otherwise queue documents (bodies and records)
        # in the store's thread without bound
        try:
            if self.workers_store:
                await self._parse_in_worker(item, prior, resource)
                return
            parsed = await asyncio.wrap_future(self.pool.submit(resource))
            if parsed[3] == "parse/interrupted":
                self._interrupted(item)
                return
            await self._io(self._document, item, prior, parsed)
        except Exception as exc:
            # a store error costs this document, not the crawl
            logger.error("Document %s could not be stored: %s", item.url, exc)
            logger.debug("storing %s failed", item.url, exc_info=exc)
            self.stats.inc_value("documents/store_failed")
            self.failures.append({"url": item.url, "error": f"not stored: {exc}", "group": item.group_key})
        finally:
            self.in_flight.pop(id(item), None)
            await self.backlog.release(len(item.body))

    async def _parse_in_worker(
        self, item: FetchedDocument, prior: DocumentState | Prior | None, resource: FetchedResource
    ) -> None:
        """Parsed and stored by a worker; only the outcome comes back. A document the pool failed
        (time-out, memory, a dead worker) never reached the store: it is stored here, as before."""
        if item.group_key not in self.before:
            await self._io(self._remember_before, item.group_key)
        task = DocumentTask(self.store.url, item.group_key, resource, self._columns(item), self._region(item.group_key))
        result = await asyncio.wrap_future(self.pool.submit(task))
        if len(result) == 4:  # the pool's own outcome: the worker's task did not finish
            if result[3] == "parse/interrupted":
                self._interrupted(item)
                return
            await self._io(self._document, item, prior, result)
            return
        parsed, store_error = result
        self._count(item, parsed)
        if store_error is not None:
            raise RuntimeError(store_error)  # listed by _parse as not stored

    def _interrupted(self, item: FetchedDocument) -> None:
        """Listed, not stored: a stored state would make the next crawl skip these bytes."""
        if self.in_flight.pop(id(item), None) is None:
            return  # listed already
        self.stats.inc_value("documents/failed/parse/interrupted")
        self.stats.inc_value("documents/parse_failed")
        self.failures.append({"url": item.url, "error": interrupted()[2], "group": item.group_key})

    def _abandon(self) -> None:
        """The reactor is stopping (a second Ctrl-C): list what is in flight, stop the workers now."""
        for item in list(self.in_flight.values()):
            self._interrupted(item)
        self.pool.terminate()
        # what the store acknowledged so far is committed before the process goes
        with contextlib.suppress(Exception):
            self.io.submit(self.store.flush).result(timeout=10)

    def _failure(self, item: FetchFailure) -> None:
        self.stats.inc_value("documents/fetch_failed")
        self.failures.append({"url": item.url, "error": item.error, "group": item.group_key})
        self.store.save_document(
            item.url, group_key=item.group_key, role=item.role, status=item.status, outcome="failed", error=item.error
        )

    def _remember_before(self, group_key: str) -> None:
        """The group's record before this crawl touched it, as a digest (None: no record)."""
        if group_key not in self.before:
            # a store that held no report when the crawl began has none to compare with: no query
            known = self.had_reports and self.store.report_for_group(group_key)
            self.before.add(group_key, _digest(known or None))

    def _count(self, item: FetchedDocument, parsed: Outcome) -> None:
        outcome, _record, error, reason = parsed
        if outcome == "parsed":
            self.stats.inc_value("documents/parsed")
        elif outcome == "not_report":
            self.stats.inc_value("documents/not_report")
        else:
            self.stats.inc_value(f"documents/failed/{reason}")
            self.stats.inc_value("documents/parse_failed")
            self.failures.append({"url": item.url, "error": error, "group": item.group_key})
            logger.warning("Document %s could not be parsed: %s", item.url, error)

    def _region(self, group_key: str) -> Any:
        """The registry region of a report group, when the spider knows regions."""
        return getattr(self.crawler.spider, "region_for", lambda url: None)(group_key)

    @staticmethod
    def _columns(item: FetchedDocument) -> dict[str, Any]:
        """A fetched document's own ``documents`` columns (what its parse adds is not here)."""
        columns: dict[str, Any] = {
            "role": item.role, "status": item.status, "etag": item.headers.get("etag"),
            "last_modified": item.headers.get("last-modified"), "content_type": item.headers.get("content-type"),
            "fetched_at": item.fetched_at, "links": item.links,
        }  # fmt: skip
        if item.warc:  # no WARC location this time (archiving off): keep the stored one
            columns["warc"] = cast(WarcLocation, item.warc)
        return columns

    def _document(
        self,
        item: FetchedDocument,
        prior: DocumentState | Prior | None,
        parsed: Outcome | None,
    ) -> None:
        self._remember_before(item.group_key)
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
        self._count(item, parsed)
        document = fetched_document(item.url, item.body, parsed, self._columns(item))
        # save, merge and put as one step under the group's lock (this thread's and other processes')
        store_documents(self.store, item.group_key, [document], self._region(item.group_key))

    async def close_spider(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        # queued documents get their parse (each bounded by PARSE_TIMEOUT); a stop request cuts this to the grace
        while self.parsing:
            if self.stopping_since is None and not self.crawler.crawling:
                self.stopping_since = time.monotonic()
            if self.stopping_since is not None and time.monotonic() - self.stopping_since >= self.grace:
                break
            await asyncio.wait(set(self.parsing), timeout=0.2)
        await asyncio.to_thread(self.pool.terminate)  # what is left becomes parse/interrupted
        if self.parsing:
            await asyncio.wait(set(self.parsing), timeout=10)
        if self._trigger is not None:
            _reactor().removeSystemEventTrigger(self._trigger)
        if self._flusher is not None:
            self._flusher.cancel()
        try:
            await self._io(self._finish)
        finally:
            self.io.shutdown(wait=True)

    def _finish(self) -> None:
        """In the store's thread: commit, recompute cross-year checks of the agencies touched, count reports."""
        self.store.end_batch()
        # the touched groups stream back from their file a chunk at a time: never all of them in memory
        corpus = apply_corpus_checks(self.store, groups=self.before.groups())
        self.stats.set_value("reports/corpus_checks_updated", corpus)
        # counted by report, not by page: one report reached from two pages counts once
        status: dict[str, str] = {}
        rank = {"unchanged": 0, "changed": 1, "new": 2}
        failed: list[tuple[str | None, int | None, str]] = []  # (agency, year, "check,check…"): the summary's
        for chunk in self.before.chunks():
            for group, after, first_seen in self.store.reports_for_groups(chunk):
                before = chunk[group]
                if before is None:
                    # a page not seen before: a new report, or a known one (same id) found again elsewhere
                    state = "new" if first_seen is None or first_seen >= self.started else "unchanged"
                elif before != _digest(after):
                    state = "changed"
                else:
                    state = "unchanged"
                previous = status.get(after["id"])
                if previous is None and after.get("failed_checks"):
                    failed.append((after.get("agency"), after.get("year"), ",".join(after["failed_checks"])))
                if previous is None or rank[state] > rank[previous]:
                    status[after["id"]] = state
        for state in ("new", "changed", "unchanged"):
            self.stats.set_value(f"reports/{state}", sum(1 for v in status.values() if v == state))
        self.stats.set_value("reports/groups_touched", len(self.before))
        self.stats.set_value("reports/failed_checks", failed)
        self.before.close()
        self.stats.set_value("documents/failures", self.failures)

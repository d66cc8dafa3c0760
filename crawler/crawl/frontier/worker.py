"""One crawler process as a worker of a shared frontier: its queue, its leases, its heartbeat, its end.

* :class:`HostLeaseQueue`: the scrapy-redis queue. A request is pushed to its host's queue
  and handed out only when the host's delay has passed and it has a free lease, so a worker
  never holds requests it may not send; each handed-out request stays recoverable (by token)
  until its worker is done with it.
* :class:`LeaseMiddleware`: closest to the network, it takes one of the host's leases for
  every download (robots.txt included) and gives it back when the answer or the error comes:
  never more than ``FRONTIER_MAX_PER_HOST`` downloads from one host, all workers together.
* :class:`DoneMiddleware`: a list page's request is done once its callback's output (links)
  has been queued; a report or attachment, or a list-kind page that turned out to be a
  report, once the store has it (checked when a dead worker's requests are taken over).
* :class:`FrontierExtension`: the heartbeat (leases renewed) on a thread of its own, so a
  worker whose reactor is busy or starved of CPU is not mistaken for a dead one; the
  look-out for dead workers (their requests put back, their torn WARCs cut when they were
  on this machine); a quick re-poll of the queue while other workers hold the hosts; and
  the end: a worker stops when nothing is pending and no worker is active, or at once when
  it learns it was taken over (it was silent too long: its requests are another's now).
  Its books' per-URL entries live in Redis (:mod:`crawler.crawl.frontier.entries`); once
  they are closed, it adds their counts to the crawl's books in Redis (``frontier/books``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import redis
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from archive.cdxj import add_to_index
from archive.repair import repair_all
from crawler.crawl.books import Books
from crawler.crawl.frontier.browser import BrowserLeases, attach, detach
from crawler.crawl.frontier.entries import RedisEntries
from crawler.crawl.frontier.state import Frontier, Limits, TakenOver, redis_client
from crawler.store.database import shared_store

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_DOCUMENT_KINDS = {"report", "attachment"}


def frontier_of(crawler: Crawler) -> Frontier:
    """The process's one handle on the crawl (queue, middlewares and extension share its leases)."""
    found: Frontier | None = getattr(crawler, "_govreports_frontier", None)
    if found is None:
        s = crawler.settings
        limits = Limits(
            max_leases=s.getint("FRONTIER_MAX_PER_HOST", 2),
            host_delay=s.getfloat("FRONTIER_HOST_DELAY", s.getfloat("DOWNLOAD_DELAY", 0.5)),
            lease_ttl=s.getfloat("FRONTIER_LEASE_TTL", 30.0),
            worker_ttl=s.getfloat("FRONTIER_WORKER_TTL", 30.0),
        )
        server = redis_client(s["FRONTIER_URL"])
        found = Frontier(server, s["FRONTIER_TARGET"], s["FRONTIER_CRAWL_ID"], s["FRONTIER_WORKER"], limits)
        crawler._govreports_frontier = found  # type: ignore[attr-defined]
    return found


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostLeaseQueue(Base):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis queue over :class:`crawler.crawl.frontier.state.Frontier` (per-host queues and leases)."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer or picklecompat)
        self.frontier = frontier_of(spider.crawler)
        self._pending, self._counted_at, self._not_before = 0, 0.0, 0.0

    def __len__(self) -> int:
        # Scrapy asks at every turn of its loop: a count a tenth of a second old is good enough (the end of a
        # crawl is decided by an atomic check in Redis, not by this)
        now = time.monotonic()
        if now - self._counted_at > 0.1:
            self._pending, self._counted_at = self.frontier.pending(), now
        return self._pending

    def push(self, request: Request) -> None:
        self.push_new(request, "")

    def push_new(self, request: Request, fingerprint: str) -> bool:
        """Queue ``request``; with its ``fingerprint``, only if the crawl has not seen it (False then)."""
        request.meta.pop("frontier_token", None)  # a retry or redirect is a new hand-out
        request.meta.pop("frontier_lease", None)
        detach(request.meta)
        pushed = self.frontier.push(host_of(request.url), self._encode_request(request), fingerprint)
        self._not_before = 0.0  # a new host may be due now
        return pushed

    def pop(self, timeout: int = 0) -> Request | None:
        if time.monotonic() < self._not_before:
            return None  # no host is due yet: no need to ask Redis
        found = self.frontier.pop()
        if isinstance(found, float):
            # hosts come due at known times; another worker's new host waits at most this cap
            self._not_before = time.monotonic() + (min(found, 0.25) if found > 0 else 0.1)
            return None
        token, _host, data = found
        request: Request = self._decode_request(data)
        request.meta["frontier_token"] = token
        return request

    def clear(self) -> None:
        """Never called with SCHEDULER_PERSIST: one worker finishing must not wipe the others' frontier."""
        raise RuntimeError("the shared frontier is cleared by its crawl id, not by a worker")


class FrontierScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's scheduler, with "seen?" and "queue it" as one step in Redis.

    scrapy-redis adds a request's fingerprint to the seen-set, then pushes the request: a worker
    killed between the two leaves a URL every worker takes for queued and none ever fetches (a
    report's attachment, missing from its record). Here the push script adds the fingerprint and
    queues the request together (one round trip instead of two).
    """

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.queue.push_new(request, fingerprint):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True


class LeaseMiddleware:
    """Downloader middleware, closest to the network: a host lease around every download."""

    def __init__(self, crawler: Crawler) -> None:
        self.frontier = frontier_of(crawler)
        self.stats = crawler.stats
        self.poll = crawler.settings.getfloat("FRONTIER_POLL_INTERVAL", 0.05)
        self.browser = BrowserLeases(self.frontier, self.poll, self._waited)

    def _waited(self) -> None:
        if self.stats is not None:
            self.stats.inc_value("frontier/lease_waits")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseMiddleware:
        if not crawler.settings.get("FRONTIER_URL"):
            raise NotConfigured("no shared frontier")
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("playwright") and attach(request, self.browser):
            # the browser's fetches take their leases one by one (crawler.crawl.frontier.browser)
            if self.stats is not None:
                self.stats.inc_value("frontier/rendered_requests")
            return
        host, token = host_of(request.url), self.frontier.token()
        waited = False
        while not self.frontier.acquire(host, token):
            waited = True
            await asyncio.sleep(self.poll)
        if waited:
            self._waited()
        request.meta["frontier_lease"] = token

    def _release(self, request: Request) -> None:
        token = request.meta.pop("frontier_lease", None)
        if token is not None:
            self.frontier.release(host_of(request.url), token)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)


class DoneMiddleware:
    """Spider middleware, closest to the engine: a list page's request is done once its links are queued."""

    def __init__(self, crawler: Crawler) -> None:
        self.frontier = frontier_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DoneMiddleware:
        if not crawler.settings.get("FRONTIER_URL"):
            raise NotConfigured("no shared frontier")
        return cls(crawler)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        items = False
        try:
            async for item in result:
                items = items or not isinstance(item, Request)
                yield item
        finally:
            request = response.request
            token = request.meta.get("frontier_token") if request is not None else None
            # Documents are done once stored: the pipeline parses them later, a dead worker's are checked. A
            # list-kind request whose page turned out to be a report gave an item too: it stays in flight
            # until this worker leaves, so a worker dying before the pipeline stored it does not lose it.
            if token and request is not None and not items and request.meta.get("kind") not in _DOCUMENT_KINDS:
                self.frontier.done_with(token)


class FrontierExtension:
    """Heartbeat, take-over of dead workers, re-polling and the end of a worker (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.frontier = frontier_of(crawler)
        s = crawler.settings
        self.interval = s.getfloat("FRONTIER_HEARTBEAT", 5.0)
        self.poll = s.getfloat("FRONTIER_POLL_INTERVAL", 0.05)
        self.archive_dir = Path(s.get("ARCHIVE_DIR", "data/warc")).resolve()
        self.prefix = s.get("ARCHIVE_PREFIX", "govreports")
        self.store_url = s.get("STORE_URL")
        self.loops: list[task.LoopingCall] = []
        self.finished = False
        self.taken_over = False
        self._asked = 0.0
        self._stopping = threading.Event()
        self._beating: threading.Thread | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierExtension:
        if not crawler.settings.get("FRONTIER_URL"):
            raise NotConfigured("no shared frontier")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        books = getattr(spider, "books", None)
        if isinstance(books, Books) and isinstance(books.entries, dict):
            # per-URL state of a shared crawl lives in Redis: the worker's memory stays flat however long it runs
            entries = RedisEntries.of(self.frontier)
            for url, entry in books.entries.items():
                entries[url] = entry
            books.entries = entries
        self._beat()  # registered before this worker asks for its first request
        self._beating = threading.Thread(target=self._beat_loop, name="frontier-heartbeat", daemon=True)
        self._beating.start()
        for call, every in ((self.look_out, self.interval), (self._wake, self.poll)):
            loop = task.LoopingCall(call)
            loop.start(every, now=False)
            self.loops.append(loop)

    def _info(self) -> dict[str, Any]:
        stats = self.crawler.stats
        return {
            "hostname": socket.gethostname(), "pid": os.getpid(), "archive_dir": str(self.archive_dir),
            "prefix": self.prefix, "pages": stats.get_value("response_received_count", 0) if stats else 0,
        }  # fmt: skip

    def _beat_loop(self) -> None:
        # Off the reactor: a worker parsing a big page, starting its parser processes or starved by a loaded
        # machine still beats, so the others never take over a live worker (which would fetch its requests
        # twice and free leases it still uses). A process that is gone stops beating, which is what is detected.
        while not self._stopping.wait(self.interval):
            self._beat()

    def _stop_beating(self) -> None:
        self._stopping.set()
        if self._beating is not None and self._beating is not threading.current_thread():
            self._beating.join(timeout=self.interval + 35)  # a beat in progress ends within the socket timeout

    def _beat(self) -> None:
        """Alive, leases renewed; a worker learning it was taken over stops."""
        try:
            self.frontier.heartbeat(self._info())
        except TakenOver as exc:
            self._stopping.set()
            from twisted.internet import reactor

            reactor.callFromThread(self._taken_over, str(exc))  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - a Redis hiccup must not stop the loop; the next beat retries
            logger.warning("frontier heartbeat failed: %s: %s", type(exc).__name__, exc)

    def _taken_over(self, why: str) -> None:
        logger.error("frontier: %s after a silence longer than %.0f s; stopping", why, self.frontier.limits.worker_ttl)
        self.taken_over = True
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="frontier_taken_over"))

    def look_out(self) -> None:
        """A silent worker's requests taken over (one worker does it)."""
        try:
            for dead in self.frontier.dead_workers(self.frontier.now()):
                self.take_over(dead)
        except Exception as exc:  # noqa: BLE001 - as the heartbeat: the next look retries
            logger.warning("frontier: looking for dead workers failed: %s: %s", type(exc).__name__, exc)

    def take_over(self, dead: str) -> None:
        info = self.frontier.workers().get(dead, {})
        entries = self.frontier.claim(dead)
        if not entries and not info:
            return
        back = self._put_back(entries)
        logger.warning("worker %s stopped answering: %d of its requests put back in the frontier", dead, back)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("frontier/requests_taken_over", back)
        if info.get("hostname") == socket.gethostname() and info.get("archive_dir") == str(self.archive_dir):
            self._repair(str(info.get("prefix") or ""))

    def _put_back(self, entries: list[tuple[str, bytes]]) -> int:
        """Requeue what a worker handed out and did not finish; a document the store has is finished."""
        store = shared_store(self.store_url) if self.store_url else None
        spider = self.crawler.spider
        back = 0
        for token, data in entries:
            try:
                request = request_from_dict(picklecompat.loads(data), spider=spider)
            except Exception as exc:  # noqa: BLE001 - an undecodable entry is dropped, and said
                logger.warning("a taken-over request could not be read (%s); dropped", exc)
                self.frontier.done_with(token)
                continue
            if request.meta.get("kind") in _DOCUMENT_KINDS and store is not None:
                state = store.document(request.url)
                if state is not None and state.outcome:
                    self.frontier.done_with(token)
                    continue
            self.frontier.requeue(token, host_of(request.url), data)
            back += 1
        return back

    def _repair(self, prefix: str) -> None:
        """A dead worker of this machine: cut its torn WARC tail and index its files."""
        if not prefix or prefix == self.prefix:
            return
        files = sorted(p for p in self.archive_dir.glob(f"{prefix}-*") if p.name.endswith((".warc", ".warc.gz")))
        repaired = repair_all(files)
        usable = [p for p in files if p.stat().st_size > 0 and not any(r.path == p and r.kept == 0 for r in repaired)]
        if usable:
            add_to_index(usable, self.archive_dir / "index.cdxj")

    def _wake(self) -> None:
        """Ask the scheduler again soon: a host another worker holds frees up without any event here."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def spider_idle(self, spider: Spider) -> None:
        now = time.monotonic()
        if now - self._asked < 0.25:
            raise DontCloseSpider("frontier: asked just now")  # Scrapy calls this at every wake while idle
        self._asked = now
        try:
            self._finish_or_wait()
        except redis.RedisError as exc:
            logger.warning("frontier: cannot tell whether the crawl is over (%s: %s); asking again", type(exc).__name__, exc)
            raise DontCloseSpider("frontier unreachable") from None

    def _finish_or_wait(self) -> None:
        """Returns when this worker may close; raises DontCloseSpider while the crawl is not over."""
        if not self.finished:
            self.frontier.round_trips += 1
            state = self.frontier.finish_if_done()
            if state != "finished":
                raise DontCloseSpider(f"frontier {state}")
            self.finished = True
            # out of the register first: two workers finishing together never wait for each other
            self._stop_beating()
            self.frontier.leave()
        # A worker killed while it was idle held nothing, so the crawl could finish without it; its newest WARC
        # may still end in a torn record and be missing from the index. Whoever finishes waits until every other
        # worker has left, or has been silent long enough to be declared dead and taken over (repaired, indexed).
        self.look_out()
        others = [w for w in self.frontier.workers() if w != self.frontier.worker]
        if others:
            raise DontCloseSpider(f"frontier finished; waiting for {len(others)} worker(s) to leave or time out")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # Before the books close (extensions connect first): a URL this worker discovered but did not
        # fetch went to the shared frontier, where another worker fetched it or will. Its outcome is that
        # worker's to record; "not reached" here would overwrite it in the store.
        books = getattr(spider, "books", None)
        if isinstance(books, Books):
            pending = [u for u, e in books.entries.items() if e.state == "pending"]
            if isinstance(books.entries, RedisEntries):
                books.entries.drop(pending)
            else:
                for url in pending:
                    del books.entries[url]
        for loop in self.loops:
            if loop.running:
                loop.stop()
        self._stop_beating()
        if self.taken_over:
            return  # what it held went back to the frontier already; its entry is gone
        try:
            if self.crawler.stats is not None:
                self.crawler.stats.set_value("frontier/redis_round_trips", self.frontier.round_trips)
            self.frontier.count_round_trips()
            if self.finished or reason == "finished":
                self.frontier.leave()
            else:
                # stopped early (Ctrl-C, max pages): what it held goes back for the other workers
                self._put_back(self.frontier.claim(self.frontier.worker))
        except Exception as exc:  # noqa: BLE001 - the crawl is over; the heartbeat's absence does the rest
            logger.warning(
                "frontier: leaving failed (%s); other workers take over in %.0f s", exc, self.frontier.limits.worker_ttl
            )

    def engine_stopped(self) -> None:
        """After the books closed (every spider_closed handler ran): add them to the crawl's books."""
        stats = self.crawler.stats
        balance = stats.get_value("books") if stats is not None else None
        if self.taken_over or not balance:
            return  # a worker taken over: what it did is being redone, and counted, by the others
        try:
            self.frontier.add_books(balance)
            crawl = self.frontier.crawl_books()
        except Exception as exc:  # noqa: BLE001 - the worker's own books are printed all the same
            logger.warning("frontier: this worker's books could not be added to the crawl's (%s: %s)", type(exc).__name__, exc)
            return
        if stats is not None:
            stats.set_value("frontier/books", crawl)
        books = getattr(self.crawler.spider, "books", None)
        if isinstance(books, Books) and isinstance(books.entries, RedisEntries):
            # the outcomes are in the store and the counts in the crawl's books: the per-URL hash has done its job
            try:
                self.frontier.server.delete(books.entries.key)
            except Exception as exc:  # noqa: BLE001 - a leftover hash costs Redis memory, nothing else
                logger.warning("frontier: could not delete %s (%s)", books.entries.key, exc)

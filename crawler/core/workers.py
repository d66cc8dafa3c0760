"""The parse worker pool: every document in a worker process, under a wall-clock and a memory limit.

Both the crawl pipeline and the rebuild parse through :class:`ParsePool`. A
document gets exactly one outcome tuple, as :func:`crawler.core.report.try_process`
returns it, whatever happens in the worker:

* ``parse/timeout``: it ran longer than ``Limits.timeout``; the worker is killed and replaced;
* ``parse/memory``: its worker outgrew ``Limits.memory_mb`` (resident memory, watched from
  inside the worker; address space, capped by ``RLIMIT_AS`` above what the worker had at
  start); the worker exits and is replaced;
* ``parse/worker-died``: the worker died otherwise (kill -9, a segfault in a C library);
* ``parse/bug``: the parse raised where it should have returned (logged, traceback at DEBUG);
* ``parse/interrupted``: the pool was stopped before the document was parsed.

Process management is pebble's ``ProcessPool`` (per-task timeouts measured from the
moment a worker picks the task up, killing and replacing the worker, reporting a dead
worker's exit status), so this module only sets the limits and maps what pebble reports
to outcomes. The one pebble state that is not recoverable on its own (a worker dying while
no task runs marks the whole pool broken) is handled by starting a fresh pool and
resubmitting the tasks that were merely queued.

:class:`Backlog` is the crawl's bounded admission queue (documents and bytes), awaited on
the event loop so nothing blocks the reactor while the parsers lag.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, InvalidStateError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import psutil
from pebble import ProcessExpired, ProcessPool

from crawler.core.record_types import Record
from crawler.core.report import try_process
from crawler.core.resource import FetchedResource

logger = logging.getLogger(__name__)

Outcome = tuple[str, Record | None, str | None, str | None]
ParseFunction = Callable[[FetchedResource], Outcome]
# what a pool runs: a ParseFunction, or any picklable function of one task (the rebuild's workers read
# their own bodies from the WARC and return more than the outcome); failures are always an Outcome
TaskFunction = Callable[[Any], Any]

#: a worker's own exit status when it outgrows its memory limit (any value no library uses)
MEMORY_EXIT = 86
_RSS_POLL = 0.1  # seconds between the worker's looks at its own resident memory


@dataclass(frozen=True)
class Limits:
    timeout: float = 120.0  # seconds of wall-clock time per document
    memory_mb: int = 1536  # resident memory of a worker; also its address space above the start


def interrupted() -> Outcome:
    return (
        "failed", None, "not parsed: stopped before its turn (the WARC keeps the bytes; a later crawl or rebuild parses it)",
        "parse/interrupted",
    )  # fmt: skip


# -- in the worker process ---------------------------------------------------------------


def _init_worker(memory_mb: int) -> None:
    """Set the worker's memory limits; never raises (a failing initializer would respawn forever)."""
    import crawler.core.report  # noqa: F401  # loaded before measuring, so the baseline includes the parser

    limit = memory_mb * 2**20
    try:
        start = psutil.Process().memory_info().vms
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = start + limit if hard == resource.RLIM_INFINITY else min(start + limit, hard)
        # a single huge allocation fails at once (MemoryError) instead of waiting for the watchdog
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError, psutil.Error):
        pass  # the resident-memory watchdog below still holds
    threading.Thread(target=_watch_rss, args=(limit,), name="rss-watchdog", daemon=True).start()


def _watch_rss(limit: int) -> None:
    proc = psutil.Process()
    while True:
        try:
            if proc.memory_info().rss > limit:
                os._exit(MEMORY_EXIT)  # the parent reads this status as parse/memory
        except psutil.Error:
            return
        time.sleep(_RSS_POLL)


def _run(func: TaskFunction, document: Any) -> tuple[Any, str | None]:
    """The task a worker runs: the outcome, and a traceback when the parse raised."""
    try:
        return func(document), None
    except MemoryError:
        # the heap may stay huge and fragmented: a fresh worker is cheaper than trusting this one
        os._exit(MEMORY_EXIT)
    except BaseException as exc:  # noqa: BLE001  # a parser bug must not cost the worker
        message = f"parser bug: {type(exc).__name__}: {exc}"[:500]
        return ("failed", None, message, "parse/bug"), traceback.format_exc()


# -- in the parent -------------------------------------------------------------------------


_POOLS: weakref.WeakSet[ParsePool] = weakref.WeakSet()


class ParsePool:
    """Documents → outcomes in worker processes; :meth:`submit` never raises and its future never fails."""

    def __init__(self, workers: int, limits: Limits | None = None, func: TaskFunction = try_process) -> None:
        self.workers = max(1, workers)
        self.limits = limits or Limits()
        self.func = func  # the test hook: any picklable function with try_process's signature
        self._lock = threading.RLock()  # settling a future runs callbacks that take it again
        self._pending: set[Future[Outcome]] = set()
        self._closed = False
        self._pool = self._new_pool()
        _POOLS.add(self)

    def _new_pool(self) -> ProcessPool:
        # spawned, not forked: the crawl process runs an event loop and threads
        return ProcessPool(
            max_workers=self.workers, initializer=_init_worker, initargs=(self.limits.memory_mb,),
            context=multiprocessing.get_context("spawn"),
        )  # fmt: skip

    def submit(self, document: Any) -> Future[Any]:
        """``func(document)`` in a worker; the future's result is what it returned, or an Outcome for what went wrong."""
        outer: Future[Any] = Future()
        with self._lock:
            self._pending.add(outer)
        outer.add_done_callback(self._forget)
        self._schedule(document, outer, retries=1)
        return outer

    def _forget(self, outer: Future[Outcome]) -> None:
        with self._lock:
            self._pending.discard(outer)

    def _schedule(self, document: FetchedResource, outer: Future[Outcome], retries: int) -> None:
        with self._lock:
            if self._closed:
                _settle(outer, interrupted())
                return
            try:
                inner = self._pool.schedule(_run, args=(self.func, document), timeout=self.limits.timeout)
            except RuntimeError:  # pebble marked the pool broken: start afresh
                self._replace_pool(self._pool)
                inner = self._pool.schedule(_run, args=(self.func, document), timeout=self.limits.timeout)
            pool = self._pool
        outer.add_done_callback(lambda f: inner.cancel() if f.cancelled() else None)  # type: ignore[no-untyped-call]
        inner.add_done_callback(lambda f: self._done(f, pool, document, outer, retries))

    def _replace_pool(self, broken: ProcessPool) -> None:
        """A fresh pebble pool in place of ``broken``, once however many of its tasks report it."""
        with self._lock:
            if self._pool is not broken or self._closed:
                return
            self._pool = self._new_pool()
        broken.stop()  # type: ignore[no-untyped-call]
        threading.Thread(target=broken.join, name="pool-reaper", daemon=True).start()

    def _done(
        self, inner: Future[Any], pool: ProcessPool, document: FetchedResource, outer: Future[Outcome], retries: int
    ) -> None:
        """Runs in pebble's thread: map what happened to one outcome."""
        if outer.done():
            return
        url = _describe(document)
        try:
            outcome, trace = inner.result()
        except TimeoutError:
            outcome = ("failed", None, f"parsing took longer than {self.limits.timeout:g} s: stopped", "parse/timeout")
        except ProcessExpired as exc:
            outcome = self._expired(exc.exitcode)
        except CancelledError:
            outcome = interrupted()
        except BrokenProcessPool:
            if retries > 0 and not self._closed:
                # pebble aborts every queued task with the pool: they did nothing wrong, run them again
                self._replace_pool(pool)
                self._schedule(document, outer, retries - 1)
                return
            outcome = ("failed", None, "the parser's worker processes kept dying", "parse/worker-died")
        except Exception as exc:  # e.g. a document that cannot be pickled to the worker
            outcome, trace = ("failed", None, f"parser bug: {type(exc).__name__}: {exc}"[:500], "parse/bug"), None
            logger.debug("sending %s to a worker failed", url, exc_info=exc)
        else:
            if trace is not None:
                logger.warning("%s: %s", url, outcome[2])
                logger.debug("%s: the parser raised\n%s", url, trace)
        _settle(outer, outcome)

    def _expired(self, exitcode: int | None) -> Outcome:
        if exitcode == MEMORY_EXIT:
            return ("failed", None, f"parsing needed more than {self.limits.memory_mb} MB of memory: stopped", "parse/memory")
        how = f"signal {signal.Signals(-exitcode).name}" if exitcode is not None and exitcode < 0 else f"exit status {exitcode}"
        return ("failed", None, f"the parser's worker process died ({how})", "parse/worker-died")

    def close(self, timeout: float | None = None) -> None:
        """Let the queued documents finish (each bounded by the timeout), then stop; past ``timeout``, terminate."""
        with self._lock:
            if self._closed:
                return
            self._pool.close()  # type: ignore[no-untyped-call]
        with contextlib.suppress(TimeoutError):
            self._pool.join(timeout)
        self.terminate()

    def terminate(self) -> None:
        """Stop at once: workers killed, every unfinished document ``parse/interrupted``."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pending = list(self._pending)
        for outer in pending:
            _settle(outer, interrupted())
        self._pool.stop()  # type: ignore[no-untyped-call]
        try:
            self._pool.join(timeout=10)
        except (TimeoutError, RuntimeError):
            logger.debug("parser workers still stopping at exit")

    @property
    def closed(self) -> bool:
        return self._closed


def _describe(document: Any) -> str:
    """The URL or file name of a task, for log lines."""
    inner = getattr(document, "capture", document)
    return str(getattr(inner, "url", None) or getattr(inner, "filename", None) or "a document")


def _settle(outer: Future[Any], outcome: Outcome) -> None:
    with contextlib.suppress(InvalidStateError):  # cancelled or settled meanwhile (a stop racing a result)
        outer.set_result(outcome)


@atexit.register
def terminate_all() -> None:
    """No worker outlives its process (a second Ctrl-C stops the reactor before any pipeline closes)."""
    for pool in list(_POOLS):
        pool.terminate()


class Backlog:
    """Admission to the parse queue, bounded by documents and by bytes; awaited on the event loop.

    A document larger than the byte bound is admitted when nothing else waits, so
    one big body can never wait forever. Waiters are admitted first come, first served, and
    a release wakes only those that now fit (waking every waiter on every release cost the
    crawl more than the parse queue itself). :meth:`close` releases every waiter with False.
    :meth:`uncrowded` lets the crawl hold new downloads while too many documents wait.
    """

    def __init__(self, max_documents: int, max_bytes: int) -> None:
        self.max_documents = max(1, max_documents)
        self.max_bytes = max(1, max_bytes)
        self.documents = 0
        self.bytes = 0
        self.closed = False
        self._waiting: collections.deque[tuple[int, asyncio.Future[bool]]] = collections.deque()
        self._watchers: list[asyncio.Future[None]] = []  # callers of uncrowded(), woken when waiters leave

    @property
    def waiting(self) -> int:
        """Documents waiting for admission (each one's response is held by Scrapy meanwhile)."""
        return len(self._waiting)

    async def uncrowded(self, limit: int) -> None:
        """Return once fewer than ``limit`` documents wait for admission (at once when closed)."""
        while not self.closed and len(self._waiting) >= limit:
            watcher: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._watchers.append(watcher)
            await watcher

    def _notify(self) -> None:
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            if not watcher.done():
                watcher.set_result(None)

    def _room(self, size: int) -> bool:
        if self.documents == 0:
            return True
        return self.documents < self.max_documents and self.bytes + size <= self.max_bytes

    async def admit(self, size: int) -> bool:
        """Wait until ``size`` bytes fit; True once admitted, False when the backlog was closed meanwhile."""
        if self.closed:
            return False
        if not self._waiting and self._room(size):
            self.documents += 1
            self.bytes += size
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((size, waiter))
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                await self.release(size)  # admitted just as it was cancelled: give the room back
            else:
                with contextlib.suppress(ValueError):
                    self._waiting.remove((size, waiter))
            raise

    async def release(self, size: int) -> None:
        self.documents -= 1
        self.bytes -= size
        self._wake()

    async def close(self) -> None:
        self.closed = True
        while self._waiting:
            _size, waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(False)
        self._notify()

    def _wake(self) -> None:
        """Admit waiters in order while the head of the queue fits."""
        while self._waiting and not self.closed:
            size, waiter = self._waiting[0]
            if waiter.done():
                self._waiting.popleft()
                continue
            if not self._room(size):
                return
            self._waiting.popleft()
            self.documents += 1
            self.bytes += size
            waiter.set_result(True)
            if self._watchers:
                self._notify()

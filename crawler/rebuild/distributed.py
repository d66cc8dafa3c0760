"""The rebuild on a Dask cluster: ``python -m crawler rebuild WARC… --scheduler tcp://head:8786``.

The driver (this process) plans as the local rebuild does (:func:`crawler.rebuild.local.plan`:
pages grouped with their attachments, every document a WARC file + offset) and sends one
task per report group, never a body: the worker reads its documents from the WARC itself
(:func:`crawler.rebuild.local.parse_archived`), parses each (:func:`crawler.core.report.try_process`,
the crawl's call), then merges and stores the group with the crawl's own call
(:func:`crawler.store.documents.store_documents`: idempotent upserts under the group's lock,
:mod:`crawler.store.grouplock`), so many workers can write one PostgreSQL store and
a task run twice stores the same rows. The WARCs must be at the same path on every worker
(a shared or identical mount), and the store reachable from them.

Failure boundaries: a document whose parse raises anything is listed (``parse/bug``) and
its group still stored; a task whose worker dies (a segfault, the OOM killer, a lost
machine) is retried ``retries`` times by Dask and then listed for each of its documents
(``rebuild/worker-died``); a group the store refuses is listed (``store/failed``). None of
them stops the run. The per-document time and memory limits of the local pool are Dask's
here: give ``dask worker`` a ``--memory-limit`` and it restarts a worker that passes it.

``scheduler="local:N"`` runs a LocalCluster of N single-threaded worker processes (the
benchmark compares it with the process pool); otherwise it is a scheduler's address.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from crawler.core.errors import ReportError
from crawler.core.report import try_process
from crawler.core.workers import ParseFunction
from crawler.rebuild.local import ArchivedDocument, GroupResult, GroupTask, RebuildSummary, plan, store_group
from crawler.registry.regions import Region, RegionIndex
from crawler.store.corpus import apply_corpus_checks
from crawler.store.database import Store

logger = logging.getLogger(__name__)


class SchedulerError(ReportError):
    reason = "rebuild/scheduler"


def rebuild_group(
    store_url: str, group: str, documents: list[ArchivedDocument], region: Region | None, parse: ParseFunction
) -> GroupResult:
    """On a worker: read, parse, merge and store one report group, as a local pool's worker does."""
    return store_group(parse, GroupTask(store_url, group, tuple(documents), region))


def _distributed() -> Any:
    """Dask distributed, imported when asked for (a plain rebuild never loads it); untyped, so Any."""
    return importlib.import_module("distributed")


def _client(scheduler: str) -> Any:
    """A Dask client for a scheduler address, or a LocalCluster for ``local:N``; SchedulerError (one line) otherwise."""
    dask = _distributed()
    try:
        if scheduler.startswith("local"):
            n = int(scheduler.partition(":")[2] or 2)
            cluster = dask.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
            return dask.Client(cluster)
        return dask.Client(scheduler, timeout=20)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None


def rebuild_on_dask(
    paths: Iterable[Path], store: Store, regions: list[Region], scheduler: str,
    progress: Callable[[int, int], None] | None = None, parse: ParseFunction = try_process, retries: int = 2,
    plan_workers: int = 1,
) -> RebuildSummary:  # fmt: skip
    """Re-parse every report in the WARCs on a Dask cluster into ``store``; failures are listed, not raised."""
    started, cpu_started = time.perf_counter(), time.process_time()
    client = _client(scheduler)
    try:
        groups, summary = plan(paths, plan_workers)
        index = RegionIndex(regions)
        known = store.report_ids()
        store.flush()  # the workers write the same store: nothing of ours may wait uncommitted
        order = sorted(groups)
        total = sum(len(m) for m in groups.values())
        # a bounded window of tasks: the scheduler holds references, the driver never the whole plan's futures
        window = max(8, 4 * max(1, sum(client.nthreads().values())))
        futures: dict[Any, tuple[str, list[ArchivedDocument]]] = {}
        pending = _distributed().as_completed()
        done = 0

        def submit(items: Iterator[str]) -> bool:
            group = next(items, None)
            if group is None:
                return False
            documents = [ArchivedDocument(group, role, capture) for role, capture in groups.pop(group)]
            region = index.find(group)
            future = client.submit(
                rebuild_group, store.url, group, documents, region, parse, key=f"rebuild-{group}", retries=retries, pure=False
            )
            futures[future] = (group, documents)
            pending.add(future)
            return True

        items = iter(order)
        for _ in range(window):
            if not submit(items):
                break
        for future in pending:
            _group, documents = futures.pop(future)
            try:
                result: GroupResult = future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker after the retries, or anything the task raised
                reason = "rebuild/worker-died" if type(exc).__name__ == "KilledWorker" else "rebuild/task-failed"
                for d in documents:
                    summary.fail(d.capture.url, f"{type(exc).__name__}: {exc}"[:500], reason)
            else:
                summary.parsed += result.parsed
                summary.not_reports += result.not_reports
                summary.failures.extend(result.failures)
            done += len(documents)
            if progress:
                progress(done, total)
            future.release()
            submit(items)
    finally:
        client.close()
        cluster = getattr(client, "cluster", None)
        if cluster is not None:
            cluster.close()
    now = store.report_ids()
    summary.reports = {"new": len(now - known), "already stored": len(now & known)}
    apply_corpus_checks(store)
    summary.seconds = time.perf_counter() - started
    summary.driver_seconds = time.process_time() - cpu_started
    return summary

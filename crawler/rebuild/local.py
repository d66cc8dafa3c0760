"""Rebuild records from WARCs, offline: the crawl's documents, linked as the crawl linked them.

A streaming rebuild: the driver (this process) holds an index and a bounded window, never
the archive's bodies.

1. **Index**, in worker processes, one WARC file per task: :func:`archive.reader.scan` lists
   every response and revisit (file + offset, no body kept); each HTML page is read once
   for its title, and a report page's attachment links are kept (the same discovery functions
   as the spider). Revisits resolve to their originals; the latest capture of a URL wins.
2. **Plan**, in the driver: documents are grouped as the crawl grouped them (a report page
   with its attachments; a PDF/DOCX that no report page links is a group of its own) into a
   list of small references (file, offset, URL, group, role).
3. **Parse and store**, in the workers: groups go to :class:`crawler.core.workers.ParsePool` a
   bounded window at a time, references only; each worker reads its group's bodies from the
   WARC by offset, runs :func:`crawler.core.report.try_process` (the crawl's parser call) on
   each under a time and a memory limit, and stores the group itself with the crawl
   pipeline's own call (:func:`crawler.store.documents.store_documents`: save, merge, put),
   one transaction per group under the group's lock. The driver only adds up the counts the
   workers send back, so its serial part stays small however many workers parse. So a
   rebuild of a crawl's own WARCs gives the crawl's records: same ids, same fields.

Failure boundaries: a record (malformed target URI, a page that will not read), a
document (unreadable body, a parse that fails, times out, runs out of memory or kills
its worker) and a group (the store refusing it) each fail alone, counted and listed
with a reason; the rest is stored. A group task that hits a limit or loses its worker
says not which document did it, so its documents are parsed again one per task and the
driver stores that group (as it stores every group of an in-memory store, which no worker
can open). An interrupted rebuild keeps what it committed.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import logging
import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from archive.reader import ArchiveReadError, Capture, ReadProblem, latest_captures, load, scan, warc_files
from crawler.core.extract.encoding import decode
from crawler.core.record_types import StoredDocument, WarcLocation
from crawler.core.report import try_process
from crawler.core.resource import FetchedResource
from crawler.core.titles import is_report_title
from crawler.core.workers import Limits, Outcome, ParseFunction, ParsePool
from crawler.crawl import discovery
from crawler.registry.regions import Region, RegionIndex
from crawler.store.corpus import apply_corpus_checks
from crawler.store.database import Store, shared_store
from crawler.store.documents import store_documents

logger = logging.getLogger(__name__)


@dataclass
class RebuildSummary:
    warc_files: int = 0
    captures: int = 0
    documents: int = 0
    groups: int = 0
    parsed: int = 0
    not_reports: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)  # url, error, reason
    reports: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0  # wall-clock time of the whole rebuild
    driver_seconds: float = 0.0  # CPU time of the driver process: the serial part
    plan_seconds: float = 0.0  # wall-clock time of the index and plan, before any document is parsed

    def fail(self, url: str, error: str, reason: str) -> None:
        self.failures.append({"url": url, "error": error, "reason": reason})


@dataclass(frozen=True, slots=True)
class _Page:
    """An HTML capture's title, and its attachment links and table pictures when the title names a report."""

    title: str
    links: tuple[tuple[str, str], ...]
    pictures: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArchivedDocument:
    """What a worker needs to read one document's body from the WARC itself."""

    group: str
    role: str
    capture: Capture


def _index_file(path: Path) -> tuple[list[Capture], dict[str, _Page], list[ReadProblem]]:
    """In a worker: one WARC file's captures, its HTML pages' titles (and report pages' attachment links)."""
    pages: dict[str, _Page] = {}

    def on_html(capture: Capture, body: bytes) -> None:
        text, _ = decode(body, capture.content_type)
        try:
            root = lxml.html.document_fromstring(text) if text.strip() else None
        except (etree.ParserError, ValueError):
            root = None
        if root is None:
            pages[capture.record_id] = _Page("", ())
            return
        title = discovery.page_title(root)
        links: tuple[tuple[str, str], ...] = ()
        pictures: tuple[str, ...] = ()
        if is_report_title(title):
            _drop_unresolvable_links(root, capture.url)
            links = tuple((u, t) for u, t in discovery.page_links(root, capture.url) if discovery.is_attachment(u, t))
            pictures = tuple(discovery.page_pictures(root, capture.url))  # the spider's rule, so the same group
        pages[capture.record_id] = _Page(title, links, pictures)

    problems: list[ReadProblem] = []
    captures = scan([path], on_html, problems)
    return captures, pages, problems


def _index(files: list[Path], workers: int) -> tuple[list[Capture], dict[str, _Page], list[ReadProblem]]:
    """Every file indexed, in ``workers`` processes when there are several files (else here)."""
    captures: list[Capture] = []
    pages: dict[str, _Page] = {}
    problems: list[ReadProblem] = []
    if workers <= 1 or len(files) <= 1:
        results: Iterable[tuple[list[Capture], dict[str, _Page], list[ReadProblem]]] = map(_index_file, files)
        for c, p, r in results:
            captures += c
            pages.update(p)
            problems += r
        return captures, pages, problems
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context) as pool:
        for c, p, r in pool.map(_index_file, files):  # in file order: the plan does not depend on timing
            captures += c
            pages.update(p)
            problems += r
    return captures, pages, problems


def plan(paths: Iterable[Path], workers: int = 1) -> tuple[dict[str, list[tuple[str, Capture]]], RebuildSummary]:
    """Group → [(role, capture)] for every report document in the WARCs."""
    summary = RebuildSummary()
    files = warc_files(paths)
    summary.warc_files = len(files)
    captures, pages, problems = _index(files, workers)
    for problem in problems:
        summary.fail(problem.where, problem.error, problem.reason)
    summary.captures = len(captures)
    latest = latest_captures(captures)
    html_urls = {c.url for c in captures if "html" in c.content_type}
    del captures
    groups: dict[str, list[tuple[str, Capture]]] = {}
    grouped: set[str] = set()
    for url, capture in sorted(latest.items()):
        page = pages.get(capture.record_id)
        if page is None or not is_report_title(page.title):
            continue
        members = [("page", capture)]
        for link, text in page.links:
            if link in latest and link != url and discovery.is_attachment(link, text):
                members.append(("attachment", latest[link]))
        linked = {u for _, u in page.links}
        for link in page.pictures:
            if link in latest and link != url and link not in linked:
                members.append(("image", latest[link]))
        groups[url] = members
        grouped.update(u.url for _, u in members)
    for url, capture in sorted(latest.items()):
        if url in grouped or url in html_urls or not _is_document(capture):
            continue
        groups[url] = [("page", capture)]  # a report file linked straight from a list
    summary.groups = len(groups)
    summary.documents = sum(len(m) for m in groups.values())
    return groups, summary


def _drop_unresolvable_links(root: Any, base: str) -> None:
    """A link no URL parser accepts (``http://[::1/x``) would end the page's link list: drop it alone."""
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href:
            try:
                urljoin(base, href)
            except ValueError:
                del a.attrib["href"]


def _is_document(capture: Capture) -> bool:
    ct = capture.content_type
    if any(t in ct for t in ("pdf", "word", "officedocument", "octet-stream", "msword", "wps")):
        return True
    return discovery.is_attachment(capture.url)


def archived_document(document: ArchivedDocument, outcome: Outcome) -> StoredDocument:
    """The stored row of an archived document whose body could not be read or parsed: what its WARC record gives."""
    c = document.capture
    _, record, error, _reason = outcome
    return StoredDocument(
        url=c.url, outcome=outcome[0], record=record, error=error, group_key=document.group, role=document.role,
        status=c.status, fetched_at=c.date, warc=WarcLocation(file=c.file.name, offset=c.offset, record_id=c.record_id),
    )  # fmt: skip


def parse_archived(parse: ParseFunction, document: ArchivedDocument) -> tuple[Outcome, StoredDocument]:
    """In a worker: read the body by its offset, parse it; the outcome and the document's stored row."""
    c = document.capture
    try:
        loaded = load(c)
    except ArchiveReadError as exc:
        failed: Outcome = ("failed", None, str(exc), exc.reason)
        return failed, {**archived_document(document, failed), "sha256": None, "content_type": None, "etag": None,
                        "last_modified": None}  # fmt: skip
    warc = WarcLocation(file=c.file.name, offset=c.offset, record_id=c.record_id)
    resource = FetchedResource(
        body=loaded.body, url=c.url, content_type=loaded.headers.get("content-type"), headers=loaded.headers,
        fetched_at=c.date, page_url=document.group, warc=dict(warc),
    )  # fmt: skip
    outcome = parse(resource)
    stored = archived_document(document, outcome)
    stored["sha256"] = hashlib.sha256(loaded.body).hexdigest()
    stored["content_type"] = loaded.headers.get("content-type")
    stored["etag"], stored["last_modified"] = loaded.headers.get("etag"), loaded.headers.get("last-modified")
    return outcome, stored


def parse_document(
    parse: ParseFunction, document: ArchivedDocument, *, memory_error_ends_worker: bool = False
) -> tuple[Outcome, StoredDocument]:
    """:func:`parse_archived`, where a parser that raises costs its document only (``parse/bug``), as in the pool.

    ``memory_error_ends_worker``: let a MemoryError through, for the local pool to end the worker
    (its heap may stay huge) and tell ``parse/memory``; elsewhere it is the document's failure.
    """
    try:
        return parse_archived(parse, document)
    except MemoryError:
        if memory_error_ends_worker:
            raise
        failed: Outcome = ("failed", None, "parser bug: MemoryError", "parse/bug")
    except Exception as exc:  # a parser bug must not cost the group
        logger.warning("%s: parser bug: %s: %s", document.capture.url, type(exc).__name__, exc)
        logger.debug("%s: the parser raised", document.capture.url, exc_info=exc)
        failed = ("failed", None, f"parser bug: {type(exc).__name__}: {exc}"[:500], "parse/bug")
    return failed, archived_document(document, failed)


@dataclass
class GroupResult:
    """What a worker sends back for a group it stored: counts and failures, never records or bodies."""

    group: str
    documents: int = 0
    parsed: int = 0
    not_reports: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)


def tally(counts: RebuildSummary | GroupResult, url: str, outcome: Outcome) -> None:
    """Count one document's outcome: parsed, not a report, or a failure listed with its reason."""
    state, _record, error, reason = outcome
    if state == "parsed":
        counts.parsed += 1
    elif state == "not_report":
        counts.not_reports += 1
    else:
        counts.failures.append({"url": url, "error": error or "", "reason": reason or "parse/failed"})


@dataclass(frozen=True, slots=True)
class GroupTask:
    """One report group for a worker to read, parse and store itself: references, never bodies."""

    store_url: str
    group: str
    documents: tuple[ArchivedDocument, ...]
    region: Region | None


def store_group(parse: ParseFunction, task: GroupTask, *, memory_error_ends_worker: bool = False) -> GroupResult:
    """In a worker: read, parse, merge and store one group, in one transaction under the group's lock.

    The worker opens the store once (:func:`crawler.store.database.shared_store`) and keeps it
    for its later groups; the store's own locks (:mod:`crawler.store.grouplock`) and SQLite's
    WAL with its busy timeout let several workers write one store. A group the store refuses
    is listed (``store/failed``), its documents still counted.
    """
    result = GroupResult(task.group, documents=len(task.documents))
    docs: list[StoredDocument] = []
    for document in task.documents:
        outcome, stored = parse_document(parse, document, memory_error_ends_worker=memory_error_ends_worker)
        tally(result, document.capture.url, outcome)
        docs.append(stored)
    store = shared_store(task.store_url)
    try:
        with store.batch():  # the group's documents and report commit together
            store_documents(store, task.group, docs, task.region, whole_group=True)
    except Exception as exc:  # the store refusing a group is that group's failure
        logger.debug("storing %s failed", task.group, exc_info=exc)
        result.failures.append({"url": task.group, "error": _not_stored(exc), "reason": "store/failed"})
    return result


def _work(parse: ParseFunction, task: GroupTask | ArchivedDocument) -> Any:
    """What a pool worker runs: a whole group it stores itself, or one document whose row goes back to the driver."""
    if isinstance(task, GroupTask):
        return store_group(parse, task, memory_error_ends_worker=True)
    return parse_archived(parse, task)  # the pool turns a raise into parse/bug, as for the crawl


def rebuild(
    paths: Iterable[Path], store: Store, regions: list[Region], workers: int = 1,
    progress: Callable[[int, int], None] | None = None, limits: Limits | None = None, parse: ParseFunction = try_process,
) -> RebuildSummary:  # fmt: skip
    """Re-parse every report in the WARCs into ``store``; per-record, per-document and per-group failures are counted, not raised.

    The workers store their own groups (:func:`store_group`), so the driver only plans, hands
    out groups a bounded window at a time and adds up counts. A group task the pool reports
    as failed (a time-out, the memory limit, a dead worker) tells not which document did it:
    its documents go again one per task under the same limits, their rows back to the driver,
    which stores the group; so every document keeps its own failure boundary and limits, as
    if it had been parsed alone from the start. With an in-memory store every group goes
    that way (no worker can open it).

    ``parse`` is what each worker runs on a document (tests pass a misbehaving one).
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    groups, summary = plan(paths, workers)
    summary.plan_seconds = time.perf_counter() - started
    total = summary.documents
    known = store.report_ids()
    index = RegionIndex(regions)
    by_workers = store.shareable()  # an in-memory database: the driver stores
    queue = iter(sorted(groups))  # one order of work, whatever order the workers finish in
    alone: collections.deque[ArchivedDocument] = collections.deque()  # documents to parse one per task
    left: dict[str, int] = {}  # group → its documents still out, for a group the driver stores
    parts: dict[str, list[StoredDocument]] = {}
    done = 0

    def upcoming() -> GroupTask | ArchivedDocument | None:
        if alone:
            return alone.popleft()
        group = next(queue, None)
        if group is None:
            return None
        documents = tuple(ArchivedDocument(group, role, capture) for role, capture in groups.pop(group))
        if by_workers:
            return GroupTask(store.url, group, documents, index.find(group))
        left[group] = len(documents)
        alone.extend(documents)
        return alone.popleft()

    def finished(job: ArchivedDocument, result: Any) -> None:
        nonlocal done
        parts.setdefault(job.group, []).append(_document(job, result, summary))
        done += 1
        left[job.group] -= 1
        if left[job.group] == 0:
            del left[job.group]
            _store_group(job.group, parts.pop(job.group), store, index, summary)

    pool = ParsePool(max(1, workers), limits, functools.partial(_work, parse))
    window = 4 * pool.workers + 2  # references only: a worker reads its bodies when it starts on them
    in_flight: dict[Future[Any], GroupTask | ArchivedDocument] = {}
    try:
        # the driver's own writes (every group of an in-memory store; rare fallbacks otherwise) batched
        with store.batch() if not by_workers else contextlib.nullcontext():
            while True:
                while len(in_flight) < window and (task := upcoming()) is not None:
                    in_flight[pool.submit(task)] = task
                if not in_flight:
                    break
                ready, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in ready:
                    task = in_flight.pop(future)
                    result = future.result()
                    if isinstance(task, ArchivedDocument):
                        finished(task, result)
                    elif isinstance(result, GroupResult):
                        summary.parsed += result.parsed
                        summary.not_reports += result.not_reports
                        summary.failures.extend(result.failures)
                        done += result.documents
                    elif len(task.documents) == 1:  # the pool's outcome is its one document's
                        left[task.group] = 1
                        finished(task.documents[0], result)
                    else:  # one of them hit a limit or killed the worker: each alone now, under the same limits
                        logger.debug("group %s: %s; its documents one at a time", task.group, result[2])
                        left[task.group] = len(task.documents)
                        alone.extend(task.documents)
                    if progress:
                        progress(done, total)
    finally:
        pool.terminate()
    now = store.report_ids()
    summary.reports = {"new": len(now - known), "already stored": len(now & known)}
    apply_corpus_checks(store)
    summary.seconds = time.perf_counter() - started
    summary.driver_seconds = time.process_time() - cpu_started
    return summary


def _document(job: ArchivedDocument, result: Any, summary: RebuildSummary) -> StoredDocument:
    """The stored row of a document from what its worker returned (or the pool's failure outcome)."""
    if len(result) == 2:
        outcome, document = cast(tuple[Outcome, StoredDocument], result)
    else:  # the pool's own outcome: timeout, memory, a dead worker, a parser bug, interrupted
        outcome = result
        document = archived_document(job, result)
    tally(summary, job.capture.url, outcome)
    return document


def _not_stored(exc: Exception) -> str:
    return f"not stored: {type(exc).__name__}: {exc}"[:500]


def _store_group(group: str, docs: list[StoredDocument], store: Store, index: RegionIndex, summary: RebuildSummary) -> None:
    """Documents, then the merged report (one step, one transaction); a group the store refuses is listed, the rest go on."""
    try:
        with store.batch():
            store_documents(store, group, docs, index.find(group), whole_group=True)
    except Exception as exc:
        logger.debug("storing %s failed", group, exc_info=exc)
        summary.fail(group, _not_stored(exc), "store/failed")

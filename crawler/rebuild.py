"""Rebuild records from WARCs, offline: the crawl's documents, linked as the crawl linked them.

1. :func:`archive.reader.scan` indexes every response and revisit; each HTML
   page is read once for its title and links (the same discovery functions as
   the spider). Revisits resolve to their originals; the latest capture of a
   URL wins.
2. Documents are grouped as the crawl grouped them: a report page (its title
   names a report) with its attachments; a PDF/DOCX that no report page links
   is a group of its own.
3. Every document goes through :func:`crawler.report.try_process` (the
   crawl's parser call) in :class:`crawler.workers.ParsePool` (a time and a
   memory limit per document), then :func:`crawler.merge.merge_group` and the
   store, as in the crawl pipeline. So a rebuild of a crawl's own WARCs gives
   the crawl's records: same ids, same fields.

Failure boundaries: a record (malformed target URI, a page that will not read), a
document (unreadable body, a parse that fails, times out, runs out of memory or kills
its worker) and a group (the store refusing it) each fail alone, counted and listed
with a reason; the rest is stored. Bodies are read lazily, a bounded window at a time,
and each group is stored as soon as it and the groups before it are parsed, so an
interrupted rebuild keeps what it finished.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from archive.reader import ArchiveReadError, Capture, LoadedResponse, ReadProblem, latest_captures, load, scan, warc_files
from crawler import discovery
from crawler.corpus import apply_corpus_checks
from crawler.extract.encoding import decode
from crawler.merge import merge_group
from crawler.registry import Region, region_of_url
from crawler.report import try_process
from crawler.resource import FetchedResource
from crawler.store import Store
from crawler.workers import Limits, Outcome, ParseFunction, ParsePool

logger = logging.getLogger(__name__)

# bodies read ahead of the workers: a window, never the whole archive
_WINDOW_BYTES = 256 * 2**20


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

    def fail(self, url: str, error: str, reason: str) -> None:
        self.failures.append({"url": url, "error": error, "reason": reason})


@dataclass
class _Page:
    title: str
    links: list[tuple[str, str]]


def plan(paths: Iterable[Path]) -> tuple[dict[str, list[tuple[str, Capture]]], RebuildSummary]:
    """Group → [(role, capture)] for every report document in the WARCs."""
    summary = RebuildSummary()
    files = warc_files(paths)
    summary.warc_files = len(files)
    pages: dict[str, _Page] = {}  # by record id: a URL's pages of several crawls differ

    def on_html(capture: Capture, body: bytes) -> None:
        text, _ = decode(body, capture.content_type)
        try:
            root = lxml.html.document_fromstring(text) if text.strip() else None
        except (etree.ParserError, ValueError):
            root = None
        if root is not None:
            _drop_unresolvable_links(root, capture.url)
        pages[capture.record_id] = _Page(
            title=discovery.page_title(root) if root is not None else "",
            links=list(discovery.page_links(root, capture.url)) if root is not None else [],
        )

    problems: list[ReadProblem] = []
    captures = scan(files, on_html, problems)
    for problem in problems:
        summary.fail(problem.where, problem.error, problem.reason)
    summary.captures = len(captures)
    latest = latest_captures(captures)
    groups: dict[str, list[tuple[str, Capture]]] = {}
    grouped: set[str] = set()
    html_urls = {c.url for c in captures if "html" in c.content_type}
    for url, capture in sorted(latest.items()):
        page = pages.get(capture.record_id)
        if page is None or not discovery.is_report_title(page.title):
            continue
        members = [("page", capture)]
        for link, text in page.links:
            if link in latest and link != url and discovery.is_attachment(link, text):
                members.append(("attachment", latest[link]))
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


def _resource(group: str, loaded: LoadedResponse) -> FetchedResource:
    c = loaded.capture
    return FetchedResource(
        body=loaded.body, url=c.url, content_type=loaded.headers.get("content-type"), headers=loaded.headers,
        fetched_at=c.date, page_url=group, warc={"file": c.file.name, "offset": c.offset, "record_id": c.record_id},
    )  # fmt: skip


def rebuild(
    paths: Iterable[Path], store: Store, regions: list[Region], workers: int = 1,
    progress: Callable[[int, int], None] | None = None, limits: Limits | None = None, parse: ParseFunction = try_process,
) -> RebuildSummary:  # fmt: skip
    """Re-parse every report in the WARCs into ``store``; per-record, per-document and per-group failures are counted, not raised.

    ``parse`` is what each worker runs on a document (tests pass a misbehaving one).
    """
    groups, summary = plan(paths)
    order = sorted(groups)  # the store sees groups in one order, whatever order the workers finish in
    jobs = [(group, role, capture) for group in order for role, capture in groups[group]]
    known = store.report_ids()
    left = {g: len(groups[g]) for g in order}
    results: dict[str, list[dict[str, Any]]] = {g: [] for g in order}
    stored = 0  # groups of ``order`` stored so far
    done = 0

    def finished(group: str) -> None:
        nonlocal done, stored
        done += 1
        left[group] -= 1
        if progress:
            progress(done, len(jobs))
        while stored < len(order) and left[order[stored]] == 0:
            _store_group(order[stored], results.pop(order[stored]), store, regions, summary)
            stored += 1

    pool = ParsePool(max(1, workers), limits, parse)
    window = 2 * pool.workers + 2
    in_flight: dict[Future[Outcome], tuple[str, str, LoadedResponse]] = {}
    in_bytes = 0
    try:
        queue = iter(jobs)
        exhausted = False
        while True:
            # read ahead only as far as the window: bodies stay off the heap until a worker is near
            while not exhausted and len(in_flight) < window and (not in_flight or in_bytes < _WINDOW_BYTES):
                job = next(queue, None)
                if job is None:
                    exhausted = True
                    break
                group, role, capture = job
                try:
                    loaded = load(capture)
                except ArchiveReadError as exc:
                    summary.fail(capture.url, str(exc), exc.reason)
                    finished(group)
                    continue
                in_flight[pool.submit(_resource(group, loaded))] = (group, role, loaded)
                in_bytes += len(loaded.body)
            if not in_flight:
                break
            ready, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in ready:
                group, role, loaded = in_flight.pop(future)
                in_bytes -= len(loaded.body)
                results[group].append(_document(group, role, loaded, future.result(), summary))
                finished(group)
    finally:
        pool.terminate()
    now = store.report_ids()
    summary.reports = {"new": len(now - known), "already stored": len(now & known)}
    apply_corpus_checks(store)
    return summary


def _document(group: str, role: str, loaded: LoadedResponse, parsed: Outcome, summary: RebuildSummary) -> dict[str, Any]:
    outcome, record, error, reason = parsed
    c = loaded.capture
    if outcome == "parsed":
        summary.parsed += 1
    elif outcome == "not_report":
        summary.not_reports += 1
    else:
        summary.fail(c.url, error or "", reason or "parse/failed")
    return {
        "url": c.url, "group_key": group, "role": role, "status": c.status, "sha256": hashlib.sha256(loaded.body).hexdigest(),
        "fetched_at": c.date, "warc_file": c.file.name, "warc_offset": c.offset, "warc_record_id": c.record_id,
        "outcome": outcome, "error": error, "record": record, "content_type": loaded.headers.get("content-type"),
        "etag": loaded.headers.get("etag"), "last_modified": loaded.headers.get("last-modified"),
    }  # fmt: skip


def _store_group(group: str, docs: list[dict[str, Any]], store: Store, regions: list[Region], summary: RebuildSummary) -> None:
    """Documents, then the merged report; a group the store refuses is listed and the rest go on."""
    try:
        for doc in docs:
            values = {k: v for k, v in doc.items() if k not in {"url", "warc_file", "warc_offset", "warc_record_id"}}
            warc = {"file": doc["warc_file"], "offset": doc["warc_offset"], "record_id": doc["warc_record_id"]}
            store.save_document(str(doc["url"]), warc=warc, **values)
        region = region_of_url(regions, group)
        merged = merge_group(docs, group, region)
        if merged is not None:
            store.put_report(group, merged, region_path=region.path if region else None)
    except Exception as exc:
        logger.debug("storing %s failed", group, exc_info=exc)
        summary.fail(group, f"not stored: {type(exc).__name__}: {exc}"[:500], "store/failed")

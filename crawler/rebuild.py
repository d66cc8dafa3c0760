"""Rebuild records from WARCs, offline: the crawl's documents, linked as the crawl linked them.

1. :func:`archive.reader.scan` indexes every response and revisit; each HTML
   page is read once for its title and links (the same discovery functions as
   the spider). Revisits resolve to their originals; the latest capture of a
   URL wins.
2. Documents are grouped as the crawl grouped them: a report page (its title
   names a report) with its attachments; a PDF/DOCX that no report page links
   is a group of its own.
3. Every document goes through :func:`crawler.report.try_process` (the
   crawl's parser call) in a process pool, then :func:`crawler.merge.merge_group`
   and the store, as in the crawl pipeline. So a rebuild of a crawl's own WARCs
   gives the crawl's records: same ids, same fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from archive.reader import Capture, LoadedResponse, latest_captures, load, scan, warc_files
from crawler import discovery
from crawler.corpus import apply_corpus_checks
from crawler.extract.encoding import decode
from crawler.merge import merge_group
from crawler.registry import Region, region_of_url
from crawler.report import try_process
from crawler.resource import FetchedResource
from crawler.store import Store


@dataclass
class RebuildSummary:
    warc_files: int = 0
    captures: int = 0
    documents: int = 0
    groups: int = 0
    parsed: int = 0
    not_reports: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    reports: dict[str, int] = field(default_factory=dict)


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
        pages[capture.record_id] = _Page(
            title=discovery.page_title(root) if root is not None else "",
            links=list(discovery.page_links(root, capture.url)) if root is not None else [],
        )

    captures = scan(files, on_html)
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
    progress: Callable[[int, int], None] | None = None,
) -> RebuildSummary:  # fmt: skip
    """Re-parse every report in the WARCs into ``store``; per-document failures are counted, not raised."""
    groups, summary = plan(paths)
    jobs: list[tuple[str, str, LoadedResponse]] = []
    for group, members in groups.items():
        for role, capture in members:
            jobs.append((group, role, load(capture)))
    known = store.report_ids()
    results: dict[str, list[dict[str, Any]]] = {g: [] for g in groups}
    done = 0
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = pool.map(try_process, [_resource(g, loaded) for g, _, loaded in jobs], chunksize=4)
        for (group, role, loaded), (outcome, record, error, _reason) in zip(jobs, outcomes, strict=True):
            done += 1
            if progress:
                progress(done, len(jobs))
            c = loaded.capture
            doc = {
                "url": c.url, "group_key": group, "role": role, "status": c.status, "sha256": hashlib.sha256(loaded.body).hexdigest(),
                "fetched_at": c.date, "warc_file": c.file.name, "warc_offset": c.offset, "warc_record_id": c.record_id,
                "outcome": outcome, "error": error, "record": record, "content_type": loaded.headers.get("content-type"),
                "etag": loaded.headers.get("etag"), "last_modified": loaded.headers.get("last-modified"),
            }  # fmt: skip
            results[group].append(doc)
            if outcome == "parsed":
                summary.parsed += 1
            elif outcome == "not_report":
                summary.not_reports += 1
            else:
                summary.failures.append({"url": c.url, "error": error or ""})
    for group in sorted(results):
        docs = results[group]
        for doc in docs:
            values = {k: v for k, v in doc.items() if k not in {"url", "warc_file", "warc_offset", "warc_record_id"}}
            warc = {"file": doc["warc_file"], "offset": doc["warc_offset"], "record_id": doc["warc_record_id"]}
            store.save_document(str(doc["url"]), warc=warc, **values)
        region = region_of_url(regions, group)
        merged = merge_group(docs, group, region)
        if merged is not None:
            store.put_report(group, merged, region_path=region.path if region else None)
    now = store.report_ids()
    summary.reports = {"new": len(now - known), "already stored": len(now & known)}
    apply_corpus_checks(store)
    return summary

"""Many writer processes, one store: overlapping report groups give no duplicate and lose no source.

As in a distributed crawl or a cluster rebuild, each report is shown by three pages (groups),
and four processes store every group, each in its own order, at the same time: the same
group by several processes, the same report from several groups. PostgreSQL (the real
server, a fresh schema) and a shared SQLite file must both end with one row per report,
every page's sources in it, every group mapped to it, and no writer failing.

And as crawl workers store with batches (``STORE_BATCH_SIZE`` writes a commit): the documents
of each group are spread over the writers, each stores its own a document at a time with
``store_documents`` in big batches, and every group's report must list all of its documents
(a merge that ran before another writer's documents were committed would drop them).
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.core.record_types import Record, StoredDocument
from crawler.core.report import process, record_id
from crawler.core.resource import FetchedResource
from crawler.store.database import Store, database_url
from crawler.store.documents import store_documents
from crawler.store.grouplock import group_lock
from tests.conftest import FIXTURES
from tests.services import pg_schema_url

REPORTS = 4
PAGES_PER_REPORT = 10
WRITERS = 4


def _group(report: int, page: int) -> str:
    return f"http://www{page}.example.gov.cn/zfxxgk/nb/{report:03d}.html"


def _record(report: int, page: int, writer: int) -> dict[str, Any]:
    group = _group(report, page)
    return {
        "id": f"r{report:019d}", "agency": f"示范县第{report}局", "year": 2023, "template": "2021", "url": group,
        "page_url": group, "region": {"province": "演示省"}, "failed_checks": [], "sha256": f"{report:064d}",
        "stored_by": writer,
        "sources": [{"url": group, "role": "page"}, {"url": group.replace(".html", ".pdf"), "role": "attachment"}],
    }  # fmt: skip


def _write(url: str, writer: int, start_at: float) -> list[str]:
    """One writer process: every group, in its own order, as the crawl pipeline stores a group."""
    store = Store(url)
    time.sleep(max(0.0, start_at - time.time()))  # all writers start together: the races happen
    errors = []
    groups = [(r, p) for r in range(REPORTS) for p in range(PAGES_PER_REPORT)]
    random.Random(writer).shuffle(groups)
    try:
        for report, page in groups:
            group = _group(report, page)
            try:
                with group_lock(store, group):
                    store.save_document(group, group_key=group, role="page", outcome="parsed")
                    store.put_report(group, _record(report, page, writer))
            except Exception as exc:  # noqa: BLE001 - collected: the test shows every writer's failures
                errors.append(f"{group}: {type(exc).__name__}: {exc}")
    finally:
        store.close()
    return errors


@pytest.fixture(params=["postgresql", "sqlite"])
def store_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield database_url(tmp_path, None)
        return
    gen = pg_schema_url()
    url = next(gen)
    try:
        yield database_url(tmp_path, url)
    finally:
        gen.close()


def test_concurrent_writers_store_each_report_once_with_every_source(store_url):
    Store(store_url).close()  # the tables exist before the race on the rows starts
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        start_at = time.time() + 4  # after every process has started and imported
        results = pool.starmap(_write, [(store_url, w, start_at) for w in range(WRITERS)])
    assert [e for errors in results for e in errors] == []
    store = Store(store_url)
    try:
        records = list(store.records())
        assert store.count_reports() == REPORTS == len({r["id"] for r in records})
        for record in records:
            report = int(record["id"][1:])
            expected = {_group(report, p) for p in range(PAGES_PER_REPORT)}
            urls = {s["url"] for s in record["sources"]}
            assert urls == expected | {u.replace(".html", ".pdf") for u in expected}, record["id"]
            assert record["page_url"] == min(expected)
            # the body comes from the page that sorts last, whichever writer stored it last
            assert record["url"] == max(expected)
            for page in range(PAGES_PER_REPORT):
                assert store.report_for_group(_group(report, page))["id"] == record["id"]
    finally:
        store.close()


GROUPS = 12
DOCS_PER_GROUP = 3  # a page and two attachments, each stored by another writer
BATCH = 5


def _documents(parse: Record) -> dict[int, list[tuple[str, StoredDocument]]]:
    """Writer → its (group, document) pairs: every group's documents spread over three writers."""
    out: dict[int, list[tuple[str, StoredDocument]]] = {w: [] for w in range(WRITERS)}
    for g in range(GROUPS):
        group = f"http://www.example.gov.cn/zfxxgk/nb/g{g:03d}.html"
        record: Record = {**parse, "id": record_id(parse["agency"], parse["year"], f"group-{g}")}
        for d in range(DOCS_PER_GROUP):
            url = group if d == 0 else group.replace(".html", f"-{d}.pdf")
            document = StoredDocument(
                url=url, outcome="parsed", record={**record, "url": url}, role="page" if d == 0 else "attachment",
                sha256=f"{g:032d}{d:032d}",
            )  # fmt: skip
            out[(g + d) % WRITERS].append((group, document))
    return out


def _write_batched(url: str, writer: int, documents: list[tuple[str, StoredDocument]], start_at: float) -> list[str]:
    """One crawl worker: its documents a group step at a time, committed every BATCH writes."""
    store = Store(url)
    time.sleep(max(0.0, start_at - time.time()))
    random.Random(writer).shuffle(documents)
    errors = []
    store.begin_batch(BATCH, 3600.0)  # only the size, or another writer wanting a lock we hold, commits
    try:
        for group, document in documents:
            try:
                store_documents(store, group, [document], None)
            except Exception as exc:  # noqa: BLE001 - collected: the test shows every writer's failures
                errors.append(f"{document['url']}: {type(exc).__name__}: {exc}")
    finally:
        store.close()  # commits what the batch holds
    return errors


def test_batched_writers_merge_every_document_of_a_group(store_url):
    Store(store_url).close()
    parse = process(FetchedResource.from_path(FIXTURES / "gov2021_gbk.html"))
    assert parse is not None and parse["requests"] is not None
    plan = _documents(parse)
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        start_at = time.time() + 4
        results = pool.starmap(_write_batched, [(store_url, w, plan[w], start_at) for w in range(WRITERS)])
    assert [e for errors in results for e in errors] == []
    store = Store(store_url)
    try:
        assert store.count_reports() == GROUPS
        for g in range(GROUPS):
            group = f"http://www.example.gov.cn/zfxxgk/nb/g{g:03d}.html"
            record = store.report_for_group(group)
            assert record is not None, group
            urls = [s["url"] for s in record["sources"]]
            expected = [group, *(group.replace(".html", f"-{d}.pdf") for d in range(1, DOCS_PER_GROUP))]
            assert urls == expected, group  # the page first, then the attachments: none lost
            assert len(store.group_documents(group)) == DOCS_PER_GROUP
    finally:
        store.close()


def test_a_step_waiting_for_its_report_leaves_nothing_half_stored():
    """A writer whose report another batch holds waits with its step's documents uncommitted.

    Committing them before the report (to wait holding nothing) left, for as long as it waited,
    documents stored without the record they belong to: a crash then, and the resumed crawl, which
    skips stored documents, never merged them. PostgreSQL only: SQLite has one writer at a time."""
    gen = pg_schema_url()
    url = database_url(Path("."), next(gen))
    parse = process(FetchedResource.from_path(FIXTURES / "gov2021_gbk.html"))
    assert parse is not None
    first, second = (f"http://www{i}.example.gov.cn/zfxxgk/nb/same.html" for i in (1, 2))

    def document(group: str) -> StoredDocument:
        return StoredDocument(url=group, outcome="parsed", record={**parse, "url": group}, role="page", sha256="0" * 64)

    holder, waiter, observer = Store(url), Store(url), Store(url)
    try:
        holder.begin_batch(100, 3600.0)
        store_documents(holder, first, [document(first)], None)  # the report, held until the batch commits

        def wait() -> None:
            with waiter.batch():  # as a parse worker stores one document
                store_documents(waiter, second, [document(second)], None)

        thread = threading.Thread(target=wait)
        thread.start()
        time.sleep(2.0)
        assert thread.is_alive(), "the second page's step waits for the report"
        assert observer.document(second) is None, "its document is not visible before its report"
        holder.end_batch()
        thread.join(timeout=30)
        assert not thread.is_alive()
        record = observer.report_for_group(second)
        assert record is not None and record == observer.report_for_group(first)
        assert [s["url"] for s in record["sources"]] == [first, second]
        assert observer.document(second) is not None and observer.count_reports() == 1
    finally:
        for store in (holder, waiter, observer):
            store.close()
        gen.close()

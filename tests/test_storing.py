"""store_documents (crawler/store/documents.py): the one step that saves a group's documents, merges them and puts the report."""

from __future__ import annotations

import functools

import pytest

from crawler.core.record_types import Record, StoredDocument
from crawler.core.report import process
from crawler.core.resource import FetchedResource
from crawler.store.database import Store, database_url
from crawler.store.documents import store_documents
from tests.conftest import FIXTURES

PAGE = "http://www.example.gov.cn/zfxxgk/nb/t1.html"
PDF = "http://www.example.gov.cn/zfxxgk/nb/t1.pdf"


@functools.lru_cache(maxsize=1)
def _parse() -> Record:
    record = process(FetchedResource.from_path(FIXTURES / "gov2021_gbk.html"))
    assert record is not None
    return record  # type: ignore[return-value]  # process returns the schema-checked record as a dict


def _doc(url: str, role: str, **extra: object) -> StoredDocument:
    doc = StoredDocument(url=url, outcome="parsed", record={**_parse(), "url": url}, role=role, sha256="a" * 64)
    doc.update(extra)  # type: ignore[typeddict-item]
    return doc


@pytest.fixture
def store(tmp_path):
    s = Store(database_url(tmp_path, None))
    yield s
    s.close()


def test_a_document_at_a_time_merges_with_what_the_group_holds(store):
    warc = {"file": "a.warc.gz", "offset": 10, "record_id": "<urn:uuid:1>"}
    first = store_documents(store, PAGE, [_doc(PAGE, "page", warc=warc, links=[PDF])], None)
    assert first is not None and [s["url"] for s in first["sources"]] == [PAGE]
    second = store_documents(store, PAGE, [_doc(PDF, "attachment")], None)
    assert second is not None and [s["url"] for s in second["sources"]] == [PAGE, PDF]
    assert second["sources"][0]["warc"] == warc  # the WARC location read back from its three columns
    assert store.report_for_group(PAGE) == second
    rows = {d["url"]: d for d in store.group_documents(PAGE)}
    assert rows[PAGE]["group_key"] == PAGE and rows[PAGE]["links"] == [PDF] and rows[PAGE]["warc"] == warc


def test_a_whole_group_merges_only_its_own_documents(store):
    store_documents(store, PAGE, [_doc(PAGE, "page"), _doc(PDF, "attachment")], None)
    # a rebuild whose WARCs hold only the page: the stale attachment row is not merged in
    record = store_documents(store, PAGE, [_doc(PAGE, "page")], None, whole_group=True)
    assert record is not None and [s["url"] for s in record["sources"]] == [PAGE]


def test_an_absent_key_keeps_the_stored_value_and_none_clears_it(store):
    store_documents(store, PAGE, [_doc(PAGE, "page", links=[PDF], error="old error")], None)
    store_documents(store, PAGE, [_doc(PAGE, "page", error=None)], None)  # no links known this time
    (row,) = store.group_documents(PAGE)
    assert row["links"] == [PDF] and row["error"] is None


def test_a_group_without_a_parse_stores_its_documents_and_no_report(store):
    failed = StoredDocument(url=PAGE, outcome="failed", record=None, role="page", error="unreadable")
    assert store_documents(store, PAGE, [failed], None) is None
    assert store.report_for_group(PAGE) is None and store.document(PAGE).error == "unreadable"


def test_in_a_batch_the_group_lock_is_held_until_the_commit(store):
    store.begin_batch(100, 3600.0)
    try:
        store_documents(store, PAGE, [_doc(PAGE, "page")], None)
        assert store._locks.held == {PAGE}  # kept: another writer must not merge before this commits
        store.flush()
        assert store._locks.held == set()
    finally:
        store.end_batch()
    assert store.report_for_group(PAGE) is not None

"""The record store on SQLite and on the real PostgreSQL server: same schema, same behaviour."""

from __future__ import annotations

import copy

import pytest

from crawler.core.errors import ReportError
from crawler.store.database import Store, database_url
from tests.services import pg_schema_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(database_url(tmp_path, None))
        yield s
        s.close()
    else:
        gen = pg_schema_url()
        url = next(gen)
        s = Store(database_url(tmp_path, url))
        yield s
        s.close()
        gen.close()


def _record(rid: str, agency: str = "示范县教育局", year: int = 2022, url: str = "http://x/1.html") -> dict:
    return {
        "id": rid, "agency": agency, "year": year, "region": {"province": None, "city": None, "county": "示范县"},
        "template": "2021", "url": url, "sha256": "0" * 64, "failed_checks": ["T4-1:review"],
        "sources": [{"url": url, "role": "page"}], "page_url": url,
    }  # fmt: skip


def test_put_report_new_unchanged_changed(store):
    rec = _record("a1")
    assert store.put_report("http://x/1.html", rec, "演示省/示范市/示范县") == "new"
    assert store.put_report("http://x/1.html", copy.deepcopy(rec)) == "unchanged"
    rec2 = {**rec, "year": 2023}
    assert store.put_report("http://x/1.html", rec2) == "changed"
    assert store.count_reports() == 1
    assert [r["year"] for r in store.records()] == [2023]


def test_new_content_replaces_old_id(store):
    store.put_report("g", _record("old"))
    assert store.put_report("g", _record("new")) == "changed"
    assert [r["id"] for r in store.records()] == ["new"]


def test_same_report_from_two_pages_is_one_row(store):
    store.put_report("http://x/1.html", _record("same", url="http://x/1.html"))
    store.put_report("http://x/2.html", _record("same", url="http://x/2.pdf"))
    rows = list(store.records())
    assert len(rows) == 1
    assert {s["url"] for s in rows[0]["sources"]} == {"http://x/1.html", "http://x/2.pdf"}
    assert store.report_for_group("http://x/2.html")["id"] == "same"


def test_records_by_region(store):
    store.put_report("g1", _record("r1"), "江苏省/淮安市/洪泽区")
    store.put_report("g2", _record("r2", agency="别的局"), "江苏省/南京市")
    assert [r["id"] for r in store.records("江苏省/淮安市")] == ["r1"]
    assert len(list(store.records("江苏省"))) == 2


def test_document_state_round_trip(store):
    store.save_document("http://x/a.pdf", group_key="g", role="attachment", status=200, etag='"abc"', sha256="1" * 64,
                        warc={"file": "f.warc.gz", "offset": 123, "record_id": "<urn:uuid:1>"}, outcome="parsed", links=["u"])  # fmt: skip
    state = store.document("http://x/a.pdf")
    assert state.etag == '"abc"' and state.warc == {"file": "f.warc.gz", "offset": 123, "record_id": "<urn:uuid:1>"}
    store.save_document("http://x/a.pdf", checked_at="2026-01-01")
    assert store.document("http://x/a.pdf").outcome == "parsed"
    assert store.document("http://x/missing") is None


def test_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match="cannot open the record store"):
        Store(database_url(tmp_path, "postgresql://postgres@127.0.0.1:1/test"))


def test_region_filled_from_the_portal_only_when_it_agrees():
    from crawler.core.merge import fill_region
    from crawler.registry.regions import Region

    county = Region(path="江苏省/淮安市/洪泽区", province="江苏省", city="淮安市", county="洪泽区", level="county", portals=())
    city = Region(path="江苏省/淮安市", province="江苏省", city="淮安市", county=None, level="city", portals=())
    empty = {"province": None, "city": None, "county": None}
    assert fill_region(dict(empty), county) == {"province": "江苏省", "city": "淮安市", "county": "洪泽区", "code": "320813"}
    assert fill_region({**empty, "county": "洪泽区"}, county)["province"] == "江苏省"
    # a report of another county on this portal keeps only what it names
    assert fill_region({**empty, "county": "安化县"}, county) == {**empty, "county": "安化县"}
    # a district report on the city portal: the city cannot vouch for the district
    assert fill_region({**empty, "county": "清江浦区"}, city) == {**empty, "county": "清江浦区"}
    assert fill_region({**empty, "city": "淮安市"}, city)["province"] == "江苏省"


def test_a_batch_is_one_transaction_its_own_reads_see_it_others_after_flush(store, tmp_path):
    other = Store(store.url)  # another connection pool: sees only what is committed
    try:
        store.begin_batch(size=1000, seconds=3600)
        store.save_document("http://x/a.pdf", group_key="g", outcome="parsed", sha256="2" * 64)
        store.put_report("g", _record("b1"))
        assert store.document("http://x/a.pdf").outcome == "parsed"  # the batch reads its own writes
        assert store.report_for_group("g")["id"] == "b1"
        assert other.document("http://x/a.pdf") is None and other.count_reports() == 0
        store.flush()
        assert other.document("http://x/a.pdf").sha256 == "2" * 64 and other.count_reports() == 1
        store.save_document("http://x/a.pdf", checked_at="later")  # an upsert keeps the other columns
        store.end_batch()
        state = other.document("http://x/a.pdf")
        assert state.outcome == "parsed" and state.sha256 == "2" * 64
    finally:
        other.close()


def test_a_batch_commits_by_itself_when_full(store):
    other = Store(store.url)
    try:
        store.begin_batch(size=3, seconds=3600)
        for i in range(7):
            store.save_document(f"http://x/{i}.html", outcome="read")
        committed = [other.document(f"http://x/{i}.html") is not None for i in range(7)]
        assert committed == [True] * 6 + [False]  # two full batches of 3 committed, the seventh still open
        store.end_batch()
        assert other.document("http://x/6.html") is not None
    finally:
        other.close()


def test_crawl_state_is_the_hosts_documents_only(store):
    store.save_document("http://a.gov.cn/1.html", status=200, etag='"e1"', sha256="3" * 64, outcome="parsed",
                        warc={"file": "f.warc.gz", "offset": 7, "record_id": "<urn:uuid:2>"})  # fmt: skip
    store.save_document("https://a.gov.cn/2.pdf", status=200, last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    store.save_document("http://b.gov.cn/3.html", status=200, etag='"e3"')
    store.save_document("http://aXgov.cn/4.html", status=200)  # LIKE's "_"-style near miss must not leak in
    state = store.crawl_state({"a.gov.cn", "a_gov.cn"})
    assert set(state) == {"http://a.gov.cn/1.html", "https://a.gov.cn/2.pdf"}
    prior = state["http://a.gov.cn/1.html"]
    assert (prior.etag, prior.sha256, prior.outcome) == ('"e1"', "3" * 64, "parsed")
    assert prior.warc == {"file": "f.warc.gz", "offset": 7, "record_id": "<urn:uuid:2>"}
    assert state["https://a.gov.cn/2.pdf"].warc is None

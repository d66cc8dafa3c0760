"""The local rebuild's workers store their own groups: the same records as the driver storing them.

Several pool workers write one SQLite file at once (each its own connection, the group locks,
WAL and a busy timeout); an in-memory store, which no worker can open, is stored by the driver
as before. Both must give the same reports and document rows. A group whose task hits a limit
goes again one document per task, so only the document at fault is lost.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.core.workers import Limits
from crawler.rebuild.local import rebuild
from crawler.store.database import Store, documents
from tests.conftest import FIXTURES
from tests.test_workers import poison

_VOLATILE = {"checked_at", "first_seen", "updated_at"}
_PAGE = (
    '<html><head><meta charset="utf-8"><title>{agency}2022年政府信息公开工作年度报告</title></head>'
    '<body><div class="TRS_Editor"><p>详见附件。</p>{links}</div></body></html>'
)


def _response(writer: WARCWriter, url: str, body: bytes, ctype: str) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


def _page(agency: str, attachments: list[str]) -> bytes:
    links = "".join(f'<a href="{u}">附件：{u.rsplit("/", 1)[1]}</a>' for u in attachments)
    return _PAGE.format(agency=agency, links=links).encode()


def _warc(path: Path, hosts: int, poisoned: str | None = None) -> None:
    """Per host: a report page with a PDF and a DOCX attached, a report file no page links, an HTML report.

    ``poisoned``: a further attachment of the first host's page, named for :func:`tests.test_workers.poison`.
    """
    pdf = (FIXTURES / "gov2021_merged.pdf").read_bytes()
    docx = (FIXTURES / "gov2019_merged.docx").read_bytes()
    html = (FIXTURES / "gov2021_gbk.html").read_bytes()
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for i in range(hosts):
        base = f"http://www{i}.example.gov.cn/zfxxgknb/"
        attachments = [base + "P0202301.pdf", base + "P0202302.docx"]
        if poisoned and i == 0:
            attachments.append(base + poisoned)
            _response(writer, base + poisoned, pdf, "application/pdf")
        _response(writer, base + "t20230118_1.html", _page(f"示范市第{i}局", attachments), "text/html; charset=utf-8")
        _response(writer, attachments[0], pdf, "application/pdf")
        _response(writer, attachments[1], docx, "application/octet-stream")
        _response(writer, f"http://www{i}.example.gov.cn/files/report.docx", docx, "application/octet-stream")
        _response(writer, base + "t20230119_2.html", html, "text/html; charset=gbk")
    path.write_bytes(buf.getvalue())


def _contents(store: Store) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reports by id (without the times of storing) and document rows by URL."""
    reports = {r["id"]: {k: v for k, v in r.items() if k not in _VOLATILE} for r in store.records()}
    with store.engine.connect() as conn:
        rows = {row.url: dict(row._mapping) for row in conn.execute(sa.select(documents))}
    for row in rows.values():
        for key in [k for k in row if k in _VOLATILE or k.endswith("_at")]:
            del row[key]
    return reports, rows


# warcio's record builder leaves its spooled digest buffers for the garbage collector
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_workers_storing_their_groups_give_the_drivers_records(tmp_path):
    _warc(tmp_path / "a.warc.gz", hosts=2)
    memory = Store("sqlite:///:memory:")
    shared = Store(f"sqlite:///{tmp_path / 'records.sqlite'}")
    try:
        assert not memory.shareable() and shared.shareable()
        by_driver = rebuild([tmp_path / "a.warc.gz"], memory, [], workers=1)
        by_workers = rebuild([tmp_path / "a.warc.gz"], shared, [], workers=2)
        expected, got = _contents(memory), _contents(shared)
        again = rebuild([tmp_path / "a.warc.gz"], shared, [], workers=2)  # idempotent: nothing doubles
        assert _contents(shared) == got
    finally:
        memory.close()
        shared.close()
    assert by_driver.groups == by_workers.groups == 6  # 2 pages with attachments, 2 lone files, 2 HTML reports
    assert by_driver.documents == by_workers.documents == 10
    assert (by_workers.parsed, by_workers.not_reports, by_workers.failures) == (
        by_driver.parsed, by_driver.not_reports, by_driver.failures,
    )  # fmt: skip
    assert by_workers.parsed >= 6 and not by_workers.failures
    assert by_workers.reports["new"] == len(expected[0]) and again.reports == {"new": 0, "already stored": len(expected[0])}
    assert len(expected[1]) == 10 and expected == got


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_group_whose_document_hangs_loses_that_document_only(tmp_path):
    _warc(tmp_path / "a.warc.gz", hosts=1, poisoned="sleep.pdf")
    store = Store(f"sqlite:///{tmp_path / 'records.sqlite'}")
    try:
        summary = rebuild([tmp_path / "a.warc.gz"], store, [], workers=2, limits=Limits(timeout=4), parse=poison)
        records = {r["page_url"]: r for r in store.records()}
        failed = {d["url"]: d["error"] for d in store.failed_documents()}
    finally:
        store.close()
    base = "http://www0.example.gov.cn/zfxxgknb/"
    # listed once, as its own time-out (the group task's time-out is not a document's failure)
    assert [(f["url"], f["reason"]) for f in summary.failures] == [(base + "sleep.pdf", "parse/timeout")]
    assert list(failed) == [base + "sleep.pdf"] and "longer than 4 s" in failed[base + "sleep.pdf"]
    # the rest of its group parsed alone and stored by the driver: the page with its PDF and DOCX
    group = records[base + "t20230118_1.html"]
    assert {s["url"] for s in group["sources"]} >= {base + "t20230118_1.html", base + "P0202301.pdf", base + "P0202302.docx"}
    assert summary.documents == 6 and summary.parsed + summary.not_reports == 5

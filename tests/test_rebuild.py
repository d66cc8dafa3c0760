"""Rebuild from WARCs: a crawl's own WARCs give the crawl's records; other tools' WARCs work too."""

from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.demo.portal import DemoPortal
from crawler.store.corpus import corpus_checks
from tests.conftest import FIXTURES
from tests.test_crawl_e2e import FAST, cli, export


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    data = tmp_path_factory.mktemp("crawl")
    with DemoPortal() as portal:
        proc = cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST)
        assert proc.returncode == 0, proc.stderr[-2000:]
        # a second crawl adds revisit records the rebuild must resolve
        proc = cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST)
        assert proc.returncode == 0, proc.stderr[-2000:]
    return data


def test_rebuild_gives_the_crawls_records(crawled, tmp_path):
    proc = cli("rebuild", str(crawled / "warc"), "--data-dir", str(tmp_path), "--workers", "2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Rebuild summary" in proc.stderr and "failures 1" in proc.stderr  # the corrupt PDF, counted
    live = {r["id"]: r for r in export(crawled)}
    rebuilt = {r["id"]: r for r in export(tmp_path)}
    assert live and set(rebuilt) == set(live)
    for rid, record in live.items():
        assert rebuilt[rid] == record, rid


def _http(status: int, reason: str, headers: list[tuple[str, str]]) -> StatusAndHeaders:
    return StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")


def _foreign_warc(path: Path) -> dict[str, str]:
    """A WARC/1.0 file, not gzipped, records out of order, with a revisit and a failed attempt."""
    page_url = "http://www.example.gov.cn/zfxxgknb/202301/t20230118_1.html"
    pdf_url = "http://www.example.gov.cn/zfxxgknb/202301/P0202301.pdf"
    docx_url = "http://www.example.gov.cn/files/report.docx"
    page = (
        '<html><head><meta charset="utf-8"><title>南通市海门区市场监督管理局2022年政府信息公开工作年度报告_海门区</title></head>'
        f'<body><div class="TRS_Editor"><p>详见附件。</p><a href="{pdf_url}">附件：年度报告.pdf</a></div></body></html>'
    ).encode()
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False, warc_version="1.0")
    records = []

    def response(url, body, ctype, date, status=200, reason="OK"):
        rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=_http(status, reason, [("Content-Type", ctype), ("Content-Length", str(len(body)))]),
                                        warc_headers_dict={"WARC-Date": date})  # fmt: skip
        records.append(rec)
        return rec

    original = response(page_url, page, "text/html; charset=utf-8", "2023-02-01T10:00:00Z")
    response(pdf_url, b"temporarily unavailable", "text/plain", "2023-02-01T10:00:01Z", 503, "Service Unavailable")
    response(pdf_url, (FIXTURES / "gov2021_merged.pdf").read_bytes(), "application/pdf", "2023-02-01T10:00:05Z")
    response(docx_url, (FIXTURES / "gov2019_merged.docx").read_bytes(), "application/octet-stream", "2023-02-01T10:00:06Z")
    revisit = writer.create_revisit_record(
        page_url, digest=original.rec_headers.get_header("WARC-Payload-Digest"), refers_to_uri=page_url,
        refers_to_date="2023-02-01T10:00:00Z", http_headers=_http(200, "OK", [("Content-Type", "text/html; charset=utf-8")]),
    )  # fmt: skip
    revisit.rec_headers.replace_header("WARC-Date", "2024-02-01T10:00:00Z")
    revisit.rec_headers.add_header("WARC-Refers-To", original.rec_headers.get_header("WARC-Record-ID"))
    records.append(revisit)
    random.Random(4).shuffle(records)
    for rec in records:
        writer.write_record(rec)
    path.write_bytes(buf.getvalue())
    return {"page": page_url, "pdf": pdf_url, "docx": docx_url}


# warcio's record builder leaves its spooled digest buffers for the garbage collector
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_rebuild_other_tools_warc(tmp_path):
    urls = _foreign_warc(tmp_path / "other.warc")
    proc = cli("rebuild", str(tmp_path / "other.warc"), "--data-dir", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = {r["agency"]: r for r in export(tmp_path / "out")}
    haimen = records["南通市海门区市场监督管理局"]
    assert haimen["page_url"] == urls["page"] and haimen["source_format"] == "pdf"
    assert {s["url"] for s in haimen["sources"]} == {urls["page"], urls["pdf"]}
    assert haimen["requests"]["rows"]["new"][6] == 59  # the PDF's numbers, not the 503 body
    assert haimen["sha256"] == hashlib.sha256((FIXTURES / "gov2021_merged.pdf").read_bytes()).hexdigest()
    assert records["成都市武侯区教育局"]["url"] == urls["docx"]  # a report file no page links


def test_rebuild_of_nothing_is_a_clear_error(tmp_path):
    proc = cli("rebuild", str(tmp_path / "missing.warc.gz"), "--data-dir", str(tmp_path))
    assert proc.returncode == 2 and "no such WARC" in proc.stderr


def test_show_and_stats(crawled):
    records = export(crawled)
    target = next(r for r in records if r["failed_checks"])
    proc = cli("show", target["id"][:10], "--data-dir", str(crawled))
    assert proc.returncode == 0 and target["title"] in proc.stdout and "FAILED" in proc.stdout and "Sources" in proc.stdout
    assert cli("show", "ffffffffff", "--data-dir", str(crawled)).returncode == 2
    stats = json.loads(cli("stats", "--format", "json", "--data-dir", str(crawled)).stdout)
    assert stats["reports"] == len(records)
    assert sum(row["reports"] for row in stats["by_region_year"]) == len(records)
    assert any("P0202401" in f["url"] or f["url"].endswith(".pdf") for f in stats["parse_failures"])
    assert stats["corpus_check_failures"], "the demo's 教育局 2021→2022 carry-over does not match"
    table = cli("stats", "--data-dir", str(crawled)).stdout
    assert "region" in table and "X-1" in table


def _rec(year, carried_over, carried_forward, in_force=None, made=None, repealed=None):
    rows = {
        "carried_over": [carried_over] + [0] * 5 + [carried_over],
        "carried_forward": [carried_forward] + [0] * 5 + [carried_forward],
    }
    return {"id": f"r{year}", "year": year, "template": "2021", "requests": {"rows": rows},
            "proactive": {"normative_documents": {"made": made, "repealed": repealed, "in_force": in_force}}}  # fmt: skip


def test_corpus_checks_cross_year():
    before, now = _rec(2022, 0, 3, in_force=10), _rec(2023, 3, 0, in_force=12, made=4, repealed=2)
    checks = {(c["rule"], c["scope"]): c["ok"] for c in corpus_checks(now, before)}
    assert checks[("X-1", "natural_person")] is True and checks[("X-2", "normative_documents")] is True
    bad = _rec(2023, 1, 0, in_force=15, made=4, repealed=2)
    checks = {(c["rule"], c["scope"]): c["ok"] for c in corpus_checks(bad, before)}
    assert checks[("X-1", "total")] is False and checks[("X-2", "normative_documents")] is False
    blank = _rec(2023, None, 0, in_force=None, made=4, repealed=2)
    assert {c["ok"] for c in corpus_checks(blank, before)} >= {None}


def test_rebuild_runs_from_warcs_only(crawled, tmp_path, monkeypatch):
    """No network: the rebuild reads bytes from the WARCs alone (the portal is gone by now, any proxy is dead)
    and still gives every record of the crawl, the same in every field."""
    proc = subprocess.run([sys.executable, "-m", "crawler", "rebuild", str(crawled / "warc"), "--data-dir", str(tmp_path), "--workers", "1"],
                          capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "no_proxy": "*", "http_proxy": "http://127.0.0.1:9"})  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert "failures 1" in proc.stderr  # the corrupt PDF, as in the crawl: nothing else failed for want of a network
    live = {r["id"]: r for r in export(crawled)}
    rebuilt = {r["id"]: r for r in export(tmp_path)}
    assert live and set(rebuilt) == set(live)
    for rid, record in live.items():
        assert rebuilt[rid] == record, rid
        assert record["warc"] and record["text"], rid  # every record points at its bytes in the WARCs and has them


# -- failure boundaries: a record, a document, a group fail alone ------------------------------


def _poisoned_warc(path: Path) -> dict[str, str]:
    """A gzipped WARC as a careless tool might leave it: a malformed target URI, a page linking one,
    documents that hang, crash their worker or trip a parser bug, and a torn tail."""
    base = "http://www.example.gov.cn/zfxxgknb/"
    good_page, good_pdf = base + "t20230118_1.html", base + "P0202301.pdf"
    page = (
        '<html><head><meta charset="utf-8"><title>南通市海门区市场监督管理局2022年政府信息公开工作年度报告</title></head>'
        '<body><div class="TRS_Editor"><p>详见附件。</p><a href="http://[::1/broken.pdf">坏链接.pdf</a>'
        f'<a href="{good_pdf}">附件：年度报告.pdf</a></div></body></html>'
    ).encode()
    bad_page = '<html><head><meta charset="utf-8"><title>某某局2022年政府信息公开工作年度报告</title></head><body></body></html>'.encode()
    pdf = (FIXTURES / "gov2021_merged.pdf").read_bytes()
    docx = (FIXTURES / "gov2019_merged.docx").read_bytes()
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)

    def response(url: str, body: bytes, ctype: str) -> None:
        headers = _http(200, "OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))

    response("http://[::1/bad.html", bad_page, "text/html; charset=utf-8")
    response(good_page, page, "text/html; charset=utf-8")
    response(good_pdf, pdf, "application/pdf")
    poison = {name: f"http://www.example.gov.cn/files/{name}" for name in ("raise.docx", "exit.pdf", "sleep.pdf")}
    for name, url in poison.items():
        response(url, docx if name.endswith(".docx") else pdf, "application/octet-stream")
    response("http://www.example.gov.cn/files/report.docx", docx, "application/octet-stream")
    path.write_bytes(buf.getvalue() + b"\x1f\x8b\x08\x00torn off mid-record")
    return {"page": good_page, "pdf": good_pdf, **poison}


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_rebuild_survives_bad_records_and_poison_documents(tmp_path):
    from crawler.core.workers import Limits
    from crawler.rebuild.local import rebuild
    from crawler.store.database import Store
    from tests.test_workers import poison

    urls = _poisoned_warc(tmp_path / "poisoned.warc.gz")
    store = Store(f"sqlite:///{tmp_path / 'out' / 'records.sqlite'}")
    try:
        summary = rebuild([tmp_path / "poisoned.warc.gz"], store, [], workers=2, limits=Limits(timeout=3), parse=poison)
        records = {r["agency"]: r for r in store.records()}
    finally:
        store.close()
    reasons = {f["url"]: f["reason"] for f in summary.failures}
    assert reasons.get(urls["raise.docx"]) == "parse/bug"
    assert reasons.get(urls["exit.pdf"]) == "parse/worker-died"
    assert reasons.get(urls["sleep.pdf"]) == "parse/timeout"
    assert any(r == "archive/bad-uri" and "[::1/bad.html" in f["error"] for f in summary.failures for r in [f["reason"]])
    assert reasons.get("poisoned.warc.gz") == "archive/unreadable"  # the torn tail, after every whole record
    # the rest is stored: the page with its PDF (the bad link dropped, not the page's other links), the lone DOCX
    haimen = records["南通市海门区市场监督管理局"]
    assert {s["url"] for s in haimen["sources"]} == {urls["page"], urls["pdf"]}
    assert haimen["requests"]["rows"]["new"][6] == 59
    assert records["成都市武侯区教育局"]["url"].endswith("/report.docx")
    assert (summary.parsed, summary.not_reports) == (2, 1)  # the PDF and the DOCX; the page only points to its PDF


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_rebuild_cli_lists_a_malformed_uri_and_stores_the_rest(tmp_path):
    urls = _poisoned_warc(tmp_path / "poisoned.warc.gz")
    proc = cli(
        "rebuild",
        str(tmp_path / "poisoned.warc.gz"),
        "--data-dir",
        str(tmp_path / "out"),
        "--workers",
        "1",
        "--parse-timeout",
        "60",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "archive/bad-uri" in proc.stderr and "[::1/bad.html" in proc.stderr
    exported = export(tmp_path / "out")
    stored = {u for r in exported for u in (r["page_url"], r["url"], *(s["url"] for s in r.get("sources", [])))}
    # the real parser reads the "poison" files as the reports they are (one PDF's numbers, so one report)
    assert set(urls.values()) <= stored
    assert {r["agency"] for r in exported} == {"南通市海门区市场监督管理局", "成都市武侯区教育局"}

"""End-to-end: crawl the demo portal as a user would (a subprocess), three times.

1. a first crawl finds every report (TRS pages, Hanweb API, gkmlpt API, a list
   only JavaScript fills), archives every exchange, obeys robots.txt, stays in
   scope, survives a flaky page and a corrupt PDF;
2. a second crawl sends conditional requests, parses nothing again and stores
   no duplicate;
3. after the portal publishes a new report, a third crawl picks up just that.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.core.report import validate
from crawler.demo.portal import DemoPortal
from tests.conftest import ROOT

FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "RETRY_BACKOFF_BASE=0.05",
    "-s",
    "PROGRESS_INTERVAL=1",
]


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def export(data_dir: Path) -> list[dict]:
    proc = cli("export", "--format", "jsonl", "--data-dir", str(data_dir))
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def warc_records(data_dir: Path) -> list[tuple[str, dict, object]]:
    out = []
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                headers = dict(rec.rec_headers.headers)
                http = dict(rec.http_headers.headers) if rec.http_headers else {}
                out.append(
                    (
                        rec.rec_type,
                        {**headers, "file": path.name},
                        (http, rec.http_headers.get_statuscode() if rec.http_headers else None),
                    )
                )
    return out


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    portal = DemoPortal().start()
    data = tmp_path_factory.mktemp("crawl")
    runs = []
    expected = portal.expected()
    try:
        runs.append(cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "auto", *FAST))
        first_records = export(data)
        first_warcs = warc_records(data)
        first_hits = dict(portal.hits)
        log_mark = len(portal.requests_log)
        runs.append(cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST))
        second_records = export(data)
        second_log = portal.requests_log[log_mark:]
        new_url = portal.publish_new_report()
        runs.append(cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST))
        third_records = export(data)
        yield {
            "portal": portal, "expected": expected, "data": data, "runs": runs, "first": first_records,
            "warcs": first_warcs, "hits": first_hits, "second": second_records, "second_log": second_log,
            "third": third_records, "new_url": new_url, "all_warcs": warc_records(data),
        }  # fmt: skip
    finally:
        portal.stop()


def test_crawls_exit_zero(crawled):
    for run in crawled["runs"]:
        assert run.returncode == 0, run.stderr[-3000:]
        assert "Crawl summary" in run.stderr


def _urls(record):
    return {record["page_url"], record["url"], *(s["url"] for s in record.get("sources", []))}


def test_every_report_found_once(crawled):
    expected = crawled["expected"]
    records = crawled["first"]
    found = set().union(*(_urls(r) for r in records))
    reachable = set(expected["report_page_urls"]) | set(expected["js_only_report_urls"])
    assert reachable <= found, sorted(reachable - found)
    assert set(expected["api_only_report_urls"]) <= found  # only the Hanweb list API lists them
    assert set(expected["js_only_report_urls"]) <= found  # only a browser sees them
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    for record in records:
        validate(record)
        assert record["year"] and record["agency"]


def test_decoys_and_scope(crawled):
    expected = crawled["expected"]
    found = set().union(*(_urls(r) for r in crawled["first"]))
    assert not found & set(expected["decoy_urls"]), "look-alikes must not become records"
    hits = crawled["hits"]
    for url in expected["robots_forbidden_urls"]:
        assert hits.get(url.split("/", 3)[3].join(["/", ""]), 0) == 0 and not any(p.startswith("/private/") for p in hits)
    assert not any(p.startswith("offsite:") for p in hits), "an off-site link was followed"
    assert "/robots.txt" in hits


def test_page_and_attachments_are_one_record(crawled):
    by_page = {}
    for record in crawled["first"]:
        for source in record.get("sources", []):
            by_page.setdefault(source["url"], record)
    every_source = set().union(*({s["url"] for s in r.get("sources", [])} for r in crawled["first"]))
    # documents of one page finish in parallel: none may be lost from its record (the corrupt one included)
    assert set(crawled["expected"]["attachment_urls"]) <= every_source
    for report in crawled["expected"]["reports"]:
        if len(report["attachment_urls"]) >= 2 and "corrupt_attachment" not in report["flags"]:
            record = by_page[report["page_url"]]
            urls = {s["url"] for s in record["sources"]}
            assert set(report["attachment_urls"]) | {report["page_url"]} <= urls
            assert record["source_format"] in {"pdf", "docx"}  # the attachment carries the tables
            assert record["published_date"] == report["published_date"]  # the page's date, kept


def test_failures_counted_not_fatal(crawled):
    expected, stderr = crawled["expected"], crawled["runs"][0].stderr
    for url in expected["corrupt_attachment_urls"]:
        assert url in stderr and "unreadable PDF" in stderr
    flaky = expected["flaky_url"]
    assert any(flaky in _urls(r) for r in crawled["first"]), "the flaky page was retried and parsed"
    statuses = [s for kind, h, (http, s) in crawled["warcs"] if kind == "response" and h.get("WARC-Target-URI") == flaky]
    assert statuses.count("500") == 2 and "200" in statuses, "every attempt is archived"


def test_warc_contents(crawled):
    data = crawled["data"]
    for path in (data / "warc").glob("*.warc.gz"):
        check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    records = crawled["warcs"]
    assert records[0][0] == "warcinfo"
    uris = {h.get("WARC-Target-URI") for kind, h, _ in records if kind == "response"}
    base = crawled["expected"]["base_url"]
    assert base + "robots.txt" in uris
    encodings = [http.get("Content-Encoding") for kind, h, (http, _) in records if kind == "response"]
    assert "gzip" in encodings, "compressed pages are archived as sent"
    docx = [http for kind, h, (http, _) in records if kind == "response" and h["WARC-Target-URI"].endswith(".docx")]
    assert docx and any(h.get("Content-Type") == "application/octet-stream" for h in docx), "DOCX as octet-stream, as served"
    assert any(kind == "resource" for kind, _, _ in records), "the rendered DOM is kept"
    requests = [h for kind, h, _ in records if kind == "request"]
    assert requests and all("WARC-Concurrent-To" in h for h in requests)
    assert (data / "warc" / "index.cdxj").read_text().count("\n") >= len(uris)


def test_record_points_at_its_warc_record(crawled):
    data = crawled["data"]
    for record in crawled["first"][:5]:
        warc = record["warc"]
        with (data / "warc" / warc["file"]).open("rb") as fh:
            fh.seek(warc["offset"])
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_type == "response"
            assert rec.rec_headers.get_header("WARC-Target-URI") == record["url"]
            assert rec.rec_headers.get_header("WARC-Record-ID") == warc["record_id"]


def test_second_crawl_is_incremental(crawled):
    first, second = crawled["first"], crawled["second"]
    assert sorted(r["id"] for r in first) == sorted(r["id"] for r in second), "no duplicate, nothing lost"
    conditional = [r for r in crawled["second_log"] if "If-None-Match" in r["headers"] or "If-Modified-Since" in r["headers"]]
    assert len(conditional) >= len(crawled["expected"]["report_page_urls"])
    stderr = crawled["runs"][1].stderr
    assert "reports: 0 new, 0 changed" in stderr
    assert "documents parsed 0," in stderr
    revisits = [h for kind, h, _ in crawled["all_warcs"] if kind == "revisit"]
    assert revisits and all(h.get("WARC-Refers-To") for h in revisits)


def test_third_crawl_picks_up_the_new_report(crawled):
    new = [r for r in crawled["third"] if r["id"] not in {x["id"] for x in crawled["second"]}]
    assert len(new) == 1 and crawled["new_url"] in _urls(new[0])
    assert "reports: 1 new, 0 changed" in crawled["runs"][2].stderr

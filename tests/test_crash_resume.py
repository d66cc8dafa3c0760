"""Crash safety on one machine: torn WARC tails are cut, and a crawl killed with SIGKILL resumes.

The repair tests tear real WARCs (written by our writer) the ways a crash does: inside a
gzip member, inside its header, between a response and its request, and in an
uncompressed file. The end-to-end test kills a real crawl of the demo portal mid-way, tears
the tail of its newest WARC as a crash in the middle of a write would, reruns the same
command and compares with an uninterrupted crawl of the same portal.
"""

from __future__ import annotations

import gzip
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.repair import repair, repair_all, whole_length
from archive.writer import RollingWarcWriter
from crawler.crawl.jobdir import archived_exchanges, job_key, open_job
from crawler.demo.portal import DemoPortal
from tests.conftest import ROOT
from tests.warc_checks import check, check_warcs, export


def _write_warc(directory: Path, n: int, gz: bool = True) -> Path:
    writer = RollingWarcWriter(directory, gzip=gz, hostname="testhost")
    for i in range(n):
        writer.write_response(
            url=f"http://www.example.gov.cn/zfxxgk/{i}.html", method="GET", request_headers=[("User-Agent", "t")],
            request_body=None, protocol="HTTP/1.1", status=200, reason="OK",
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=("<html><title>2023年政府信息公开工作年度报告</title>" + "内容" * (200 + i * 50) + "</html>").encode(),
        )  # fmt: skip
    (path,) = writer.close()
    return path


def _records(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "") for r in ArchiveIterator(fh)]


def _offsets(path: Path) -> list[int]:
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        return [it.offset for _ in it]


def test_whole_file_is_left_alone(tmp_path):
    path = _write_warc(tmp_path, 3)
    size = path.stat().st_size
    assert whole_length(path) == size
    assert repair(path) is None
    assert path.stat().st_size == size


@pytest.mark.parametrize("cut", ["inside the body", "inside the gzip header", "after the response"])
def test_torn_gzip_tail_is_cut_to_the_last_whole_record(tmp_path, caplog, cut):
    path = _write_warc(tmp_path, 4)
    offsets = _offsets(path)  # warcinfo, then response/request pairs
    whole = _records(path)
    last_response, last_request = offsets[-2], offsets[-1]
    data = path.read_bytes()
    if cut == "inside the body":
        torn, keep = data[: last_response + (last_request - last_response) // 2], last_response
    elif cut == "inside the gzip header":
        torn, keep = data[: last_response + 5], last_response
    else:  # the response is whole, its request record torn
        torn, keep = data[: last_request + 30], last_request
    path.write_bytes(torn)
    with caplog.at_level(logging.WARNING, logger="archive.repair"):
        repaired = repair(path)
    assert repaired is not None and repaired.kept == keep and repaired.cut == len(torn) - keep
    assert path.stat().st_size == keep
    assert "torn tail" in caplog.text and path.name in caplog.text
    assert _records(path) == whole[: len(_offsets(path))]
    assert check(path).returncode == 0


def test_torn_plain_warc_and_repair_all(tmp_path):
    plain = _write_warc(tmp_path / "a", 3, gz=False)
    offsets = _offsets(plain)
    plain.write_bytes(plain.read_bytes()[: offsets[-1] + 10])
    other = _write_warc(tmp_path / "b", 2)
    repaired = repair_all([plain, other, tmp_path / "a" / "index.cdxj"])
    assert [r.path for r in repaired] == [plain]
    assert plain.stat().st_size == offsets[-1]
    assert check(plain).returncode == 0 and check(other).returncode == 0


def test_a_file_still_being_written_is_not_cut(tmp_path):
    path = _write_warc(tmp_path, 2)
    data = path.read_bytes()
    path.write_bytes(data + gzip.compress(b"WARC/1.1\r\nContent-Length: 100\r\n\r\n")[:-8])
    assert repair_all([path], quiet_seconds=3600) == []
    assert path.stat().st_size > len(data)
    assert [r.kept for r in repair_all([path])] == [len(data)]


def test_job_is_keyed_by_target_and_remembers_older_warcs(tmp_path):
    warc_dir = tmp_path / "warc"
    old = _write_warc(warc_dir, 1)
    job = open_job(tmp_path, warc_dir, {"start_url": "http://a.gov.cn/"})
    assert not job.resumed and job.warcs() == []
    new = _write_warc(warc_dir, 2)
    again = open_job(tmp_path, warc_dir, {"start_url": "http://a.gov.cn/"})
    assert again.resumed and again.warcs() == [new] and old.name in again.before
    assert job_key({"start_url": "http://b.gov.cn/"}) != job_key({"start_url": "http://a.gov.cn/"})
    again.finish()
    assert not open_job(tmp_path, warc_dir, {"start_url": "http://a.gov.cn/"}).resumed


def test_archived_exchanges_tell_posts_apart_and_skip_retryable(tmp_path):
    writer = RollingWarcWriter(tmp_path, hostname="h")
    common = {"request_headers": [], "protocol": "HTTP/1.1", "reason": "", "response_headers": [("Content-Type", "text/xml")]}
    url = "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1"
    writer.write_response(url=url, method="POST", request_body=b"col=1&columnid=5", status=200, body=b"<a>", **common)
    writer.write_response(url="http://www.example.gov.cn/busy", method="GET", request_body=None, status=503, body=b"", **common)
    writer.write_response(url="http://www.example.gov.cn/ok", method="GET", request_body=None, status=404, body=b"", **common)
    found = archived_exchanges(writer.close(), frozenset({503}))
    keys = {(m, u.rsplit("/", 1)[1]) for m, u, _ in found}
    assert keys == {("POST", "dataproxy.jsp?startrecord=1"), ("GET", "ok")}


# --- a real crawl killed and resumed ---------------------------------------------------------------

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def _crawl_args(portal: DemoPortal, data: Path, delay: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "--start-url", portal.base_url, "--data-dir", str(data),
            "--render", "never", "-s", f"DOWNLOAD_DELAY={delay}", *FAST]  # fmt: skip


def _archived_urls(data: Path) -> set[str]:
    urls = set()
    for path in (data / "warc").glob("*.warc.gz"):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response" and rec.http_headers and int(rec.http_headers.get_statuscode()) < 500:
                    urls.add(rec.rec_headers.get_header("WARC-Target-URI"))
    return urls


def _kill_after(proc: subprocess.Popen[str], portal: DemoPortal, requests: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(portal.requests_log) < requests:
        assert proc.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the crawl and its parser workers, as a machine crash would
    proc.wait(timeout=30)


def test_killed_crawl_resumes_without_refetching_or_losing(tmp_path):
    with DemoPortal(extra_list_pages=12) as portal:
        reference = subprocess.run(
            _crawl_args(portal, tmp_path / "ref", "0"), cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert reference.returncode == 0, reference.stderr[-2000:]
        expected = export(tmp_path / "ref")
        total = len(portal.requests_log)
        del portal.requests_log[:]

        data = tmp_path / "killed"
        proc = subprocess.Popen(
            _crawl_args(portal, data, "0.05"), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True, start_new_session=True,
        )  # fmt: skip
        _kill_after(proc, portal, total // 2)
        assert proc.returncode == -signal.SIGKILL
        assert list((data / "jobs").glob("*.json")), "the job file must survive the kill"
        archived_before = _archived_urls(data)
        assert archived_before, "nothing was archived before the kill"
        # a crash in the middle of a write: the newest WARC ends in part of a record
        newest = max((data / "warc").glob("*.warc.gz"), key=lambda p: p.stat().st_mtime)
        whole = newest.stat().st_size
        with newest.open("ab") as fh:
            torn = b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://x.gov.cn/\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 200"
            fh.write(gzip.compress(torn)[:-12])
        fetched_before = len(portal.requests_log)

        resumed = subprocess.run(_crawl_args(portal, data, "0"), cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        assert "resuming the unfinished crawl" in resumed.stderr
        assert "torn tail" in resumed.stderr and newest.name in resumed.stderr
        assert newest.stat().st_size == whole

        refetched = {e["path"] for e in portal.requests_log[fetched_before:]}
        archived_paths = {"/" + u.split("/", 3)[3] for u in archived_before}
        assert not refetched & archived_paths, sorted(refetched & archived_paths)
        assert refetched, "the resumed crawl fetched nothing new: the kill came too late to test anything"
        assert export(data) == expected
        assert not list((data / "jobs").glob("*.json")), "a finished crawl leaves no job behind"
        check_warcs(data)  # each passes warcio check and is in the index

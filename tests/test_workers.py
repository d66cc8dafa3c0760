"""The parse worker pool: per-document limits, replaced workers, bugs caught at the boundary, Ctrl-C.

The hooks below stand in for a parser gone wrong (the pool takes the function to run;
the crawl takes it as ``-s PARSE_FUNCTION=…``): they are module-level so spawned workers
can import them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from crawler.core.report import try_process
from crawler.core.resource import FetchedResource
from crawler.core.workers import Backlog, Limits, ParsePool
from crawler.demo.portal import DemoPortal
from tests.conftest import FIXTURES, ROOT
from tests.test_crawl_e2e import FAST, export

# -- hooks run in the workers ------------------------------------------------------------


def _marker(resource: FetchedResource) -> str:
    return (resource.url or "").rsplit("/", 1)[-1]


def poison(resource: FetchedResource):
    """A parser that misbehaves on documents named for it, and parses the rest."""
    name = _marker(resource)
    if name.startswith("sleep"):
        time.sleep(60)
    if name.startswith("huge"):
        return ("parsed", {"blob": bytearray(3 * 2**30)}, None, None)  # 3 GB at once
    if name.startswith("grow"):
        chunks = []
        for _ in range(200):  # written, so resident: 50 MB a step up to 10 GB
            chunks.append(b"x" * (50 * 2**20))
    if name.startswith("raise"):
        raise KeyError("a bug the parser let escape")
    if name.startswith("exit"):
        os._exit(1)
    if name.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return try_process(resource)


def hold_then_parse(resource: FetchedResource):
    """Crawl hook: the first document whose URL contains $HOLD_MATCH announces its worker's pid, then waits to be killed."""
    match, claim = os.environ.get("HOLD_MATCH", ""), os.environ.get("HOLD_PIDFILE", "")
    if match and claim and match in (resource.url or ""):
        try:
            fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.write(fd, f"{os.getpid()} {resource.url}".encode())
            os.close(fd)
            time.sleep(60)
    return try_process(resource)


def slow_parse(resource: FetchedResource):
    """Crawl hook: parsing lags far behind fetching; each worker leaves its pid in $SLOW_PIDDIR."""
    piddir = os.environ.get("SLOW_PIDDIR")
    if piddir:
        Path(piddir, str(os.getpid())).touch()
    time.sleep(float(os.environ.get("SLOW_PARSE_SECONDS", "3")))
    return try_process(resource)


# -- the pool on its own -------------------------------------------------------------------

PDF = FIXTURES / "gov2021_merged.pdf"


def _doc(name: str) -> FetchedResource:
    return FetchedResource(body=PDF.read_bytes(), url=f"http://www.example.gov.cn/files/{name}")


@pytest.fixture(scope="module")
def pool():
    p = ParsePool(2, Limits(timeout=4, memory_mb=400), func=poison)
    yield p
    p.terminate()


def _children() -> set[int]:
    return {c.pid for c in psutil.Process().children(recursive=True) if c.is_running() and c.status() != psutil.STATUS_ZOMBIE}


def test_a_good_document_parses(pool):
    outcome, record, error, reason = pool.submit(_doc("report.pdf")).result(timeout=60)
    assert (outcome, error, reason) == ("parsed", None, None)
    assert record["requests"]["rows"]["new"][6] == 59


def test_timeout_kills_the_worker_and_the_rest_goes_on(pool):
    started = time.monotonic()
    slow = pool.submit(_doc("sleep.pdf"))
    good = [pool.submit(_doc(f"report{i}.pdf")) for i in range(3)]
    outcome, _, error, reason = slow.result(timeout=60)
    assert (outcome, reason) == ("failed", "parse/timeout") and "4 s" in error
    assert time.monotonic() - started < 30
    assert [f.result(timeout=60)[0] for f in good] == ["parsed"] * 3


@pytest.mark.parametrize("name", ["huge.pdf", "grow.pdf"])
def test_memory_limit(pool, name):
    outcome, record, error, reason = pool.submit(_doc(name)).result(timeout=60)
    assert (outcome, record, reason) == ("failed", None, "parse/memory") and "400 MB" in error
    assert pool.submit(_doc("after.pdf")).result(timeout=60)[0] == "parsed"  # a fresh worker took over


@pytest.mark.parametrize("name", ["exit.pdf", "segv.pdf"])
def test_a_dying_worker_is_replaced(pool, name):
    outcome, _, error, reason = pool.submit(_doc(name)).result(timeout=60)
    assert (outcome, reason) == ("failed", "parse/worker-died")
    assert ("SIGSEGV" in error) if name.startswith("segv") else ("exit status 1" in error)
    assert pool.submit(_doc("after.pdf")).result(timeout=60)[0] == "parsed"


def test_an_escaping_exception_is_a_bug_not_a_crash(pool, caplog):
    with caplog.at_level(logging.DEBUG, logger="crawler.core.workers"):
        outcome, _, error, reason = pool.submit(_doc("raise.pdf")).result(timeout=60)
    assert (outcome, reason) == ("failed", "parse/bug") and "KeyError" in error
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    assert debug and "Traceback" in debug[0].getMessage()  # the traceback only at DEBUG


def _wait_for_pid(pidfile: Path, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pidfile.exists() and pidfile.read_text():
            return int(pidfile.read_text().split()[0])
        time.sleep(0.1)
    raise AssertionError("no worker announced itself")


def test_kill_9_mid_document(tmp_path, monkeypatch):
    monkeypatch.setenv("HOLD_MATCH", "held.pdf")
    monkeypatch.setenv("HOLD_PIDFILE", str(tmp_path / "pid"))
    pool = ParsePool(1, Limits(timeout=60), func=hold_then_parse)
    try:
        held = pool.submit(_doc("held.pdf"))
        queued = pool.submit(_doc("next.pdf"))
        os.kill(_wait_for_pid(tmp_path / "pid"), signal.SIGKILL)
        outcome, _, error, reason = held.result(timeout=30)
        assert (outcome, reason) == ("failed", "parse/worker-died") and "SIGKILL" in error
        assert queued.result(timeout=60)[0] == "parsed"  # the replacement worker went on
    finally:
        pool.terminate()


def test_terminate_interrupts_what_is_queued():
    pool = ParsePool(1, Limits(timeout=30), func=poison)
    futures = [pool.submit(_doc("sleep.pdf")), pool.submit(_doc("report.pdf"))]
    time.sleep(1)
    started = time.monotonic()
    pool.terminate()
    assert time.monotonic() - started < 15
    assert [f.result(timeout=1)[3] for f in futures] == ["parse/interrupted"] * 2
    assert pool.submit(_doc("late.pdf")).result(timeout=1)[3] == "parse/interrupted"


def test_backlog_bounds_documents_and_bytes_without_deadlock():
    async def scenario() -> list[str]:
        log: list[str] = []
        backlog = Backlog(max_documents=2, max_bytes=100)
        assert await backlog.admit(60)
        waiting = asyncio.ensure_future(backlog.admit(60))  # 120 bytes would not fit
        await asyncio.sleep(0.05)
        log.append(f"waiting={not waiting.done()}")
        await backlog.release(60)
        log.append(f"admitted={await asyncio.wait_for(waiting, 1)}")
        await backlog.release(60)
        # a body larger than the whole bound still gets in when nothing else is queued
        log.append(f"big={await asyncio.wait_for(backlog.admit(1000), 1)}")
        blocked = asyncio.ensure_future(backlog.admit(1))
        await asyncio.sleep(0.05)
        await backlog.close()
        log.append(f"closed={await asyncio.wait_for(blocked, 1)}")
        return log

    assert asyncio.run(scenario()) == ["waiting=True", "admitted=True", "big=True", "closed=False"]


# -- the crawl: a killed worker, Ctrl-C ---------------------------------------------------------

CRAWL = ["--render", "never", *FAST, "-s", "PARSE_WORKERS=1"]


def _crawl(portal: DemoPortal, data: Path, *extra: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "--start-url", portal.base_url, "--data-dir", str(data), *CRAWL, *extra],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_crawl_replaces_a_worker_killed_mid_document(tmp_path):
    pidfile = tmp_path / "held"
    with DemoPortal() as portal:
        expected = portal.expected()
        proc = _crawl(portal, tmp_path / "data", "-s", "PARSE_FUNCTION=tests.test_workers.hold_then_parse",
                      env={"HOLD_MATCH": ".docx", "HOLD_PIDFILE": str(pidfile)})  # fmt: skip
        try:
            os.kill(_wait_for_pid(pidfile, timeout=120), signal.SIGKILL)
            _, stderr = proc.communicate(timeout=240)
        finally:
            proc.kill()
    held_url = pidfile.read_text().split()[1]
    assert proc.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    listed = [line for line in stderr.splitlines() if line.strip().startswith(held_url)]
    assert listed and "the parser's worker process died (signal SIGKILL)" in listed[0], stderr[-3000:]
    records = export(tmp_path / "data")
    found = {u for r in records for u in (r["page_url"], r["url"], *(s["url"] for s in r.get("sources", [])))}
    held_page = next(r["page_url"] for r in expected["reports"] if held_url in r["attachment_urls"])
    # every other report was fetched and parsed after the worker died
    assert set(expected["report_page_urls"]) - {held_page} <= found


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


def _interrupt(tmp_path: Path, grace: str, signals: int) -> tuple[subprocess.Popen[str], str, float, list[int]]:
    piddir = tmp_path / "pids"
    piddir.mkdir()
    with DemoPortal() as portal:
        proc = _crawl(portal, tmp_path / "data", "-s", "PARSE_FUNCTION=tests.test_workers.slow_parse",
                      "-s", f"PARSE_SHUTDOWN_GRACE={grace}", env={"SLOW_PARSE_SECONDS": "30", "SLOW_PIDDIR": str(piddir)})  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not any(piddir.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.2)  # a document is in a worker, more are queued behind it
            assert any(piddir.iterdir()), "no document reached a worker"
            time.sleep(1)
            started = time.monotonic()
            for _ in range(signals):
                proc.send_signal(signal.SIGINT)
                time.sleep(0.5)
            _, stderr = proc.communicate(timeout=60)
            took = time.monotonic() - started
        finally:
            proc.kill()
    return proc, stderr, took, [int(p.name) for p in piddir.iterdir()]


def _warcs_check(data: Path) -> None:
    warcs = sorted((data / "warc").glob("*.warc.gz"))
    assert warcs
    for path in warcs:
        check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_ctrl_c_stops_the_crawl_within_seconds(tmp_path):
    proc, stderr, took, workers = _interrupt(tmp_path, grace="2", signals=1)
    assert took < 12, f"the first Ctrl-C took {took:.1f} s"
    assert proc.returncode == 130 and "interrupted" in stderr, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "not parsed: stopped before its turn" in stderr  # the documents in and before the workers, listed
    time.sleep(1)
    assert not _alive(workers), "a parser worker outlived the crawl"
    _warcs_check(tmp_path / "data")


def test_a_second_ctrl_c_stops_at_once(tmp_path):
    proc, stderr, took, workers = _interrupt(tmp_path, grace="60", signals=2)
    assert took < 8, f"two Ctrl-C took {took:.1f} s"  # the 60 s grace is not waited for
    assert proc.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr and "not parsed: stopped before its turn" in stderr
    time.sleep(1)
    assert not _alive(workers)
    _warcs_check(tmp_path / "data")

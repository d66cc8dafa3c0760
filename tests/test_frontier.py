"""The shared frontier on Redis: two crawler processes, one crawl, politeness across both.

The demo portal is served on two loopback hosts (127.0.0.2 and 127.0.0.3, one region with two
portals), each answering a little slowly and counting the requests it is serving at once
(:mod:`crawler.demo.inflight`). Two workers sharing Redis (db 13, flushed per test) and one
SQLite store crawl it; a third run crawls it alone without Redis. The tests compare the three
as a user would: the peak of requests in flight per host, the URLs fetched, the records
exported, ``warcio check``. Nothing here waits a fixed time: the tests wait for what they can
observe (workers registered in Redis, pages served, records in a WARC), under a deadline.
"""

from __future__ import annotations

import collections
import contextlib
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.repair import whole_length
from crawler.demo.inflight import HostFarm
from tests.conftest import ROOT
from tests.warc_checks import check_warcs, export, stable, warcs

redis = pytest.importorskip("redis")

REDIS_URL = os.environ.get("GOVREPORTS_TEST_REDIS", "redis://127.0.0.1:6379/13")
LATENCY = 0.03  # seconds a host takes to answer: long enough for requests to overlap
DEADLINE = 600.0  # seconds: only a stuck crawl takes this long, however loaded the machine


@pytest.fixture(scope="module")
def portal():
    with HostFarm(("127.0.0.2", "127.0.0.3"), "127.0.0.4", latency=LATENCY) as farm:
        yield farm


@pytest.fixture
def frontier():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def _registry(portal: HostFarm, tmp: Path) -> Path:
    path = tmp / "regions.json"
    portals = [
        {"name": f"示范县{i}人民政府", "url": url, "family": "trs", "report_columns": []}
        for i, url in enumerate(portal.base_urls)
    ]
    path.write_text(json.dumps({"schema": 1, "note": "test", "regions": [
        {"path": "演示省/示范市/示范县", "province": "演示省", "city": "示范市", "county": "示范县", "level": "county",
         "portals": portals},
    ]}, ensure_ascii=False), "utf-8")  # fmt: skip
    return path


def _args(registry: Path, data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "--region", "演示省/示范市/示范县", "--registry", str(registry),
            "--data-dir", str(data), "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
            "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "FRONTIER_HOST_DELAY=0.01", "-s", "FRONTIER_HEARTBEAT=0.5",
            "-s", "FRONTIER_WORKER_TTL=3", *extra]  # fmt: skip


class Worker:
    """One ``crawl --frontier`` process; its log goes to a file (a pipe nobody reads would stall it when full)."""

    def __init__(self, registry: Path, data: Path, url: str, *extra: str) -> None:
        data.mkdir(parents=True, exist_ok=True)
        self.log = data / f"worker-{time.monotonic_ns()}.log"
        with self.log.open("w") as err:
            self.proc = subprocess.Popen(
                _args(registry, data, "--frontier", url, *extra), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err,
                text=True, start_new_session=True,
            )  # fmt: skip
        self.pid = self.proc.pid

    def finish(self, timeout: float = DEADLINE) -> str:
        """Wait for the worker to end; its log. A worker still running at the deadline is killed."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
            raise
        return self.log.read_text(encoding="utf-8", errors="replace")


def _worker(registry: Path, data: Path, url: str, *extra: str) -> Worker:
    return Worker(registry, data, url, *extra)


def _start_together(portal: HostFarm, frontier: str, registry: Path, data: Path, n: int = 2) -> list[Worker]:
    """``n`` workers of one crawl; the portal answers nobody until all are registered in Redis, so that
    none does the whole crawl while another is still starting (a loaded machine starts them seconds apart)."""
    client = redis.Redis.from_url(frontier)
    portal.gate.clear()
    try:
        workers = [_worker(registry, data, frontier) for _ in range(n)]
        _wait(lambda: _registered(client) == n, workers, f"{n} workers registered in Redis")
    finally:
        portal.gate.set()
    return workers


def _wait(condition: Callable[[], bool], workers: list[Worker], what: str, timeout: float = DEADLINE) -> None:
    """Until ``condition()`` holds; fails at once if a worker ends meanwhile, or at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        for w in workers:
            assert w.proc.poll() is None, f"a worker ended before {what}: {w.log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} after {timeout:.0f} s"
        time.sleep(0.02)


# Both hosts serve the same demo documents, so each report is reached from two pages (one per host) and is
# one record listing both in ``sources``, whichever worker stored which page first.
def _record(record: dict[str, Any]) -> dict[str, Any]:
    out = stable(record)
    out["sources"] = sorted(out.get("sources", []), key=lambda s: s["url"])
    return out


def _export(data: Path) -> dict[str, Any]:
    return export(data, _record)


def _same_records(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """The records equal the single process's; else which ones differ, and in which fields, with their sources."""
    if got == expected:
        return
    lines = [f"only here: {sorted(set(got) - set(expected))}", f"missing: {sorted(set(expected) - set(got))}"]
    for rid in sorted(set(got) - set(expected)):
        lines.append(f"  {rid} (extra): {json.dumps(got[rid].get('sources'), ensure_ascii=False)[:800]}")
    for rid in sorted(set(got) & set(expected)):
        if got[rid] != expected[rid]:
            fields = sorted(k for k in set(got[rid]) | set(expected[rid]) if got[rid].get(k) != expected[rid].get(k))
            lines.append(f"  {rid} differs in {fields}")
            for k in fields[:4]:
                lines.append(f"    {k}: {json.dumps(got[rid].get(k), ensure_ascii=False)[:3000]}")
                lines.append(f"    != {json.dumps(expected[rid].get(k), ensure_ascii=False)[:3000]}")
    pytest.fail("\n".join(lines))


@pytest.fixture(scope="module")
def single(portal, tmp_path_factory):
    """The same crawl by one process without Redis: what the workers together must equal."""
    tmp = tmp_path_factory.mktemp("single")
    registry = _registry(portal, tmp)
    portal.reset()
    proc = subprocess.run(_args(registry, tmp / "data"), cwd=ROOT, capture_output=True, text=True, timeout=DEADLINE)
    assert proc.returncode == 0, proc.stderr[-3000:]
    hits = collections.Counter(e["path"] for e in portal.requests_log)
    return {"records": _export(tmp / "data"), "hits": hits, "registry": registry}


def _hits(portal: HostFarm) -> collections.Counter[str]:
    return collections.Counter(e["path"] for e in portal.requests_log)


def _fetched_once(hits: collections.Counter[str], reference: collections.Counter[str], workers: int) -> None:
    """Every URL the single process fetched, and no more often (its retries of a flaky page aside).

    Each worker reads a host's robots.txt itself (Scrapy's robots middleware is per process).
    """
    assert set(hits) == set(reference), sorted(set(hits) ^ set(reference))
    for path, n in hits.items():
        limit = workers if path.endswith("/robots.txt") else reference[path]
        assert n <= limit, f"{path} fetched {n} times"


def _check_warcs(data: Path) -> None:
    check_warcs(data)


def _written_by(data: Path, pid: int) -> list[Path]:
    # govreports-<worker id>-<timestamp>-<serial>-<host>.warc.gz, a worker id being <host>-<pid>-<hex>
    return [p for p in warcs(data) if f"-{pid}-" in p.name]


def _responses(paths: list[Path]) -> int:
    """Whole response records in WARCs still being written (a record in the middle of its write is not counted)."""
    n = 0
    for path in paths:
        with path.open("rb") as fh, contextlib.suppress(Exception):  # the tail being written ends the count
            for record in ArchiveIterator(fh):
                n += record.rec_type == "response"
    return n


def _registered(client: Any) -> int:
    """Workers registered (heartbeat written) in any crawl of the frontier."""
    return sum(int(client.hlen(k)) for k in client.scan_iter(match="govreports:*:workers"))


def test_two_workers_share_one_crawl_politely(portal, single, frontier, tmp_path):
    assert single["hits"], "the single-process crawl fetched nothing"
    portal.reset()
    data = tmp_path / "data"
    workers = _start_together(portal, frontier, single["registry"], data)
    logs = [w.finish() for w in workers]
    for w, log in zip(workers, logs):
        assert w.proc.returncode == 0, log[-3000:]
    assert set(portal.peak) >= {"127.0.0.2", "127.0.0.3"}
    assert max(portal.peak.values()) <= 2, dict(portal.peak)
    _fetched_once(_hits(portal), single["hits"], workers=2)
    _same_records(_export(data), single["records"])
    assert all(_written_by(data, w.pid) for w in workers), "each worker writes its own WARCs, its id in their names"
    _check_warcs(data)
    status = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--frontier", frontier, "--status"], cwd=ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert "[finished]" in status.stdout and "0 requests pending" in status.stdout
    # the crawl's books are the sum of the workers' own, and balance: printed by the last worker and by --status
    own = [_equation(log, "  books: ") for log in logs]
    assert all(b and b[-1] == "balanced" for b in own), own
    total = [sum(column) for column in zip(*(b[:-1] for b in own))]
    assert total[0] > 0 and total[2] > 0, "the workers discovered and stored something"
    whole = [b for log in logs if (b := _equation(log, "  crawl books (2 workers): "))]
    assert whole, "no worker printed the crawl's books: " + logs[0][-1500:] + logs[1][-1500:]
    assert all(b == [*total, "balanced"] for b in whole), (whole, own)
    assert _equation(status.stdout, "  crawl books (2 workers): ") == [*total, "balanced"], status.stdout


_EQUATION = re.compile(
    r"(\d+) discovered = (\d+) read \+ (\d+) stored \+ (\d+) refused \+ (\d+) failed \+ (\d+) skipped \((balanced|OFF BY -?\d+)\)"
)


def _equation(text: str, prefix: str) -> list[Any]:
    """The books' equation printed after ``prefix`` (the last one): its six numbers and whether it balances."""
    found = [m for line in text.splitlines() if line.startswith(prefix) and (m := _EQUATION.search(line))]
    if not found:
        return []
    *numbers, verdict = found[-1].groups()
    return [*map(int, numbers), verdict]


def test_a_killed_worker_is_taken_over(portal, single, frontier, tmp_path):
    portal.reset()
    data = tmp_path / "data"
    doomed, survivor = _start_together(portal, frontier, single["registry"], data)
    total = sum(single["hits"].values())
    _wait(
        lambda: portal.served() >= total // 3 and _responses(_written_by(data, doomed.pid)) >= 2,
        [doomed, survivor], "third of the crawl served with the doomed worker's responses archived",
    )  # fmt: skip
    # frozen first, so that it writes nothing more; then, as if it died in the middle of a write, its newest
    # WARC gets part of a record; then killed, with its parser processes (its process group)
    os.killpg(doomed.pid, signal.SIGSTOP)
    newest = max(_written_by(data, doomed.pid), key=lambda p: p.stat().st_mtime)
    whole = whole_length(newest)  # it may have been stopped in the middle of a record already
    with newest.open("ab") as fh:
        fh.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 900\r\n\r\nHTTP/1.1 200 OK\r\n")[:-10])
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.proc.wait(timeout=60)
    err = survivor.finish()
    assert survivor.proc.returncode == 0, err[-3000:]
    assert "stopped answering" in err, err[-3000:]
    assert "torn tail" in err and newest.name in err, err[-3000:]
    assert newest.stat().st_size == whole
    _same_records(_export(data), single["records"])
    _check_warcs(data)
    fetched = _hits(portal)
    assert set(fetched) == set(single["hits"]), "every URL of the crawl was fetched"
    assert max(portal.peak.values()) <= 2, dict(portal.peak)


def test_a_worker_taken_over_while_alive_gets_nothing_more(frontier):
    """A worker only silent (stalled, not dead) and taken over must not go on: its requests are another's now."""
    from crawler.crawl.frontier.state import Frontier, Limits, TakenOver

    server = redis.Redis.from_url(frontier)
    limits = Limits(host_delay=0.0)
    slow, other = (Frontier(server, "t", "crawl-x", name, limits) for name in ("slow", "other"))
    slow.heartbeat({"pages": 0})
    other.heartbeat({"pages": 0})
    for i in range(3):
        other.push("h.example", f"request {i}".encode())
    token, host, data = slow.pop()  # type: ignore[misc]
    assert (host, data) == ("h.example", b"request 0") and slow.acquire(host, token)
    taken = other.claim("slow")
    assert taken == [(token, b"request 0")]
    assert other.claim("slow") == [], "a worker is taken over once"
    for t, d in taken:
        other.requeue(t, host, d)
    with pytest.raises(TakenOver):
        slow.heartbeat({"pages": 1})
    assert slow.pop() == -2.0, "a worker taken over is handed nothing more"
    assert set(other.workers()) == {"other"}, "and is not written back among the living"
    assert not server.zrange("govreports:crawl-x:lease:h.example", 0, -1), "its lease was let go"
    assert other.pending() == 3


def test_a_url_is_seen_exactly_when_it_is_queued(frontier):
    """A worker dying while it queues a link must not leave the URL marked seen and queued nowhere.

    (Seen-then-push in two steps lost a report's attachment when a worker was killed between them: the
    page, taken over and fetched again, found its attachment already "seen".)"""
    from scrapy import Request, Spider
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler

    from crawler.crawl.frontier import configure
    from crawler.crawl.frontier.worker import frontier_of

    settings = Settings()
    crawl = configure(settings, frontier, {"name": "seen-test"}, crawl_id="crawl-seen")
    mine = {k: v for k, v in settings.items() if settings.getpriority(k) == settings.getpriority("FRONTIER_URL")}
    crawler = get_crawler(Spider, mine)
    spider = Spider.from_crawler(crawler, "seen-test")
    scheduler = load_object(crawler.settings["SCHEDULER"]).from_crawler(crawler)
    scheduler.open(spider)
    server = redis.Redis.from_url(frontier)
    seen = f"govreports:{crawl}:dupefilter"
    state = frontier_of(crawler)

    def dies(*_args, **_kwargs):
        raise redis.ConnectionError("the worker died here")

    attachment = Request("http://127.0.0.2/zfxxgknb/202301/P020230118.pdf")
    push, state._push = state._push, dies
    with pytest.raises(redis.ConnectionError):
        scheduler.enqueue_request(attachment)
    state._push = push
    assert server.scard(seen) == 0, "not queued, so not seen"
    # the page is fetched again by another worker: its link is queued this time, once
    assert scheduler.enqueue_request(attachment.replace()) is True
    assert scheduler.enqueue_request(attachment.replace()) is False, "then it is seen"
    assert server.scard(seen) == 1 and state.pending() == 1
    retry = attachment.replace(dont_filter=True)  # a retry is queued again without asking the seen-set
    assert scheduler.enqueue_request(retry) is True and state.pending() == 2
    _token, host, data = state.pop()  # type: ignore[misc]
    assert host == "127.0.0.2" and b"P020230118.pdf" in data


def test_status_without_frontier_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--status"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "--status needs --frontier" in proc.stderr and "Traceback" not in proc.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--frontier", "redis://127.0.0.1:1/0", "--status"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode == 2 and "cannot reach the frontier" in bad.stderr and "Traceback" not in bad.stderr


def test_books_kept_in_redis_settle_as_in_memory(frontier):
    """A worker's books entries in Redis give the same books as in the process, event for event."""
    from crawler.crawl.books import Books
    from crawler.crawl.frontier.entries import RedisEntries

    server = redis.Redis.from_url(frontier)
    in_memory, in_redis = Books(), Books(RedisEntries(server, "govreports:test:books:urls:w"))
    events = [
        ("discover", "http://a.gov.cn/", "list"),
        ("settle", "http://a.gov.cn/", "read", "", ""),
        ("settle", "http://a.gov.cn/", "failed", "browser render timed out", "3 s"),  # a failure overrides read
        ("settle", "http://a.gov.cn/", "skipped", "duplicate", ""),  # the first outcome stands otherwise
        ("discover", "http://a.gov.cn/r.html", "report"),
        ("discover", "http://a.gov.cn/r.html", "list"),  # discovered once
        ("document", "http://a.gov.cn/r.html", "http://a.gov.cn/r2.html"),
        ("settle", "http://x.com/", "skipped", "off-site link", "", "link"),
        ("discover", "http://a.gov.cn/never.html", "list"),
    ]
    for name, *args in events:
        for books in (in_memory, in_redis):
            if name == "settle" and len(args) == 5:
                getattr(books, name)(*args[:4], kind=args[4])
            else:
                getattr(books, name)(*args)
    assert dict(in_redis.entries.items()) == in_memory.entries
    assert len(in_redis.entries) == 4 and "http://x.com/" in in_redis.entries
    assert in_redis.state("http://a.gov.cn/") == "failed" and in_redis.state("http://a.gov.cn/r.html") == "document"
    in_redis.entries.drop(["http://a.gov.cn/never.html"])  # type: ignore[attr-defined]
    assert "http://a.gov.cn/never.html" not in in_redis.entries and len(in_redis.entries) == 3

"""End-to-end: crawl the hostile portal (crawler/demo/faults.py) as a user would, as a subprocess.

The crawl must end by itself in bounded time with every genuine report stored, every trap
listed as a failure or a skip with its reason, books that balance, the process tree under
1 GB (Chromium aside), WARCs that pass ``warcio check``, and a rebuild from those WARCs that
gives the same records (ids and page URLs).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from crawler.crawl import settings
from crawler.demo.faults import FaultPortal
from tests.conftest import ROOT

CHROMIUM = Path(settings.CHROMIUM)
FAST = [
    *("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05"),
    *("-s", "DOWNLOAD_TIMEOUT=4", "-s", "RETRY_TIMES=1", "-s", "PROGRESS_INTERVAL=2"),
    # the 200 MiB bodies must be cut: a small limit keeps the run short
    *("-s", f"DOWNLOAD_MAXSIZE={8 * 2**20}", "-s", "RENDER_SETTLE_TIMEOUT=8"),
]
LIMIT_S = 150
MEMORY_LIMIT = 2**30


def cli(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _tree_rss(proc: psutil.Process) -> int:
    """RSS of the crawl and its children (parser workers), the browser's processes left out."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            name = p.name().lower()
            if "chrom" in name or "headless" in name:
                continue
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def crawl(portal: FaultPortal, data: Path, render: str) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        "--start-url",
        portal.base_url,
        "--data-dir",
        str(data),
        "--render",
        render,
        *FAST,
    ]
    log = data.parent / f"{data.name}.log"
    with log.open("w") as err:
        popen = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        proc, peak, started = psutil.Process(popen.pid), 0, time.monotonic()
        while popen.poll() is None:
            if time.monotonic() - started > LIMIT_S:
                popen.kill()
                pytest.fail(f"the crawl did not finish within {LIMIT_S} s")
            peak = max(peak, _tree_rss(proc))
            time.sleep(0.2)
    return {"returncode": popen.returncode, "stderr": log.read_text(), "seconds": time.monotonic() - started, "peak": peak}


def export(data: Path) -> list[dict[str, Any]]:
    proc = cli("export", "--format", "jsonl", "--data-dir", str(data))
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def books_of(stderr: str) -> dict[str, Any]:
    """The summary's books: the equation's numbers and every listed URL with its reason."""
    m = re.search(
        r"books: (\d+) discovered = (\d+) read \+ (\d+) stored \+ (\d+) refused \+ (\d+) failed \+ (\d+) skipped \((\w+)", stderr
    )
    assert m, stderr[-3000:]
    listed: dict[str, str] = {}
    for line in stderr.splitlines():
        hit = re.match(r"    (\S+) \[(\w+)\] (.+)$", line)
        if hit:
            listed[hit.group(1)] = hit.group(3)
    nums = [int(g) for g in m.groups()[:6]]
    return {"discovered": nums[0], "parts": nums[1:], "verdict": m.group(7), "listed": listed}


@pytest.fixture(scope="module")
def never(tmp_path_factory: pytest.TempPathFactory) -> Any:
    portal = FaultPortal().start()
    data = tmp_path_factory.mktemp("faults") / "never"
    try:
        run = crawl(portal, data, "never")
        yield {"portal": portal, "expected": portal.expected(), "data": data, "run": run, "records": export(data)}
    finally:
        portal.stop()


def test_crawl_finishes_by_itself(never: dict[str, Any]) -> None:
    run = never["run"]
    assert run["returncode"] == 0, run["stderr"][-3000:]
    assert "Crawl summary" in run["stderr"] and "finished: finished" in run["stderr"]
    assert "Traceback" not in run["stderr"], run["stderr"][-3000:]


def test_every_genuine_report_is_stored(never: dict[str, Any]) -> None:
    genuine = never["expected"]["genuine"]
    by_page = {r["page_url"]: r for r in never["records"]}
    assert set(genuine) <= set(by_page), sorted(set(genuine) - set(by_page))
    for url, truth in genuine.items():
        assert (by_page[url]["agency"], by_page[url]["year"]) == (truth["agency"], truth["year"]), url
    # canonical URLs everywhere: no fragment, no raw space or Chinese, no backslash
    for record in never["records"]:
        for url in [record["page_url"], record["url"], *(s["url"] for s in record.get("sources", []))]:
            assert not re.search(r"[#\s\\\u4e00-\u9fff]", url), url
    assert set(never["expected"]["attachments"]) <= {s["url"] for r in never["records"] for s in r.get("sources", [])}


def test_every_trap_is_listed_with_its_reason(never: dict[str, Any]) -> None:
    listed = books_of(never["run"]["stderr"])["listed"]
    for url, (state, reason) in never["expected"]["traps"].items():
        if state == "refused|failed":
            continue  # read and judged by the parser: either outcome is honest
        assert url in listed, f"{url} ({reason}) is not in the summary"
        assert listed[url].startswith(reason), (url, listed[url])
    # the endless calendar is a list whose pages never give a report: stopped as stale, not by depth
    calendar = [u for u, why in listed.items() if u.startswith(never["expected"]["calendar_prefix"])]
    assert calendar and all(listed[u].startswith("stale list") for u in calendar)
    fetched = [k for k in never["portal"].hits if k.startswith("main:/xxgk/calendar/")]
    assert 1 <= len(fetched) <= 5, sorted(fetched)  # LIST_STALE_PAGES = 5


def test_books_balance(never: dict[str, Any]) -> None:
    books = books_of(never["run"]["stderr"])
    assert books["verdict"] == "balanced"
    assert books["discovered"] == sum(books["parts"]) > len(never["expected"]["genuine"])
    _read, stored, _refused, failed, skipped = books["parts"]
    assert stored >= len(never["expected"]["genuine"]) and failed >= 8 and skipped >= 3
    assert failed + skipped == len(books["listed"])


def test_offsite_redirect_fetches_nothing_of_the_other_host(never: dict[str, Any]) -> None:
    hits = never["portal"].hits
    assert hits["main:/xxgk/moved.html"] >= 1
    assert not any(key.startswith("offsite:") for key in hits), sorted(hits)


def test_429_is_retried_after_retry_after(never: dict[str, Any]) -> None:
    times = never["portal"].times["main:" + never["portal"].site.genuine[3].path]
    assert len(times) == 2, times
    assert times[1] - times[0] >= 0.95  # Retry-After: 1, although the backoff alone would be 0.05 s


def test_memory_stays_bounded(never: dict[str, Any]) -> None:
    assert 0 < never["run"]["peak"] < MEMORY_LIMIT


def test_stats_lists_failures_and_skips(never: dict[str, Any]) -> None:
    proc = cli("stats", "--format", "json", "--data-dir", str(never["data"]))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    failed = {f["url"]: f["error"] for f in data["parse_failures"]}
    skipped = {s["url"]: s["reason"] for s in data["skipped"]}
    for url, (state, reason) in never["expected"]["traps"].items():
        if state == "failed":
            assert url in failed and reason.split()[0] in failed[url] + reason, url
        elif state == "skipped":
            assert url in skipped and skipped[url].startswith(reason), url


def test_warcs_pass_warcio_check(never: dict[str, Any]) -> None:
    warcs = sorted((never["data"] / "warc").glob("*.warc.gz"))
    assert warcs
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", *map(str, warcs)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rebuild_gives_the_same_records(never: dict[str, Any], tmp_path: Path) -> None:
    proc = cli("rebuild", str(never["data"] / "warc"), "--data-dir", str(tmp_path / "rebuilt"), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    crawled = {(r["id"], r["page_url"]) for r in never["records"]}
    rebuilt = {(r["id"], r["page_url"]) for r in export(tmp_path / "rebuilt")}
    assert crawled and rebuilt == crawled


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not at /usr/bin/chromium (apt install chromium)")
def test_render_auto_keeps_the_polling_list(tmp_path: Path) -> None:
    with FaultPortal() as portal:
        run = crawl(portal, tmp_path / "auto", "auto")
        expected = portal.expected()
    assert run["returncode"] == 0, run["stderr"][-3000:]
    books = books_of(run["stderr"])
    assert books["verdict"] == "balanced"
    pages = {r["page_url"] for r in export(tmp_path / "auto")}
    # the list that polls every 300 ms never lets the network go idle; its report is still found
    assert set(expected["js_only"]) <= pages, run["stderr"][-3000:]
    assert set(expected["genuine"]) <= pages
    assert run["peak"] < MEMORY_LIMIT

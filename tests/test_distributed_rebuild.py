"""The rebuild on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on loopback.

The WARCs come from a crawl of the demo portal. The cluster rebuild must store what the
local rebuild stores, record for record; a document whose parser raises is listed and the
rest stored; a document that kills its worker is retried, then listed, and the run goes on.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.core.report import try_process
from crawler.core.resource import FetchedResource
from crawler.demo.portal import DemoPortal
from crawler.rebuild.distributed import rebuild_on_dask
from crawler.registry.regions import load_registry
from crawler.store.database import Store
from tests.conftest import ROOT

pytest.importorskip("distributed")
DASK = Path(sys.executable).parent / "dask"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05"]
_VOLATILE = {"checked_at", "first_seen", "updated_at"}
POISON = "P020240126391742865210.docx"  # an attachment of the demo portal with tables: its record changes without it


def raising_parse(resource: FetchedResource) -> Any:
    """A parser with a bug that only one document triggers (shipped to the workers by reference)."""
    if resource.url.endswith(POISON):
        raise RuntimeError("a parser bug met in the wild")
    return try_process(resource)


def crashing_parse(resource: FetchedResource) -> Any:
    """One document takes its worker process down with it (a segfault in a C library, say)."""
    if resource.url.endswith(POISON):
        os._exit(3)
    return try_process(resource)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def warcs(tmp_path_factory):
    data = tmp_path_factory.mktemp("crawl")
    with DemoPortal() as portal:
        proc = _cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return data / "warc"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real scheduler and two single-threaded workers, as `dask scheduler` / `dask worker` are run by hand."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    logs = tmp_path_factory.mktemp("dask")
    commands = [[str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]] + [
        [str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"]
    ] * 2
    procs = []
    for i, command in enumerate(commands):
        with (logs / f"{i}.log").open("w") as log:
            procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log))
    from distributed import Client

    deadline = time.monotonic() + 90
    while True:
        try:
            with Client(address, timeout=5) as client:
                if len(client.scheduler_info()["workers"]) >= 2:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            for proc in procs:
                proc.kill()
            pytest.fail("the Dask cluster did not come up: " + "".join(p.read_text()[-800:] for p in logs.glob("*.log")))
        time.sleep(0.5)
    yield address
    for proc in reversed(procs):
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _export(data: Path) -> dict[str, Any]:
    proc = _cli("export", "--format", "jsonl", "--data-dir", str(data))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert records, "nothing stored"
    return {r["id"]: {k: v for k, v in r.items() if k not in _VOLATILE} for r in records}


@pytest.fixture(scope="module")
def local(warcs, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    proc = _cli("rebuild", str(warcs), "--data-dir", str(out), "--workers", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return _export(out)


def test_cluster_rebuild_equals_the_local_one(warcs, cluster, local, tmp_path):
    proc = _cli("rebuild", str(warcs), "--data-dir", str(tmp_path), "--scheduler", cluster)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Rebuild summary" in proc.stderr
    assert _export(tmp_path) == local
    # twice: the upserts are idempotent, nothing doubles
    again = _cli("rebuild", str(warcs), "--data-dir", str(tmp_path), "--scheduler", cluster)
    assert again.returncode == 0, again.stderr[-3000:]
    assert _export(tmp_path) == local


def _python_rebuild(warcs: Path, tmp_path: Path, cluster: str, parse: Any) -> tuple[Any, dict[str, Any]]:
    store = Store(f"sqlite:///{tmp_path / 'records.sqlite'}")
    try:
        summary = rebuild_on_dask([warcs], store, load_registry(None), cluster, parse=parse, retries=1)
    finally:
        store.close()
    return summary, _export(tmp_path)


def _without_poison(records: dict[str, Any]) -> dict[str, Any]:
    return {k: r for k, r in records.items() if not any(s["url"].endswith(POISON) for s in r.get("sources", []))}


def test_a_parser_bug_costs_one_document(warcs, cluster, local, tmp_path):
    summary, records = _python_rebuild(warcs, tmp_path, cluster, raising_parse)
    bugs = [f for f in summary.failures if f["reason"] == "parse/bug"]
    assert [f["url"].rsplit("/", 1)[1] for f in bugs] == [POISON]
    assert "a parser bug met in the wild" in bugs[0]["error"]
    assert _without_poison(records) == _without_poison(local)
    assert len(records) == len(local), "the poisoned document's report is still stored from its other documents"


def test_a_document_that_kills_its_worker_is_retried_then_listed(warcs, cluster, local, tmp_path):
    summary, records = _python_rebuild(warcs, tmp_path, cluster, crashing_parse)
    died = [f for f in summary.failures if f["reason"] == "rebuild/worker-died"]
    assert any(f["url"].endswith(POISON) for f in died), summary.failures
    assert _without_poison(records) == _without_poison(local)


def test_unreachable_scheduler_is_one_line(warcs, tmp_path):
    proc = _cli("rebuild", str(warcs), "--data-dir", str(tmp_path), "--scheduler", f"tcp://127.0.0.1:{_free_port()}")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "cannot reach the Dask scheduler" in proc.stderr and "Traceback" not in proc.stderr

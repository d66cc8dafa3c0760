"""Replay: pywb, started on loopback over a crawl's WARCs, gives the archived bytes back.

The demo portal is crawled into a temporary data directory; ``scripts/replay.sh`` serves its
``warc/`` in place (collection ``govreports``, through the crawl's own ``index.cdxj``) and a
``wb-manager`` collection (``copied``: the WARCs copied and indexed by pywb itself) is served
beside it. Report pages and attachments fetched in identity mode (``id_``) must equal, byte
for byte, what the still-running portal serves; the rewriting mode must show the page. After
an incremental crawl (304 answers archived as revisits) the latest capture must still be the
page, not an empty 304. pywb lives in ``.venv-pywb`` (``scripts/setup.sh``); the tests are
skipped only when it is not installed there.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from crawler.demo.portal import DemoPortal
from tests.conftest import ROOT

PYWB_BIN = Path(os.environ.get("PYWB_BIN", ROOT / ".venv-pywb" / "bin"))
FAST = ["--render", "never", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05"]
COLLECTIONS = ("govreports", "copied")
# No proxy from the environment: everything here is on 127.0.0.1.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _pywb_version() -> str:
    wayback = PYWB_BIN / "wayback"
    if not wayback.exists():
        pytest.skip(f"pywb is not installed: no {wayback} (scripts/setup.sh installs it into .venv-pywb from PyPI)")
    proc = subprocess.run([str(wayback), "--version"], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.skip(f"pywb cannot be imported from {PYWB_BIN}: {(proc.stderr or proc.stdout).strip()[-500:]}")
    return proc.stdout.strip()


def fetch(url: str, accept_encoding: str = "identity") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding})
    try:
        with OPENER.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


def crawl(base_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--start-url", base_url, "--data-dir", str(data_dir), *FAST],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def captures(data_dir: Path) -> dict[str, list[dict[str, str]]]:
    """The crawl's own CDXJ index: URL → its captures (timestamp, status, mime), oldest first."""
    out: dict[str, list[dict[str, str]]] = {}
    for line in (data_dir / "warc" / "index.cdxj").read_text(encoding="utf-8").splitlines():
        _key, timestamp, fields = line.split(" ", 2)
        entry = json.loads(fields)
        out.setdefault(entry["url"], []).append({**entry, "timestamp": timestamp})
    for entries in out.values():
        entries.sort(key=lambda entry: entry["timestamp"])
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def replay(data_dir: Path, log: Path):
    """Run ``scripts/replay.sh`` (it execs pywb's ``wayback``) until pywb answers; kill it after."""
    port = free_port()
    env = {**os.environ, "PYWB_BIN": str(PYWB_BIN)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "replay.sh"), "--data-dir", str(data_dir), "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"pywb exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError):
                if fetch(base + "/")[0] == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"pywb did not answer on {base} within 60 s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    version = _pywb_version()
    portal = DemoPortal().start()
    try:
        expected = portal.expected()
        data = tmp_path_factory.mktemp("replay") / "data"
        crawl(portal.base_url, data)
        warcs = sorted((data / "warc").glob("*.warc.gz"))
        assert warcs, "the crawl wrote no WARC"
        # The second way: a collection pywb copies and indexes itself, served by the same wayback.
        workdir = data / "pywb"
        workdir.mkdir()
        for args in (["init", "copied"], ["add", "copied", *map(str, warcs)]):
            proc = subprocess.run([str(PYWB_BIN / "wb-manager"), *args], cwd=workdir, capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, proc.stderr[-3000:]
        with replay(data, data.parent / "wayback.log") as base:
            yield {"portal": portal, "expected": expected, "data": data, "base": base, "version": version}
    finally:
        portal.stop()


def report_pages(expected: dict) -> list[dict]:
    return [r for r in expected["reports"] if "body_is_report" in r["flags"] and r["page_url"] in expected["report_page_urls"]]


def live(url: str) -> bytes:
    """What the portal serves now, asked for without content coding."""
    status, headers, body = fetch(url)
    assert status == 200 and "Content-Encoding" not in headers, (url, status, headers)
    return body


def archived_200(archive: dict, url: str) -> dict[str, str]:
    entries = [e for e in captures(archive["data"]).get(url, []) if e["status"] == "200" and e["mime"] != "warc/revisit"]
    assert entries, f"{url} has no 200 capture in the crawl's index.cdxj"
    return entries[-1]


@pytest.mark.parametrize("coll", COLLECTIONS)
def test_pywb_lists_the_crawls_captures(archive, coll):
    """pywb's CDX API, over the crawl's own index.cdxj and over its own indexing of the WARCs,
    lists each report page's and attachment's captures as the crawl recorded them."""
    expected = archive["expected"]
    urls = [r["page_url"] for r in report_pages(expected)] + list(expected["attachment_urls"])
    ours = captures(archive["data"])
    for url in urls:
        status, _, body = fetch(f"{archive['base']}/{coll}/cdx?url={urllib.parse.quote(url, safe=':/')}&output=json")
        assert status == 200, (url, status)
        listed = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        assert [(e["timestamp"], e["status"], e["mime"]) for e in listed] == [
            (e["timestamp"], e["status"], e["mime"]) for e in ours[url]
        ], url
        assert all(e["url"] == url for e in listed)


@pytest.mark.parametrize("coll", COLLECTIONS)
def test_report_pages_byte_for_byte(archive, coll):
    pages = report_pages(archive["expected"])
    assert pages, "the demo portal lists no report whose page is the report"
    for report in pages:
        url = report["page_url"]
        ts = archived_200(archive, url)["timestamp"]
        status, headers, body = fetch(f"{archive['base']}/{coll}/{ts}id_/{url}")
        assert status == 200, (url, status)
        assert "Content-Encoding" not in headers
        assert body == live(url), f"{url}: replayed {len(body)} bytes differ from the portal's"


@pytest.mark.parametrize("coll", COLLECTIONS)
def test_attachments_byte_for_byte(archive, coll):
    expected = archive["expected"]
    urls = expected["attachment_urls"]
    good_pdfs = [u for u in urls if u.endswith(".pdf") and u not in expected["corrupt_attachment_urls"]]
    assert good_pdfs, "the demo portal serves no readable PDF attachment"
    for url in urls:  # the corrupt PDF too: its bytes are archived as they came
        ts = archived_200(archive, url)["timestamp"]
        status, headers, body = fetch(f"{archive['base']}/{coll}/{ts}id_/{url}")
        assert status == 200, (url, status)
        assert body == live(url), f"{url}: replayed {len(body)} bytes differ from the portal's"
        if url in good_pdfs:
            assert headers.get("Content-Type") == "application/pdf" and body.startswith(b"%PDF-")


def test_gzip_page_is_served_as_archived(archive):
    """Pages were archived gzip-encoded, as the portal sent them; a client accepting gzip gets that body."""
    url = report_pages(archive["expected"])[0]["page_url"]
    ts = archived_200(archive, url)["timestamp"]
    status, headers, body = fetch(f"{archive['base']}/govreports/{ts}id_/{url}", accept_encoding="gzip")
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == live(url)


def _gbk_report(expected: dict) -> tuple[dict, bytes]:
    for report in report_pages(expected):
        body = live(report["page_url"])
        if report["title"].encode("gbk") in body:
            return report, body
    pytest.fail("the demo portal has no GBK-encoded report page")


def test_rewriting_mode_shows_the_report(archive):
    report, _ = _gbk_report(archive["expected"])
    url, base = report["page_url"], archive["base"]
    ts = archived_200(archive, url)["timestamp"]
    # The default (framed) replay: pywb's banner around a frame that loads the rewritten page.
    status, _, frame = fetch(f"{base}/govreports/{ts}/{url}")
    assert status == 200
    assert b"replay_iframe" in frame and url.encode() in frame
    # The rewritten page itself (the frame's content): links point into the archive.
    status, headers, page = fetch(f"{base}/govreports/{ts}mp_/{url}")
    assert status == 200 and headers.get("Content-Type", "").startswith("text/html")
    text = page.decode("gb18030")
    assert f"<title>{report['title']}" in text
    assert f'href="/govreports/{ts}mp_/{archive["expected"]["base_url"]}' in text, "links are not rewritten into the archive"


def test_unknown_url_is_not_found(archive):
    url = archive["expected"]["base_url"] + "no/such/page.html"
    assert fetch(f"{archive['base']}/govreports/id_/{url}")[0] == 404


def test_latest_capture_after_an_incremental_crawl(archive, tmp_path):
    """A second crawl archives 304 answers as revisits; replay still gives the page, and the new report."""
    portal, expected = archive["portal"], archive["expected"]
    data = tmp_path / "data"
    shutil.copytree(archive["data"], data)
    new_url = portal.publish_new_report()
    crawl(portal.base_url, data)
    index = captures(data)
    report = report_pages(expected)[0]
    pdf = next(u for u in expected["attachment_urls"] if u.endswith(".pdf") and u not in expected["corrupt_attachment_urls"])
    for url in (report["page_url"], pdf):
        assert index[url][-1]["status"] == "304" and index[url][-1]["mime"] == "warc/revisit", index[url]
    assert new_url in index
    with replay(data, tmp_path / "wayback.log") as base:
        for url in (report["page_url"], pdf, new_url):
            status, _, body = fetch(f"{base}/govreports/id_/{url}")  # no timestamp: the latest capture
            assert status == 200, (url, status)
            assert body == live(url), f"{url}: the latest capture is not the page"

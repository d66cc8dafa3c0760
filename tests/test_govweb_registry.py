"""The national registry end to end on a small government web (crawler/demo/govweb.py) on 127.0.0.x.

``registry discover`` from the national root finds exactly the genuine sites with their division
codes (a renamed county by its old name, a department, a site behind a cookie challenge), merges
the Big5 mirror and rejects the SEO clone; ``registry check`` reports changes without editing;
``crawl --due`` crawls what is due and records it; ``coverage`` reports the organ with no report.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.crawl.settings import CHROMIUM
from crawler.demo.govweb import SITES, SPAM_HOST, GovWeb
from crawler.registry.regions import load_registry
from tests.conftest import ROOT
from tests.test_crawl_e2e import FAST

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="the challenge site needs Debian's chromium")


def run(*args: str, proxy: str | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    if proxy:
        env["http_proxy"] = proxy  # the clone's host name is known only to the web's proxy, as DNS would know it
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def web() -> Iterator[GovWeb]:
    with GovWeb() as w:
        yield w


@pytest.fixture(scope="module")
def discovered(web: GovWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("govweb")
    registry, data = base / "regions.json", base / "data"
    proc = run("registry", "discover", "--from", web.root("127.0.0.2"), "--depth", "3", "--delay", "0",
               "--registry", str(registry), "--data-dir", str(data), proxy=web.proxy)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return registry, data, proc


def test_discover_finds_exactly_the_genuine_sites(
    web: GovWeb, discovered: tuple[Path, Path, subprocess.CompletedProcess[str]]
) -> None:
    registry, _, proc = discovered
    regions = load_registry(registry)
    found = {portal.url: (region.code, region.path, portal) for region in regions for portal in region.portals}
    assert set(found) == {web.root(site.ip) for site in SITES}
    for site in SITES:
        code, _, portal = found[web.root(site.ip)]
        assert code == site.code, (site.organ, code)
        assert portal.site_id == site.site_id and portal.name == site.organ
        assert portal.found_at
    # provenance: each site was found on its parent's site list
    assert found[web.root("127.0.0.5")][2].found_on == web.root("127.0.0.3")
    assert found[web.root("127.0.0.8")][2].found_on == web.root("127.0.0.5")
    # the county still calling itself 洪泽县 is 洪泽区 on today's list; the ministry-level root has no code
    assert found[web.root("127.0.0.6")][1] == "江苏省/淮安市/洪泽区"
    assert found[web.root("127.0.0.2")][1] == "国务院部门/中华人民共和国中央人民政府"
    # the department site joins its government's region
    assert found[web.root("127.0.0.8")][1] == found[web.root("127.0.0.5")][1] == "江苏省/淮安市"
    out = proc.stdout
    assert f"also as {web.root('127.0.0.5')}gate/big5/" in out  # the Big5 mirror: the same site
    clone = next(line for line in out.splitlines() if SPAM_HOST in line)
    assert "not a government host" in clone and "3208000001" in clone  # it copied 淮安市's site ID
    assert "8 government sites, 1 rejected" in out


def test_discover_again_adds_nothing_and_dry_run_writes_nothing(
    web: GovWeb, discovered: tuple[Path, Path, subprocess.CompletedProcess[str]]
) -> None:
    registry, data, _ = discovered
    before = registry.read_text(encoding="utf-8")
    proc = run("registry", "discover", "--from", web.root("127.0.0.3"), "--depth", "1", "--delay", "0",
               "--registry", str(registry), "--data-dir", str(data), proxy=web.proxy)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "0 new portals" in proc.stdout and registry.read_text(encoding="utf-8") == before
    dry = run("registry", "discover", "--from", web.root("127.0.0.4"), "--depth", "0", "--dry-run",
              "--registry", str(registry), "--data-dir", str(data), proxy=web.proxy)  # fmt: skip
    assert dry.returncode == 0 and "nothing written" in dry.stdout
    assert registry.read_text(encoding="utf-8") == before


def test_registry_check_reports_changes_without_editing(
    web: GovWeb, discovered: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    registry, data, _ = discovered
    proc = run("registry", "check", "--registry", str(registry), "--data-dir", str(data), "--delay", "0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "8 portals checked, 0 with changes" in proc.stdout
    doc = json.loads(registry.read_text(encoding="utf-8"))
    moved = next(p for r in doc["regions"] for p in r["portals"] if p["url"] == web.root("127.0.0.7"))
    moved["site_id"] = "3208300099"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = edited.read_text(encoding="utf-8")
    proc = run("registry", "check", "--registry", str(edited), "--region", "320830", "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 1
    assert "CHANGED" in proc.stdout and "site ID 3208300001, registered 3208300099" in proc.stdout
    assert edited.read_text(encoding="utf-8") == before


def test_crawl_due_then_coverage(web: GovWeb, discovered: tuple[Path, Path, subprocess.CompletedProcess[str]]) -> None:
    registry, data, _ = discovered
    proc = run("crawl", "--due", "--now", "2025-02-01T03:00", "--registry", str(registry), "--data-dir", str(data),
               "--render", "never", *FAST)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "7 regions due" in proc.stderr and "Traceback" not in proc.stderr
    # the same month again: nothing is due, nothing fetched
    hits = dict(web.hits)
    again = run(
        "crawl", "--due", "--now", "2025-02-20T03:00", "--registry", str(registry), "--data-dir", str(data), "--render", "never"
    )
    assert again.returncode == 0 and "nothing is due" in again.stderr
    assert web.hits == hits

    cov = run("coverage", "--year", "2024", "--format", "csv", "--registry", str(registry), "--data-dir", str(data))
    assert cov.returncode == 0, cov.stderr
    rows = {row["organ"]: row for row in csv.DictReader(io.StringIO(cov.stdout))}
    assert set(rows) == {site.organ for site in SITES}
    assert rows["淮安市教育局"]["status"] == "gap" and rows["淮安市教育局"]["reports"] == "0"
    assert all(row["status"] == "reported" and row["reports"] == "1" for organ, row in rows.items() if organ != "淮安市教育局")
    assert rows["金湖县人民政府"]["code"] == "320831"  # reached through its cookie challenge
    table = run("coverage", "--year", "2024", "--region", "淮安市", "--registry", str(registry), "--data-dir", str(data))
    assert "5 organs, 4 reported, 1 gaps" in table.stdout
    assert "江苏省/淮安市/涟水县 320826" in table.stdout  # a county nobody registered yet

    # the challenge exchange is in the archive: the 521 the crawl met and the browser's own exchanges
    jinhu = _responses(data, "127.0.0.9")
    challenges = [body for status, body in jinhu if status == 521]
    assert challenges and all(b"__jsl_clearance_s" in body for body in challenges)
    assert any(status == 200 and "金湖县人民政府".encode() in body for status, body in jinhu)
    assert len(challenges) >= 2  # the crawl's own 521 and the one the browser met (its exchanges are archived too)

    stats = run("stats", "--format", "json", "--registry", str(registry), "--data-dir", str(data))
    by_province = {row["province"]: row for row in json.loads(stats.stdout)["by_province"]}
    assert by_province["江苏省"]["organs"] == 6 and by_province["江苏省"]["reports"] == 5
    assert by_province["江苏省"]["divisions_registered"] == 5  # 江苏省, 淮安市 and three counties
    assert by_province["浙江省"]["reports"] == 1


def test_regions_by_code(discovered: tuple[Path, Path, subprocess.CompletedProcess[str]]) -> None:
    registry, _, _ = discovered
    proc = run("regions", "--code", "320800", "--registry", str(registry))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("320800 江苏省/淮安市 (prefecture; 7 county)")
    for path in ("江苏省/淮安市/洪泽区", "江苏省/淮安市/盱眙县", "江苏省/淮安市/金湖县"):
        assert path in proc.stdout
    assert "浙江省" not in proc.stdout.split("\n", 1)[1]
    bad = run("regions", "--code", "32x", "--registry", str(registry))
    assert bad.returncode == 2 and "2, 4 or 6 digits" in bad.stderr


def _responses(data: Path, host: str) -> list[tuple[int, bytes]]:
    out = []
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response" and host in (rec.rec_headers.get_header("WARC-Target-URI") or ""):
                    out.append((int(rec.http_headers.get_statuscode()), rec.content_stream().read()))
    return out

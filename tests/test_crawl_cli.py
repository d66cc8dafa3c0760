"""The crawl command's options and errors, PostgreSQL as the store, Scrapy's own command, regions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crawler.demo.portal import DemoPortal
from tests.conftest import ROOT
from tests.services import pg_schema_url
from tests.test_crawl_e2e import FAST, cli


@pytest.fixture(scope="module")
def portal():
    with DemoPortal() as p:
        yield p


def test_regions_lists_the_registry():
    proc = cli("regions")
    assert proc.returncode == 0
    assert "江苏省/淮安市/洪泽区" in proc.stdout and "hongze" in proc.stdout


def test_unknown_region_exit_2(tmp_path):
    proc = cli("crawl", "--region", "火星省/不存在市", "--data-dir", str(tmp_path))
    assert proc.returncode == 2 and "unknown region" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_option_exit_2(tmp_path):
    for args in (["--render", "sometimes"], ["--max-pages", "0"], ["--since", "twenty"]):
        proc = cli("crawl", "--start-url", "http://127.0.0.1:9/", "--data-dir", str(tmp_path), *args)
        assert proc.returncode == 2, args


def test_unreachable_database_exit_2(tmp_path):
    proc = cli(
        "crawl",
        "--start-url",
        "http://127.0.0.1:9/",
        "--data-dir",
        str(tmp_path),
        "--db",
        "postgresql://postgres@127.0.0.1:1/test",
    )
    assert proc.returncode == 2 and "cannot open the record store" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_crawl_into_postgresql_and_export(portal, tmp_path):
    gen = pg_schema_url()
    url = next(gen)
    try:
        proc = cli("crawl", "--start-url", portal.base_url, "--data-dir", str(tmp_path), "--db", url, "--render", "never", *FAST)
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = tmp_path / "records.jsonl"
        exported = cli("export", "--format", "jsonl", "--db", url, "--data-dir", str(tmp_path), "--out", str(out))
        assert exported.returncode == 0
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        assert len(records) >= len(portal.expected()["report_page_urls"]) - 1  # 成都 is one report on two pages
        assert not (tmp_path / "records.sqlite").exists(), "PostgreSQL was asked for, not SQLite"
    finally:
        gen.close()


def test_region_from_a_registry_file_and_max_pages(portal, tmp_path):
    registry = tmp_path / "regions.json"
    registry.write_text(json.dumps({"schema": 1, "note": "test", "regions": [
        {"path": "演示省/示范市/示范县", "province": "演示省", "city": "示范市", "county": "示范县", "level": "county",
         "portals": [{"name": "示范县人民政府", "url": portal.base_url, "family": "trs", "report_columns": []}]},
    ]}, ensure_ascii=False), "utf-8")  # fmt: skip
    proc = cli(
        "crawl",
        "--region",
        "演示省/示范市",
        "--registry",
        str(registry),
        "--data-dir",
        str(tmp_path),
        "--render",
        "never",
        "--max-pages",
        "12",
        *FAST,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "finished: closespider_pagecount" in proc.stderr
    records = [json.loads(line) for line in cli("export", "--data-dir", str(tmp_path)).stdout.splitlines()]
    # the crawl stopped early but what it stored is whole
    assert all(r["year"] for r in records)


def test_scrapy_crawl_command(portal, tmp_path):
    store = f"sqlite:///{tmp_path / 'records.sqlite'}"
    settings = [
        "-s",
        f"STORE_URL={store}",
        "-s",
        f"ARCHIVE_DIR={tmp_path / 'warc'}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "CLOSESPIDER_PAGECOUNT=20",
        "-s",
        "DOWNLOAD_HANDLERS={}",
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"start_url={portal.base_url}", "-a", "render=never", *settings],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list((tmp_path / "warc").glob("*.warc.gz"))
    exported = cli("export", "--data-dir", str(tmp_path))
    assert exported.stdout.strip(), "records stored by scrapy crawl"

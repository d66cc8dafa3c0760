"""WACZ packages (archive.wacz, ``python -m crawler wacz``) of a real crawl, checked against WACZ 1.1.1.

The demo portal is crawled once (a subprocess, as a user would); the package is then built both
through the library (:func:`archive.wacz.build_wacz`) and the command, opened, and every part is
checked against the specification: member paths, WARCs stored (not recompressed) and byte-identical,
``datapackage.json`` resources with recomputed sha256 and sizes, ``datapackage-digest.json``, the
pages header and entries, and each page resolved through the (sorted) CDXJ index to its WARC
record inside the package. Generated WARCs (a broken one, a large one) test the failure paths and
that a package is written by streaming, not in memory.
"""

from __future__ import annotations

import argparse
import functools
import gc
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archive.cdxj import write_index
from archive.wacz import (
    PAGES_HEADER,
    WACZ_VERSION,
    Page,
    WaczError,
    build_wacz,
    find_warcs,
    pages_from_records,
)
from crawler.cli import wacz as wacz_command
from crawler.demo.portal import DemoPortal
from crawler.store.database import Store, database_url
from tests.conftest import ROOT
from tests.test_crawl_e2e import FAST, cli

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FIXED = {"datapackage.json", "datapackage-digest.json", "indexes/index.cdxj", "pages/pages.jsonl"}

# Runs the command module through its own add_parser, as crawler/cli/main.py does, when cli.py does not list it yet.
DRIVER = """
import argparse, sys
from crawler.cli import wacz
from crawler.core.errors import ReportError
parser = argparse.ArgumentParser(prog="python -m crawler")
wacz.add_parser(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
try:
    sys.exit(int(args.func(args)))
except ReportError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)
"""


@functools.cache
def cli_has_wacz() -> bool:
    return cli("wacz", "--help").returncode == 0


def wacz_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m crawler wacz …`` when the CLI has the command, else the same module through the driver above."""
    if cli_has_wacz():
        return cli("wacz", *args)
    return subprocess.run([sys.executable, "-c", DRIVER, "wacz", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("wacz-crawl")
    with DemoPortal() as portal:
        proc = cli("crawl", "--start-url", portal.base_url, "--data-dir", str(data), "--render", "never", *FAST)
        expected = portal.expected()
    assert proc.returncode == 0, proc.stderr[-3000:]
    store = Store(database_url(data, None))
    try:
        records = list(store.records())
    finally:
        store.close()
    assert records, "the crawl stored no report"
    return {"data": data, "expected": expected, "records": records}


@pytest.fixture(scope="module")
def package(crawl: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The package built through the library, from a copy of the data whose index.cdxj is stale junk."""
    data = tmp_path_factory.mktemp("wacz-lib") / "data"
    shutil.copytree(crawl["data"], data)
    (data / "warc" / "index.cdxj").write_text("stale junk, never to be packaged\n")
    warcs = find_warcs(data / "warc")
    out = data.parent / "out" / "corpus.wacz"
    summary = build_wacz(out, warcs, pages_from_records(crawl["records"], {p.name for p in warcs}), title="测试")
    return {"out": out, "summary": summary, "warcs": warcs}


# -- helpers -------------------------------------------------------------------------------------


def sha256_of(fh: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := fh.read(1 << 16):
        digest.update(chunk)
        size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def cdxj_lines(zf: zipfile.ZipFile) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for line in zf.read("indexes/index.cdxj").decode("utf-8").splitlines():
        surt, ts, block = line.split(" ", 2)
        out.append((surt, ts, json.loads(block)))
    return out


def page_lines(zf: zipfile.ZipFile) -> list[dict[str, Any]]:
    return [json.loads(line) for line in zf.read("pages/pages.jsonl").decode("utf-8").splitlines()]


def check_package(path: Path, warcs: list[Path]) -> dict[str, Any]:
    """Every rule of WACZ 1.1.1 this project's packages follow; returns the parts for further checks."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every member's CRC
        names = zf.namelist()
        assert len(names) == len(set(names))
        assert set(names) == FIXED | {f"archive/{p.name}" for p in warcs}
        assert not any(n.endswith("/") for n in names)

        # archive/: the WARC files as they are, stored (an already gzipped file is not compressed again)
        for warc in warcs:
            info = zf.getinfo(f"archive/{warc.name}")
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.file_size == info.compress_size == warc.stat().st_size
            with zf.open(info) as inside, warc.open("rb") as original:
                assert sha256_of(inside) == sha256_of(original)
            with zf.open(info) as inside:
                kinds = [rec.rec_type for rec in ArchiveIterator(inside)]
            assert kinds[0] == "warcinfo" and "response" in kinds

        # datapackage.json: profile, version, every other member with its sha256 and size
        raw = zf.read("datapackage.json")
        package = json.loads(raw)
        assert package["profile"] == "data-package"
        assert package["wacz_version"] == WACZ_VERSION == "1.1.1"
        assert RFC3339.match(package["created"]) and datetime.fromisoformat(package["created"])
        assert package["software"]
        resources = package["resources"]
        assert sorted(r["path"] for r in resources) == sorted(set(names) - {"datapackage.json", "datapackage-digest.json"})
        for resource in resources:
            assert set(resource) == {"name", "path", "hash", "bytes"}
            assert resource["name"] == resource["path"].rsplit("/", 1)[-1]
            with zf.open(resource["path"]) as fh:
                assert sha256_of(fh) == (resource["hash"], resource["bytes"]), resource["path"]
            assert resource["bytes"] == zf.getinfo(resource["path"]).file_size

        # datapackage-digest.json: the hash of datapackage.json as stored
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(raw).hexdigest()}

        # pages/pages.jsonl: the header, then entries with id, url, ts (RFC 3339), title
        pages = page_lines(zf)
        assert pages[0] == PAGES_HEADER == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        entries = pages[1:]
        for entry in entries:
            assert {"id", "url", "ts"} <= set(entry) <= {"id", "url", "ts", "title"}
            assert RFC3339.match(entry["ts"]), entry
            assert entry["url"].startswith("http")
        assert len({e["id"] for e in entries}) == len(entries)

        # indexes/index.cdxj: sorted, naming only WARCs of the package
        index = cdxj_lines(zf)
        text = zf.read("indexes/index.cdxj").decode("utf-8").splitlines()
        assert text == sorted(text)
        assert [(s, t) for s, t, _ in index] == sorted((s, t) for s, t, _ in index)
        assert {block["filename"] for _, _, block in index} <= {p.name for p in warcs}
        return {"names": names, "package": package, "pages": entries, "index": index}


# -- the package of the crawl ----------------------------------------------------------------------


def test_package_follows_the_spec(package: dict[str, Any]) -> None:
    parts = check_package(package["out"], package["warcs"])
    assert parts["package"]["title"] == "测试"
    summary = package["summary"]
    assert summary.warcs == len(package["warcs"]) and summary.pages == len(parts["pages"])
    assert summary.index_lines == len(parts["index"])
    assert summary.size == package["out"].stat().st_size
    assert [r.as_dict() for r in summary.resources] == parts["package"]["resources"]


def test_member_order_and_no_debris(package: dict[str, Any]) -> None:
    with zipfile.ZipFile(package["out"]) as zf:
        names = zf.namelist()
    assert names[-2:] == ["datapackage.json", "datapackage-digest.json"]
    assert [p.name for p in package["out"].parent.iterdir()] == ["corpus.wacz"], "no temporary file left behind"


def test_every_report_page_and_document_is_a_page(crawl: dict[str, Any], package: dict[str, Any]) -> None:
    with zipfile.ZipFile(package["out"]) as zf:
        entries = page_lines(zf)[1:]
    urls = {e["url"] for e in entries}
    expected = crawl["expected"]
    assert set(expected["report_page_urls"]) <= urls, sorted(set(expected["report_page_urls"]) - urls)
    listed = {s["url"] for r in crawl["records"] for s in r["sources"]}
    assert listed & set(expected["attachment_urls"]), "attachments are pages too"
    assert not urls & set(expected["decoy_urls"])
    sources = {(s["url"], s["fetched_at"]) for r in crawl["records"] for s in r["sources"]}
    assert {(e["url"], e["ts"]) for e in entries} == sources
    titles = {r["title"] for r in crawl["records"]}
    for record in crawl["records"]:
        page = next(e for e in entries if e["url"] == record["sources"][0]["url"])
        assert page["title"] == record["title"]
    assert all(any(e["title"].startswith(t) for t in titles) for e in entries)


def test_each_page_resolves_through_the_index(package: dict[str, Any]) -> None:
    """url + ts → an index line → offset in archive/<filename> → that very response record."""
    with zipfile.ZipFile(package["out"]) as zf:
        index = cdxj_lines(zf)
        for entry in page_lines(zf)[1:]:
            stamp = re.sub(r"\D", "", entry["ts"])[:14]
            hits = [b for _, ts, b in index if b["url"] == entry["url"] and ts == stamp]
            assert hits, f"{entry['url']} @ {entry['ts']} is not in the index"
            found = False
            for block in hits:
                with zf.open(f"archive/{block['filename']}") as fh:
                    fh.seek(int(block["offset"]))
                    record = next(iter(ArchiveIterator(fh)))
                    headers = record.rec_headers
                    if headers.get_header("WARC-Date") == entry["ts"]:
                        assert record.rec_type in {"response", "revisit"}
                        assert headers.get_header("WARC-Target-URI") == entry["url"]
                        assert record.http_headers.get_statuscode() == "200"
                        found = True
            assert found, entry


def test_index_is_regenerated_not_copied(crawl: dict[str, Any], package: dict[str, Any], tmp_path: Path) -> None:
    fresh = tmp_path / "index.cdxj"
    write_index(package["warcs"], fresh)
    with zipfile.ZipFile(package["out"]) as zf:
        inside = zf.read("indexes/index.cdxj")
    assert inside == fresh.read_bytes()
    assert b"stale junk" not in inside
    assert inside == (crawl["data"] / "warc" / "index.cdxj").read_bytes(), "the crawl's own index agrees"


# -- the command -------------------------------------------------------------------------------------


def test_command_writes_the_package(crawl: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "pkg" / "x.wacz"
    out.parent.mkdir()
    out.write_bytes(b"an older package")
    proc = wacz_cli("--out", str(out), "--data-dir", str(crawl["data"]))
    assert proc.returncode == 0, proc.stderr
    warcs = find_warcs(crawl["data"] / "warc")
    parts = check_package(out, warcs)
    summary = proc.stderr.strip().splitlines()
    assert len(summary) == 1, proc.stderr
    assert f"{len(warcs)} WARC file" in summary[0] and f"{len(parts['pages'])} pages" in summary[0]
    assert re.search(r"\d+(\.\d)? (B|KiB|MiB|GiB)", summary[0])
    assert sorted(p.name for p in out.parent.iterdir()) == ["x.wacz"]
    expected = set(crawl["expected"]["report_page_urls"])
    assert expected <= {e["url"] for e in parts["pages"]}


def test_command_without_warcs_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "x.wacz"
    proc = wacz_cli("--out", str(out), "--data-dir", str(tmp_path / "empty"))
    assert proc.returncode == 2, proc.stderr
    assert "no WARC files" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_command_parser_shape() -> None:
    parser = argparse.ArgumentParser()
    wacz_command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["wacz", "--out", "a.wacz", "--db", "postgresql://u@h/db"])
    assert args.func is wacz_command.run
    assert args.out == Path("a.wacz") and args.data_dir == Path("data") and args.db == "postgresql://u@h/db"
    with pytest.raises(WaczError, match="no WARC files"):
        wacz_command.run(parser.parse_args(["wacz", "--out", "a.wacz", "--data-dir", "/nonexistent/govreports"]))


# -- the library on generated WARCs ---------------------------------------------------------------


def write_warc(path: Path, url: str, payload: bytes) -> str:
    """A one-record gzipped WARC (a resource record); returns its WARC-Date."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        record = writer.create_warc_record(
            url, "resource", payload=BytesIO(payload), length=len(payload), warc_content_type="application/pdf"
        )
        writer.write_record(record)
    return str(record.rec_headers.get_header("WARC-Date"))


def test_refusals(tmp_path: Path) -> None:
    out = tmp_path / "x.wacz"
    with pytest.raises(WaczError, match="no WARC files"):
        build_wacz(out, [], [])
    good = tmp_path / "a.warc.gz"
    write_warc(good, "https://www.example.gov.cn/a.pdf", b"%PDF-1.7 report")
    with pytest.raises(WaczError, match=r"\.wacz"):
        build_wacz(tmp_path / "x.zip", [good], [])
    other = tmp_path / "sub"
    other.mkdir()
    shutil.copy(good, other / good.name)
    with pytest.raises(WaczError, match="share the name"):
        build_wacz(out, [good, other / good.name], [])
    garbage = tmp_path / "g.warc.gz"
    garbage.write_bytes(b"this is not a WARC file at all\r\n" * 10)
    with pytest.raises(WaczError, match="not a WARC file"):
        build_wacz(out, [good, garbage], [])
    assert not out.exists()


# cdxj-indexer leaves a spooled buffer of the record it failed on unclosed (its bufferiter), not ours
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_failed_build_leaves_the_previous_package(tmp_path: Path) -> None:
    good = tmp_path / "a.warc.gz"
    write_warc(good, "https://www.example.gov.cn/a.pdf", b"%PDF-1.7 report")
    out = tmp_path / "x.wacz"
    build_wacz(out, [good], [])
    before = out.read_bytes()
    raw = good.read_bytes()
    broken = tmp_path / "b.warc.gz"  # a good record, then a gzip member that holds no WARC record
    broken.write_bytes(raw + gzip.compress(b"this is no WARC record\r\n\r\n" * 3) + raw)
    with pytest.raises(WaczError, match="cannot index"):
        build_wacz(out, [good, broken], [])
    gc.collect()
    assert out.read_bytes() == before, "a failed build leaves the previous package in place"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.warc.gz", "b.warc.gz", "x.wacz"], "no debris"


def test_pages_from_records_rules() -> None:
    warc = {"file": "a.warc.gz", "offset": 0, "record_id": "<urn:uuid:1>"}
    records: list[dict[str, Any]] = [
        {
            "title": "某局2023年政府信息公开工作年度报告",
            "sources": [
                {"url": "https://x.gov.cn/a.html", "role": "page", "fetched_at": "2024-05-01T08:30:00Z", "warc": warc},
                {
                    "url": "https://x.gov.cn/%E9%99%84%E4%BB%B6.pdf",
                    "role": "attachment",
                    "fetched_at": "2024-05-01T08:30:01.250000Z",
                    "warc": warc,
                },
                {"url": "https://x.gov.cn/gone.pdf", "role": "attachment", "fetched_at": None, "warc": None},
                {
                    "url": "https://x.gov.cn/b.pdf",
                    "role": "attachment",
                    "fetched_at": "2024-05-01T08:30:02Z",
                    "warc": {**warc, "file": "elsewhere.warc.gz"},
                },
            ],
        },
        {  # the same page reached again: listed once
            "title": "某局2023年政府信息公开工作年度报告",
            "sources": [{"url": "https://x.gov.cn/a.html", "role": "page", "fetched_at": "2024-05-01T08:30:00Z", "warc": warc}],
        },
        {
            "agency": "某局",
            "year": 2022,
            "url": "https://x.gov.cn/c.html",
            "fetched_at": "2023-01-01T00:00:00+08:00",
            "warc": warc,
        },
    ]
    pages = list(pages_from_records(records, {"a.warc.gz"}))
    assert [(p.url, p.ts, p.title) for p in pages] == [
        ("https://x.gov.cn/a.html", "2024-05-01T08:30:00Z", "某局2023年政府信息公开工作年度报告"),
        (
            "https://x.gov.cn/%E9%99%84%E4%BB%B6.pdf",
            "2024-05-01T08:30:01.250000Z",
            "某局2023年政府信息公开工作年度报告 [附件.pdf]",
        ),
        ("https://x.gov.cn/c.html", "2022-12-31T16:00:00Z", "某局 2022"),
    ]
    assert pages[0].id == Page("https://x.gov.cn/a.html", "2024-05-01T08:30:00Z").id, "ids are stable"
    assert len(list(pages_from_records(records))) == 4, "without a file filter every archived source counts"


def test_large_warc_is_streamed(tmp_path: Path) -> None:
    """A 48 MiB WARC is packaged with a few MiB of Python memory: copied and hashed in chunks."""
    warc = tmp_path / "big.warc.gz"
    payload = os.urandom(48 << 20)  # incompressible: the file on disk is as large
    date = write_warc(warc, "https://www.example.gov.cn/big.pdf", payload)
    del payload
    out = tmp_path / "big.wacz"
    tracemalloc.start()
    try:
        build_wacz(out, [warc], [Page("https://www.example.gov.cn/big.pdf", date, "big")])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 << 20, f"peak {peak / 2**20:.1f} MiB while packaging a {warc.stat().st_size / 2**20:.0f} MiB WARC"
    parts = check_package_generated(out, warc)
    assert parts["pages"][0]["ts"] == date


def check_package_generated(out: Path, warc: Path) -> dict[str, Any]:
    """check_package for a WARC of resource records (no response records)."""
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo(f"archive/{warc.name}")
        assert info.compress_type == zipfile.ZIP_STORED and info.file_size == warc.stat().st_size
        package = json.loads(zf.read("datapackage.json"))
        for resource in package["resources"]:
            with zf.open(resource["path"]) as fh:
                assert sha256_of(fh) == (resource["hash"], resource["bytes"])
        with warc.open("rb") as fh:
            assert package["resources"][0]["hash"] == sha256_of(fh)[0]
        return {"pages": page_lines(zf)[1:], "package": package}

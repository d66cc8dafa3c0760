"""The Python API: ``from crawler import parse, open_store`` on real fixtures and a store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import crawler
from crawler import open_store, parse
from crawler.core.errors import ReportError
from crawler.store.database import Store, database_url
from crawler.store.queries import ReportNotFound, ReportStore
from tests.conftest import FIXTURES, ROOT
from tests.corpus_store import corpus, fill
from tests.services import pg_schema_url


def test_parse_gives_the_cli_record():
    path = FIXTURES / "gov2021_merged.docx"
    cli = subprocess.run(
        [sys.executable, "-m", "crawler", "parse", str(path), "--json"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert parse(path) == json.loads(cli.stdout)


def test_parse_bytes_and_url():
    body = (FIXTURES / "gov2021_gbk.html").read_bytes()
    record = parse(body, url="https://www.example.gov.cn/zfxxgk/ndbg/t1.html")
    assert record["url"] == "https://www.example.gov.cn/zfxxgk/ndbg/t1.html"
    assert record["template"] == "2021"
    assert record["requests"] is not None and record["requests"]["rows"]["new"][6] is not None
    assert parse(str(FIXTURES / "gov2021_gbk.html"))["id"] == record["id"]


def test_parse_bad_input_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="cannot read"):
        parse(tmp_path / "missing.pdf")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 50)
    with pytest.raises(ReportError):
        parse(broken)


def test_the_package_exports_the_api():
    assert set(crawler.__all__) >= {"parse", "open_store", "Record", "ReportStore"}
    assert crawler.parse is parse
    with pytest.raises(AttributeError):
        crawler.no_such_name  # noqa: B018


def test_open_store_of_a_directory_without_a_store_is_an_error(tmp_path):
    with pytest.raises(ReportError, match=r"records\.sqlite is missing"):
        open_store(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists(), "a mistyped path creates nothing"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        writer = Store(database_url(tmp_path, None))
        fill(writer)
        writer.close()
        s = open_store(tmp_path)
        yield s
        s.close()
    else:
        gen = pg_schema_url()
        url = next(gen)
        writer = Store(database_url(tmp_path, url))
        fill(writer)
        writer.close()
        s = open_store(url)
        yield s
        s.close()
        gen.close()


def ids(records) -> set[str]:
    return {r["id"] for r in records}


def expected(predicate) -> set[str]:
    found = {r["id"] for r in corpus() if predicate(r)}
    assert found, "the corpus has such reports (a filter test on nothing proves nothing)"
    return found


def test_open_store_returns_a_report_store(store):
    assert isinstance(store, ReportStore)
    assert ids(store.reports()) == ids(corpus())
    assert store.count() == len({r["id"] for r in corpus()})


def test_reports_by_region(store):
    assert ids(store.reports(region="江苏省")) == expected(lambda r: r["region"]["province"] == "江苏省")
    assert ids(store.reports(region="四川省/成都市/武侯区")) == expected(lambda r: r["region"]["county"] == "武侯区")
    assert ids(store.reports(region="四川省/绵阳市")) == set()


def test_reports_by_year_agency_template(store):
    assert ids(store.reports(year=2023)) == expected(lambda r: r["year"] == 2023)
    assert ids(store.reports(year=[2017, 2019])) == expected(lambda r: r["year"] in (2017, 2019))
    agency = "南通市海门区市场监督管理局"
    trend = list(store.reports(agency=agency))
    assert [r["year"] for r in trend] == [2022, 2023, 2024]
    assert ids(store.reports(template="pre2019")) == expected(lambda r: r["template"] == "pre2019")
    assert store.count(template="2021", region="江苏省") == 3


def test_reports_by_failed_check(store):
    failing = expected(lambda r: any(c.startswith("T3-2") for c in r["failed_checks"]))
    assert ids(store.reports(failed_check="T3-2")) == failing
    assert ids(store.reports(failed_check="T3-2:total")) == failing
    assert ids(store.reports(failed_check="T3-2:natural_person")) == set()
    assert ids(store.reports(failed_check="T3")) == set(), "a rule name matches whole, not as a prefix"
    assert ids(store.reports(failed_check=True)) == expected(lambda r: r["failed_checks"])
    assert store.count(failed_check=False) == store.count() - len(failing)


def test_one_report_by_id_or_prefix(store):
    record = corpus()[3]
    assert store.report(record["id"])["agency"] == record["agency"]
    assert store.report(record["id"][:10])["id"] == record["id"]
    with pytest.raises(ReportNotFound):
        store.report("ffffffffffff")


def test_agencies_and_years(store):
    assert "南通市海门区市场监督管理局" in store.agencies(region="江苏省")
    assert store.agencies(region="江苏省") == ["南通市海门区市场监督管理局"]
    assert store.years() == sorted({r["year"] for r in corpus()})


def test_failed_documents(store):
    assert [d["url"] for d in store.failed_documents()] == ["http://www.site9.example.gov.cn/ndbg/broken.pdf"]

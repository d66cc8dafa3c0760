"""Exports: the reports CSV, the cells table (CSV and Parquet), and ``python -m crawler export`` on a tiny store.

Records come from the real parser on the evaluation fixtures, and the cells are
checked against the fixtures' hand annotations (tests/eval/fixtures/annotations.json).
"""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from crawler.core.report import process, validate
from crawler.core.resource import FetchedResource
from crawler.publish.exports import (
    CELL_COLUMNS,
    REPORT_COLUMNS,
    REQUEST_COLUMNS,
    cell_rows,
    report_rows,
    write_csv,
    write_jsonl,
    write_parquet,
)
from crawler.store.database import Store, database_url
from tests.conftest import FIXTURES, ROOT

ANNOTATIONS = {Path(a["path"]).name: a for a in json.loads((FIXTURES / "annotations.json").read_text("utf-8"))}
DOCUMENTS = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".docx", ".pdf", ".html"))


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    """fixture file name → its record, parsed by the real parser and validated against the schema."""
    parsed = {}
    for name in DOCUMENTS:
        record = process(FetchedResource.from_path(FIXTURES / name))
        validate(record)
        parsed[name] = record
    return parsed


def proactive_fields(record: dict) -> int:
    proactive = record["proactive"] or {}
    fields = sum(len(v) for k, v in proactive.items() if k not in ("labels", "extra_rows"))
    return fields + sum(len(e["values"]) for e in proactive.get("extra_rows", []))


def expected_cells(record: dict) -> int:
    """request rows (official and extra) × 7 + the proactive fields + 15 for table 四."""
    requests = record["requests"]
    request_rows = len(requests["rows"]) + len(requests["extra_rows"]) if requests else 0
    return request_rows * 7 + proactive_fields(record) + (15 if record["review_litigation"] else 0)


def cells_by_key(record: dict) -> dict[tuple[str, str, str], dict]:
    cells = {(c["table"], c["row_key"], c["column_key"]): c for c in cell_rows([record])}
    assert len(cells) == expected_cells(record), "one cell per (table, row, column)"
    return cells


# reports ----------------------------------------------------------------------------------


def test_fixtures_cover_every_template(records):
    assert {r["template"] for r in records.values()} == {"pre2019", "2019", "2021"}
    assert {r["source_format"] for r in records.values()} == {"docx", "pdf", "html"}


def test_report_rows_carry_the_record(records):
    rows = list(report_rows(records.values()))
    assert len(rows) == len(records)
    for record, row in zip(records.values(), rows):
        assert tuple(row) == REPORT_COLUMNS
        assert row["id"] == record["id"] and row["agency"] == record["agency"] and row["year"] == record["year"]
        assert (row["province"], row["city"], row["county"]) == tuple(
            record["region"].get(k) for k in ("province", "city", "county")
        )
        assert row["template"] == record["template"] and row["title"] == record["title"]
        assert row["sha256"] == record["sha256"] and row["parser_version"] == record["parser_version"]
        assert row["n_checks"] == len(record["checks"])
        assert row["n_failed_checks"] == len(record["failed_checks"])
        assert row["failed_checks"] == ";".join(record["failed_checks"])
        assert row["n_warnings"] == len(record["warnings"])
        assert row["n_sources"] is None, "a local parse has no sources"
        if record["requests"] is None:
            assert row["requests_new_total"] is None and row["requests_carried_forward_total"] is None
            continue
        requests = record["requests"]["rows"]
        assert row["requests_new_total"] == requests["new"][6]
        assert row["requests_carried_over_total"] == requests["carried_over"][6]
        assert row["requests_result_total"] == requests["result_total"][6]
        assert row["requests_carried_forward_total"] == requests["carried_forward"][6]
        review = record["review_litigation"]
        assert row["review_total"] == review["review"]["total"]
        assert row["litigation_direct_total"] == review["litigation_direct"]["total"]
        assert row["litigation_after_review_total"] == review["litigation_after_review"]["total"]
        proactive = record["proactive"]
        assert row["proactive_licensing_decisions"] == proactive["licensing"]["decisions"]
        assert row["proactive_penalty_decisions"] == proactive["penalty"]["decisions"]
        assert row["proactive_enforcement_decisions"] == proactive["enforcement"]["decisions"]
        assert row["proactive_regulations_made"] == proactive["regulations"]["made"]
        assert row["proactive_normative_documents_made"] == proactive["normative_documents"]["made"]
        fees_key = "amount_10k_yuan" if record["template"] == "2021" else "previous"
        assert row["fees"] == proactive["fees"][fees_key]


def test_report_rows_known_values(records):
    rows = {(r["id"], r["source_format"]): r for r in report_rows(records.values())}
    merged = rows[(records["gov2021_merged.docx"]["id"], "docx")]
    assert merged["requests_new_total"] == 59 and merged["fees"] == 1.35 and merged["proactive_licensing_decisions"] == 2846
    assert merged["proactive_regulations_made"] is None, "规章 printed '/'"
    inconsistent = rows[(records["gov2021_inconsistent.docx"]["id"], "docx")]
    assert inconsistent["failed_checks"] == "T3-2:total;T3-3:partially_disclosed;T4-1:review"
    assert inconsistent["n_failed_checks"] == 3
    assert [c.split(":")[0] for c in inconsistent["failed_checks"].split(";")] == ANNOTATIONS["gov2021_inconsistent.docx"][
        "failed_checks"
    ]
    pre2019 = rows[(records["pre2019_report.html"]["id"], "html")]
    assert pre2019["template"] == "pre2019" and pre2019["fees"] is None and pre2019["review_total"] is None


def test_report_rows_sources_and_corpus_checks(records):
    record = dict(records["gov2021_merged.docx"])
    record["sources"] = [
        {"url": "https://www.example.gov.cn/a.html", "role": "page"},
        {"url": "https://www.example.gov.cn/a.docx"},
    ]
    record["corpus_checks"] = [
        {"rule": "X-1", "scope": "2021", "ok": False, "detail": ""},
        {"rule": "X-2", "scope": "2021", "ok": None, "detail": ""},
        {"rule": "X-2", "scope": "2020", "ok": True, "detail": ""},
    ]
    validate(record)
    (row,) = report_rows([record])
    assert row["n_sources"] == 2 and row["n_corpus_failed"] == 1


def test_reports_csv_writes_null_blank_and_zero_as_0(records):
    out = io.StringIO(newline="")
    assert write_csv(report_rows(records.values()), out, REPORT_COLUMNS) == len(records)
    text = out.getvalue()
    assert not text.startswith("\ufeff") and text.splitlines()[0] == ",".join(REPORT_COLUMNS)
    rows = {(r["id"], r["source_format"]): r for r in csv.DictReader(io.StringIO(text))}
    merged = rows[(records["gov2021_merged.docx"]["id"], "docx")]
    assert merged["proactive_regulations_made"] == "", "null is written empty"
    assert merged["requests_new_total"] == "59" and merged["fees"] == "1.35" and merged["agency"] == "南通市海门区市场监督管理局"
    zhuhai = rows[(records["gov2019_big5style.html"]["id"], "html")]
    assert zhuhai["proactive_regulations_made"] == "0", "a printed 0 stays 0"
    pre2019 = rows[(records["pre2019_report.html"]["id"], "html")]
    assert pre2019["requests_new_total"] == "" and pre2019["n_failed_checks"] == "0" and pre2019["failed_checks"] == ""


# cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
def test_cells_one_per_table_cell(records, name):
    record = records[name]
    cells = list(cell_rows([record]))
    assert len(cells) == expected_cells(record)
    for cell in cells:
        assert tuple(cell) == CELL_COLUMNS
        assert cell["report_id"] == record["id"] and cell["year"] == record["year"] and cell["template"] == record["template"]
    if record["template"] == "pre2019":
        assert cells == []
        return
    tables = [c["table"] for c in cells]
    assert tables.count("review_litigation") == 15
    requests = record["requests"]
    assert tables.count("requests") == 7 * (len(requests["rows"]) + len(requests["extra_rows"]))
    assert tables.count("proactive") == proactive_fields(record)
    # the annotated cells of table 二, 三 and 四, plus 7 per extra row of table 三
    assert len(cells) == len(ANNOTATIONS[name]["cells"]) + 7 * len(ANNOTATIONS[name]["extra_rows"])


@pytest.mark.parametrize("name", [n for n in DOCUMENTS if ANNOTATIONS[n]["cells"]])
def test_cells_match_the_annotations(records, name):
    cells = cells_by_key(records[name])
    annotation = ANNOTATIONS[name]
    for key, expected in annotation["cells"].items():
        table, row_key, column_key = key.split("/")
        value = cells[(table, row_key, column_key)]["value"]
        assert value == pytest.approx(expected) if expected is not None else value is None, key
    for n, (_, extra) in enumerate(annotation.get("extra_row_cells", {}).items()):
        for column in REQUEST_COLUMNS:
            cell = cells[("requests", f"extra:{n}", column)]
            assert cell["printed_label"] == extra["printed_label"] and cell["value"] == extra[column]


def test_cells_labels(records):
    cells = cells_by_key(records["gov2021_merged.docx"])
    new = cells[("requests", "new", "natural_person")]
    assert new["printed_label"] == "一、本年新收政府信息公开申请数量" and new["value"] == 44
    assert cells[("requests", "new", "total")]["value"] == 59
    assert cells[("requests", "other.overdue_fee", "total")]["printed_label"].startswith("2.申请人逾期未按收费通知要求缴纳费用")
    in_force = cells[("proactive", "normative_documents", "in_force")]
    assert (in_force["printed_label"], in_force["value"], in_force["agency"]) == (
        "行政规范性文件",
        12,
        "南通市海门区市场监督管理局",
    )
    assert cells[("proactive", "regulations", "made")]["value"] is None
    assert cells[("proactive", "fees", "amount_10k_yuan")]["value"] == 1.35
    assert cells[("review_litigation", "review", "upheld")]["printed_label"] == "行政复议/结果维持"
    assert cells[("review_litigation", "litigation_direct", "pending")]["printed_label"] == "未经复议直接起诉/尚未审结"
    assert cells[("review_litigation", "litigation_after_review", "total")]["printed_label"] == "复议后起诉/总计"
    assert {c["printed_label"] for c in cells.values() if c["table"] == "review_litigation"} == {
        f"{group}/{field}"
        for group in ("行政复议", "未经复议直接起诉", "复议后起诉")
        for field in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    }
    assert not any(row_key in ("labels", "extra_rows") for _, row_key, _ in cells)
    old = cells_by_key(records["gov2019_merged.docx"])
    assert old[("proactive", "other_services", "decisions")]["printed_label"] == "其他对外管理服务事项"
    assert old[("requests", "withheld.three_safeties", "total")]["printed_label"] == '3、危及"三安全一稳定"'
    assert old[("requests", "extra:0", "total")]["printed_label"] == "6、其他原因"


def test_cells_proactive_extra_rows(records):
    record = json.loads(json.dumps(records["gov2021_merged.docx"]))
    record["proactive"]["extra_rows"] = [{"label": "行政确认", "values": [7, None]}]
    validate(record)
    cells = cells_by_key(record)
    assert cells[("proactive", "extra:0", "value0")]["value"] == 7
    assert cells[("proactive", "extra:0", "value1")]["value"] is None
    assert cells[("proactive", "extra:0", "value1")]["printed_label"] == "行政确认"


def test_rows_are_streamed(records):
    def once_then_fail():
        yield records["gov2021_merged.docx"]
        raise AssertionError("read past the first record")

    assert next(report_rows(once_then_fail()))["id"] == records["gov2021_merged.docx"]["id"]
    assert next(cell_rows(once_then_fail()))["report_id"] == records["gov2021_merged.docx"]["id"]


def test_cells_csv_and_parquet_nulls(records, tmp_path):
    cells = list(cell_rows(records.values()))
    assert any(c["value"] is None for c in cells) and any(c["value"] == 0 for c in cells)
    out = io.StringIO(newline="")
    assert write_csv(iter(cells), out, CELL_COLUMNS) == len(cells)
    read = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["value"] for r in read] == ["" if c["value"] is None else str(c["value"]) for c in cells]

    path = tmp_path / "cells.parquet"
    assert write_parquet(iter(cells), path, batch_rows=100) == len(cells)
    assert pq.ParquetFile(path).metadata.num_row_groups == math.ceil(len(cells) / 100), "written in batches"
    table = pq.read_table(path)
    assert table.column_names == list(CELL_COLUMNS) and table.num_rows == len(cells)
    assert table.column("value").null_count == sum(c["value"] is None for c in cells)
    assert table.to_pylist() == [{**c, "value": None if c["value"] is None else float(c["value"])} for c in cells]


def test_empty_exports(tmp_path):
    path = tmp_path / "empty.parquet"
    assert write_parquet([], path) == 0
    table = pq.read_table(path)
    assert table.num_rows == 0 and table.column_names == list(CELL_COLUMNS)
    out = io.StringIO()
    assert write_csv([], out, REPORT_COLUMNS) == 0 and out.getvalue() == ",".join(REPORT_COLUMNS) + "\n"
    assert write_jsonl([], out) == 0


# the command line on a tiny store -----------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def store_dir(records, tmp_path_factory) -> Path:
    """A store with three reports: 2021 (南通, region path 江苏省/南通市/海门区), 2019 and pre-2019."""
    data = tmp_path_factory.mktemp("data")
    store = Store(database_url(data, None))
    try:
        for i, (name, region_path) in enumerate(
            [
                ("gov2021_merged.docx", "江苏省/南通市/海门区"),
                ("gov2019_merged.docx", "四川省/成都市/武侯区"),
                ("pre2019_report.html", None),
            ]
        ):
            assert store.put_report(f"https://www.example.gov.cn/nb/{i}.html", records[name], region_path) == "new"
    finally:
        store.close()
    return data


def test_cli_reports_csv(records, store_dir, tmp_path):
    proc = cli("export", "--format", "csv", "--data-dir", str(store_dir))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    names = ("gov2021_merged.docx", "gov2019_merged.docx", "pre2019_report.html")
    assert sorted(r["id"] for r in rows) == sorted(records[n]["id"] for n in names)
    by_id = {r["id"]: r for r in rows}
    assert by_id[records["gov2021_merged.docx"]["id"]]["requests_new_total"] == "59"
    assert by_id[records["gov2019_merged.docx"]["id"]]["requests_new_total"] == str(
        records["gov2019_merged.docx"]["requests"]["rows"]["new"][6]
    )
    assert by_id[records["pre2019_report.html"]["id"]]["requests_new_total"] == ""

    out = tmp_path / "reports.csv"
    proc = cli("export", "--format", "csv", "--data-dir", str(store_dir), "--out", str(out))
    assert proc.returncode == 0 and "3 reports written" in proc.stderr and proc.stdout == ""
    assert out.read_text("utf-8") == rows_text(rows)

    proc = cli("export", "--format", "csv", "--data-dir", str(store_dir), "--region", "江苏省")
    assert [r["id"] for r in csv.DictReader(io.StringIO(proc.stdout))] == [records["gov2021_merged.docx"]["id"]]


def rows_text(rows: list[dict]) -> str:
    out = io.StringIO(newline="")
    write_csv(rows, out, REPORT_COLUMNS)
    return out.getvalue()


def test_cli_cells_parquet_and_csv(records, store_dir, tmp_path):
    expected = expected_cells(records["gov2021_merged.docx"]) + expected_cells(records["gov2019_merged.docx"])
    assert expected == 200 + 198 + 7

    parquet = tmp_path / "cells.parquet"
    proc = cli("export", "--format", "cells", "--data-dir", str(store_dir), "--out", str(parquet))
    assert proc.returncode == 0, proc.stderr
    assert f"{expected} cells of 3 reports written" in proc.stderr
    table = pq.read_table(parquet)
    assert table.num_rows == expected and table.column_names == list(CELL_COLUMNS)
    rows = table.to_pylist()
    regulations = [r for r in rows if r["report_id"] == records["gov2021_merged.docx"]["id"] and r["row_key"] == "regulations"]
    assert [r["value"] for r in regulations] == [None, None, None], "'/' is a real null in Parquet"

    as_csv = tmp_path / "cells.csv"
    proc = cli("export", "--format", "cells", "--data-dir", str(store_dir), "--out", str(as_csv))
    assert proc.returncode == 0, proc.stderr
    stdout = cli("export", "--format", "cells", "--data-dir", str(store_dir))
    assert stdout.returncode == 0 and stdout.stdout == as_csv.read_text("utf-8")
    read = list(csv.DictReader(io.StringIO(stdout.stdout)))
    assert len(read) == expected
    assert [
        (r["report_id"], r["table"], r["row_key"], r["column_key"], float(r["value"]) if r["value"] else None) for r in read
    ] == [(r["report_id"], r["table"], r["row_key"], r["column_key"], r["value"]) for r in rows]

    proc = cli("export", "--format", "cells", "--data-dir", str(store_dir), "--region", "四川省/成都市", "--out", str(parquet))
    assert proc.returncode == 0 and pq.read_table(parquet).num_rows == 198 + 7


def test_cli_jsonl_still_works_and_bad_out(records, store_dir, tmp_path):
    proc = cli("export", "--data-dir", str(store_dir))
    assert proc.returncode == 0
    assert {json.loads(line)["id"] for line in proc.stdout.splitlines()} == {
        records[n]["id"] for n in ("gov2021_merged.docx", "gov2019_merged.docx", "pre2019_report.html")
    }
    for out in ("missing/cells.parquet", "missing/cells.csv"):
        proc = cli("export", "--format", "cells", "--data-dir", str(store_dir), "--out", str(tmp_path / out))
        assert proc.returncode == 2 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_reader_that_stops_early_is_no_error(store_dir):
    """`export | head`: the pipe closes before the export is written; exit 0, nothing on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "export", "--format", "cells", "--data-dir", str(store_dir)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.close()  # before the command has imported anything: its first flush meets a closed pipe
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert err == b""

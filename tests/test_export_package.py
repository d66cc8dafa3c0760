"""``export --format package`` and ``--partition-by year``: Parquet by year, and a datapackage.json that describes what is there.

The descriptor is checked against the Data Package / Tabular Data Resource v1 rules it
claims (names, paths, bytes, hashes, Table Schema field types) and against the files: every
CSV's header is its schema's fields in order, every value parses as its field's type, and the
Parquet partitions read back (Hive partitioning) to the same cells as the CSV.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from crawler.publish.exports import CELL_COLUMNS, REPORT_COLUMNS, cell_rows
from tests.conftest import ROOT
from tests.corpus_store import corpus, make_store

TABLE_TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "any"}  # fmt: skip
NAME = re.compile(r"^[a-z0-9._-]+$")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("data")
    store, _ = make_store(path)
    store.close()
    return path


def export(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--data-dir", str(data_dir), *args], capture_output=True, text=True, cwd=ROOT
    )


@pytest.fixture(scope="module")
def package(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "export"
    result = export(data_dir, "--format", "package", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"{len(corpus())} records" in result.stderr
    return out, json.loads((out / "datapackage.json").read_text("utf-8"))


def parses_as(value: str, kind: str) -> bool:
    if value == "":
        return True  # the declared missing value
    if kind == "integer":
        return re.fullmatch(r"-?\d+", value) is not None
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return False
        return True
    return kind == "string"


def test_descriptor_follows_the_data_package_rules(package):
    out, desc = package
    assert desc["profile"] == "data-package" and NAME.match(desc["name"])
    names = [r["name"] for r in desc["resources"]]
    assert len(names) == len(set(names)) and all(NAME.match(n) for n in names)
    assert {"records", "reports", "cells", "cells-parquet"} <= set(names)
    for resource in desc["resources"]:
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        assert paths
        for path in paths:
            assert not Path(path).is_absolute() and ".." not in Path(path).parts
            assert (out / path).is_file(), path
        if isinstance(resource["path"], str):
            body = (out / resource["path"]).read_bytes()
            assert resource["bytes"] == len(body)
            assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
        else:
            assert resource["bytes"] == sum((out / p).stat().st_size for p in paths)
            for path in paths:
                assert resource["hashes"][path] == "sha256:" + hashlib.sha256((out / path).read_bytes()).hexdigest()
        if "schema" in resource:
            fields = resource["schema"]["fields"]
            assert fields and all(f["type"] in TABLE_TYPES for f in fields)
            assert len({f["name"] for f in fields}) == len(fields)


def test_csv_files_match_their_table_schemas(package):
    out, desc = package
    resources = {r["name"]: r for r in desc["resources"]}
    for name, columns in (("reports", REPORT_COLUMNS), ("cells", CELL_COLUMNS)):
        resource = resources[name]
        fields = resource["schema"]["fields"]
        with (out / resource["path"]).open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [f["name"] for f in fields] == list(columns)
        assert len(rows) > 1
        for row in rows[1:]:
            for field, value in zip(fields, row, strict=True):
                assert parses_as(value, field["type"]), (name, field["name"], value)
                if field.get("constraints", {}).get("required"):
                    assert value != ""
    assert len(rows) - 1 == len(list(cell_rows(corpus())))
    reports_pk = resources["reports"]["schema"]["primaryKey"]
    assert reports_pk == ["id"]
    fk = resources["cells"]["schema"]["foreignKeys"][0]
    assert fk["reference"] == {"resource": "reports", "fields": ["id"]}


def test_parquet_partitions_read_back_to_the_cells(package):
    out, desc = package
    resource = next(r for r in desc["resources"] if r["name"] == "cells-parquet")
    assert all(re.fullmatch(r"cells/year=(\d{4}|__HIVE_DEFAULT_PARTITION__)/part-0\.parquet", p) for p in resource["path"])
    table = ds.dataset(out / "cells", format="parquet", partitioning="hive").to_table()
    got = sorted((r["report_id"], r["table"], r["row_key"], r["column_key"], r["year"], r["value"]) for r in table.to_pylist())
    want = sorted((c["report_id"], c["table"], c["row_key"], c["column_key"], c["year"], c["value"]) for c in cell_rows(corpus()))
    assert got == want
    assert sum(resource["partitioning"]["rows"].values()) == len(want)
    assert {f["name"] for f in resource["schema"]["fields"]} == set(table.schema.names)
    one = ds.dataset(out / resource["path"][0], format="parquet")
    assert "year" not in one.schema.names, "the year is in the folder name, not repeated in the file"


def test_blank_cells_are_null_in_parquet(package):
    out, _ = package
    table = ds.dataset(out / "cells", format="parquet", partitioning="hive").to_table()
    nulls = sum(1 for c in cell_rows(corpus()) if c["value"] is None)
    assert nulls > 0
    assert table.column("value").null_count == nulls


def test_partition_by_year_alone(data_dir, tmp_path):
    result = export(data_dir, "--format", "cells", "--partition-by", "year", "--out", str(tmp_path / "cells"))
    assert result.returncode == 0, result.stderr
    years = sorted(p.name for p in (tmp_path / "cells").iterdir())
    assert years == [f"year={y}" for y in sorted({c["year"] for c in cell_rows(corpus())})]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "package"], "needs --out FOLDER"),
        (["--format", "csv", "--partition-by", "year", "--out", "x"], "--partition-by applies to --format cells only"),
    ],
)
def test_folder_exports_bad_options(data_dir, args, message):
    result = export(data_dir, *args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_package_over_a_file_is_an_error(data_dir, tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    result = export(data_dir, "--format", "package", "--out", str(target))
    assert result.returncode == 2 and "is a file" in result.stderr

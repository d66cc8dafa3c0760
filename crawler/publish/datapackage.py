"""An export package: the records and their flat tables in one folder, described by a Frictionless ``datapackage.json``.

:func:`write_package` reads the records once and writes, side by side::

    records.jsonl          the records (JSON Schema: record.schema.json, copied in)
    reports.csv            one row per report (crawler.publish.exports.REPORT_COLUMNS)
    cells.csv              one row per table cell (crawler.publish.exports.CELL_COLUMNS)
    cells/year=YYYY/part-0.parquet   the same cells, Parquet, partitioned by year (Hive style)
    datapackage.json       Data Package v1: every file with its bytes and sha256, and a Table
                           Schema for each table (types, descriptions, "" as the missing value in CSV)

The Table Schemas come from the column lists and the Parquet schema the exports use, so a
column added there is described here without a second list to keep in step.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from crawler.core.report import SCHEMA_PATH, SCHEMA_VERSION
from crawler.publish.exports import (
    CELL_COLUMNS,
    CELL_SCHEMA,
    REPORT_COLUMNS,
    PartitionedParquet,
    cell_rows,
    report_rows,
    write_jsonl,
)

#: reports CSV columns that hold whole numbers; the other numeric ones may be fractional (fees in 万元)
_REPORT_INTEGERS = {"year", "n_sources", "n_checks", "n_failed_checks", "n_corpus_failed", "n_warnings"}
_REPORT_NUMBERS = {
    "requests_new_total", "requests_carried_over_total", "requests_result_total", "requests_carried_forward_total",
    "review_total", "litigation_direct_total", "litigation_after_review_total", "proactive_licensing_decisions",
    "proactive_penalty_decisions", "proactive_enforcement_decisions", "proactive_regulations_made",
    "proactive_normative_documents_made", "fees",
}  # fmt: skip
_REPORT_NOTES = {
    "id": "stable id of the report (agency + year + content)",
    "template": "2021, 2019 or pre2019, decided from the tables' layout",
    "fees": "2021 template: fees collected (万元); 2019: fee items the year before; empty for pre-2019",
    "failed_checks": "failed checks as rule:scope, joined with ';'",
    "n_corpus_failed": "failed cross-year checks (X-1, X-2)",
}


def _table_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type):
        return "number"
    return "string"


def reports_schema() -> dict[str, Any]:
    fields = []
    for name in REPORT_COLUMNS:
        kind = "integer" if name in _REPORT_INTEGERS else "number" if name in _REPORT_NUMBERS else "string"
        field: dict[str, Any] = {"name": name, "type": kind}
        if name in _REPORT_NOTES:
            field["description"] = _REPORT_NOTES[name]
        fields.append(field)
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}


def cells_schema() -> dict[str, Any]:
    fields = []
    for name in CELL_COLUMNS:
        arrow = CELL_SCHEMA.field(name)
        field: dict[str, Any] = {"name": name, "type": _table_type(arrow.type)}
        if not arrow.nullable:
            field["constraints"] = {"required": True}
        description = (arrow.metadata or {}).get(b"description")
        if description:
            field["description"] = description.decode("utf-8")
        fields.append(field)
    return {
        "fields": fields,
        "missingValues": [""],
        "foreignKeys": [{"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["id"]}}],
    }


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
            size += len(chunk)
    return size, "sha256:" + sha.hexdigest()


def _file_resource(out: Path, name: str, relative: str, **extra: Any) -> dict[str, Any]:
    size, digest = _digest(out / relative)
    return {"name": name, "path": relative, **extra, "bytes": size, "hash": digest}


def descriptor(out: Path, parquet_files: list[Path], partitions: dict[str, int], created: str) -> dict[str, Any]:
    """``datapackage.json`` for a package folder whose files are written."""
    parquet_paths = [p.relative_to(out).as_posix() for p in parquet_files]
    parquet_sizes = [_digest(p) for p in parquet_files]
    parquet_schema = cells_schema()
    parquet_schema.pop("missingValues")  # Parquet has real nulls
    return {
        "profile": "data-package",
        "name": "govreports-export",
        "title": "政府信息公开工作年度报告: records, reports and table cells",
        "description": "Records parsed from Chinese government information-disclosure annual reports, with flat tables for analysis.",
        "created": created,
        "recordSchemaVersion": SCHEMA_VERSION,
        "resources": [
            _file_resource(
                out,
                "records",
                "records.jsonl",
                format="jsonl",
                mediatype="application/jsonl",
                encoding="utf-8",
                description="one record per line; its JSON Schema is record.schema.json",
                jsonSchema="record.schema.json",
            ),
            _file_resource(out, "record-schema", "record.schema.json", format="json", mediatype="application/schema+json"),
            _file_resource(
                out,
                "reports",
                "reports.csv",
                profile="tabular-data-resource",
                format="csv",
                mediatype="text/csv",
                encoding="utf-8",
                dialect={"delimiter": ",", "header": True, "lineTerminator": "\n"},
                schema=reports_schema(),
            ),
            _file_resource(
                out,
                "cells",
                "cells.csv",
                profile="tabular-data-resource",
                format="csv",
                mediatype="text/csv",
                encoding="utf-8",
                dialect={"delimiter": ",", "header": True, "lineTerminator": "\n"},
                schema=cells_schema(),
            ),
            {
                "name": "cells-parquet",
                "path": parquet_paths,
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "description": "the cells table in Parquet, partitioned by year (Hive style: the year is in the directory name, "
                "not in the files; a null year is __HIVE_DEFAULT_PARTITION__)",
                "partitioning": {"style": "hive", "fields": ["year"], "rows": partitions},
                "bytes": sum(size for size, _ in parquet_sizes),
                "hashes": dict(zip(parquet_paths, (digest for _, digest in parquet_sizes), strict=True)),
                "schema": parquet_schema,
            },
        ],
    }


def write_package(records: Iterable[Mapping[str, Any]], out: Path, created: str | None = None) -> dict[str, int]:
    """The export package in ``out`` (created; the package's own files replaced); returns counts."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "cells", ignore_errors=True)  # an older export's partitions must not linger
    shutil.copyfile(SCHEMA_PATH, out / "record.schema.json")
    counts = {"records": 0, "cells": 0}
    parquet = PartitionedParquet(out / "cells")
    try:
        with contextlib.ExitStack() as stack:
            jsonl = stack.enter_context((out / "records.jsonl").open("w", encoding="utf-8"))
            reports_csv = stack.enter_context((out / "reports.csv").open("w", encoding="utf-8", newline=""))
            cells_csv = stack.enter_context((out / "cells.csv").open("w", encoding="utf-8", newline=""))
            report_writer = csv.DictWriter(
                reports_csv, fieldnames=list(REPORT_COLUMNS), lineterminator="\n", extrasaction="raise"
            )
            cell_writer = csv.DictWriter(cells_csv, fieldnames=list(CELL_COLUMNS), lineterminator="\n", extrasaction="raise")
            report_writer.writeheader()
            cell_writer.writeheader()
            # one pass over the records (a store streams them): each goes to the four outputs, then is dropped
            for record in records:
                write_jsonl([record], jsonl)
                report_writer.writerows(report_rows([record]))
                cells = list(cell_rows([record]))
                cell_writer.writerows(cells)
                parquet.write(cells)
                counts["records"] += 1
                counts["cells"] += len(cells)
    finally:
        partitions = parquet.close()
    created = created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    package = descriptor(out, parquet.files(), partitions, created)
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return counts

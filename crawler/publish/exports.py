"""Flat exports of the records for other tools: JSON lines, a CSV of reports, a long table of cells.

Plain functions over records (any iterable of record dicts, e.g. ``Store.records()``),
streaming: one record is in memory at a time, and Parquet is written in batches.

* :func:`report_rows`: one row per report (:data:`REPORT_COLUMNS`): identity,
  provenance, the key totals of the three tables, the checks.
* :func:`cell_rows`: one row per table cell (:data:`CELL_COLUMNS`), long format:
  table 二 (``proactive``), 三 (``requests``) and 四 (``review_litigation``).
* :func:`write_jsonl`, :func:`write_csv`, :func:`write_parquet`: the writers.

Null is not 0. A cell the report left blank (or printed "/", "-", "无", or that could
not be read) is null in the record; in CSV it is written as an empty field, in
Parquet it is a real null. A 0 is a printed 0. The same holds for every total of
the reports CSV, and a total is null too when the report has no such table
(pre-2019 reports have none).

CSV is plain UTF-8 (no byte-order mark) with a header row and ``\\n`` line ends,
quoted by the :mod:`csv` module where needed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.core.parse.labels import REQUEST_COLUMNS, REVIEW_FIELD_LABELS, REVIEW_GROUP_LABELS

#: table 四's printed labels: "行政复议/结果维持" (groups and fields in the record's order)
REVIEW_GROUPS = REVIEW_GROUP_LABELS
REVIEW_FIELDS = REVIEW_FIELD_LABELS

#: the reports CSV, in order
REPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "agency",
    "year",
    "province",
    "city",
    "county",
    "template",
    "title",
    "published_date",
    "source_format",
    "url",
    "page_url",
    "sha256",
    "n_sources",
    "requests_new_total",
    "requests_carried_over_total",
    "requests_result_total",
    "requests_carried_forward_total",
    "review_total",
    "litigation_direct_total",
    "litigation_after_review_total",
    "proactive_licensing_decisions",
    "proactive_penalty_decisions",
    "proactive_enforcement_decisions",
    "proactive_regulations_made",
    "proactive_normative_documents_made",
    "fees",
    "n_checks",
    "n_failed_checks",
    "failed_checks",
    "n_corpus_failed",
    "n_warnings",
    "parser_version",
)

#: the cells table, in order
CELL_COLUMNS: tuple[str, ...] = (
    "report_id",
    "agency",
    "year",
    "template",
    "table",
    "row_key",
    "column_key",
    "printed_label",
    "value",
)

#: the cells table in Parquet: every value a float64 (integers as printed are exact), null for blank
CELL_SCHEMA = pa.schema(
    [
        pa.field("report_id", pa.string(), nullable=False),
        pa.field("agency", pa.string()),
        pa.field("year", pa.int32()),
        pa.field("template", pa.string()),
        pa.field("table", pa.string(), nullable=False),
        pa.field("row_key", pa.string(), nullable=False),
        pa.field("column_key", pa.string(), nullable=False),
        pa.field("printed_label", pa.string()),
        pa.field(
            "value",
            pa.float64(),
            metadata={"description": "the number as printed; null when blank, '/', '-', '无' or unreadable (never 0)"},
        ),
    ],
    metadata={"source": "govreports crawler: one row per table cell of 政府信息公开工作年度报告"},
)

#: rows per Parquet record batch (and row group at most)
PARQUET_BATCH_ROWS = 65_536


# rows -------------------------------------------------------------------------------------


def report_rows(records: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """One flat row per record, keyed by :data:`REPORT_COLUMNS`; None where the record has nothing.

    ``fees`` depends on the template: 2021, the fees collected (``amount_10k_yuan``, 万元);
    2019, the number of fee items the year before (``previous``); pre-2019, None.
    ``failed_checks`` joins the failed checks' ``rule:scope`` with ";", and
    ``n_corpus_failed`` counts the failed cross-year ``corpus_checks``.
    ``n_sources`` is None for a record without ``sources`` (a local parse, not a crawl).
    """
    for record in records:
        yield _report_row(record)


def _report_row(record: Mapping[str, Any]) -> dict[str, Any]:
    region = record.get("region") or {}
    rows = (record.get("requests") or {}).get("rows") or {}
    review = record.get("review_litigation") or {}
    proactive = record.get("proactive") or {}
    checks = record.get("checks") or []
    failed = _failed_checks(checks)
    sources = record.get("sources")
    fees = proactive.get("fees") or {}
    return {
        "id": record["id"],
        "agency": record.get("agency"),
        "year": record.get("year"),
        "province": region.get("province"),
        "city": region.get("city"),
        "county": region.get("county"),
        "template": record.get("template"),
        "title": record.get("title"),
        "published_date": record.get("published_date"),
        "source_format": record.get("source_format"),
        "url": record.get("url"),
        "page_url": record.get("page_url"),
        "sha256": record.get("sha256"),
        "n_sources": len(sources) if isinstance(sources, list) else None,
        "requests_new_total": _total(rows.get("new")),
        "requests_carried_over_total": _total(rows.get("carried_over")),
        "requests_result_total": _total(rows.get("result_total")),
        "requests_carried_forward_total": _total(rows.get("carried_forward")),
        "review_total": (review.get("review") or {}).get("total"),
        "litigation_direct_total": (review.get("litigation_direct") or {}).get("total"),
        "litigation_after_review_total": (review.get("litigation_after_review") or {}).get("total"),
        "proactive_licensing_decisions": (proactive.get("licensing") or {}).get("decisions"),
        "proactive_penalty_decisions": (proactive.get("penalty") or {}).get("decisions"),
        "proactive_enforcement_decisions": (proactive.get("enforcement") or {}).get("decisions"),
        "proactive_regulations_made": (proactive.get("regulations") or {}).get("made"),
        "proactive_normative_documents_made": (proactive.get("normative_documents") or {}).get("made"),
        "fees": fees.get("amount_10k_yuan") if "amount_10k_yuan" in fees else fees.get("previous"),
        "n_checks": len(checks),
        "n_failed_checks": len(failed),
        "failed_checks": ";".join(failed),
        "n_corpus_failed": sum(1 for c in record.get("corpus_checks") or [] if c.get("ok") is False),
        "n_warnings": len(record.get("warnings") or []),
        "parser_version": record.get("parser_version"),
    }


def _total(values: Sequence[Any] | None) -> Any:
    """The 总计 column (the last of the seven) of a table 三 row, None when the row is absent."""
    return values[len(REQUEST_COLUMNS) - 1] if values and len(values) >= len(REQUEST_COLUMNS) else None


def _failed_checks(checks: Iterable[dict[str, Any]]) -> list[str]:
    """``rule:scope`` of every failed check, each once, sorted (as the record's ``failed_checks``)."""
    return sorted({c["rule"] + (":" + c["scope"] if c.get("scope") else "") for c in checks if c.get("ok") is False})


def cell_rows(records: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """One row per table cell, keyed by :data:`CELL_COLUMNS`, tables 二, 三, 四 in that order.

    * ``proactive`` (表二): every item × its fields, e.g. row_key ``licensing``, column_key
      ``decisions``; printed_label is the item's label as printed. Rows the report adds
      are row_key ``extra:<n>`` (n: 0-based index in ``extra_rows``), column_key
      ``value<i>`` (i: 0-based position in its values), with their own label.
    * ``requests`` (表三): every row × the seven columns (``natural_person`` … ``total``),
      printed_label the row's label as printed; extra rows as ``extra:<n>`` with theirs.
    * ``review_litigation`` (表四): the three groups × five fields, 15 cells, printed_label
      the official names joined by "/", e.g. ``行政复议/结果维持``.

    A report without a table (null) has no cells of it. ``value`` is the number as in the
    record (int or float), None for a blank cell.
    """
    for record in records:
        yield from _record_cells(record)


def _record_cells(record: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    base = {
        "report_id": record["id"],
        "agency": record.get("agency"),
        "year": record.get("year"),
        "template": record.get("template"),
    }

    def cell(table: str, row_key: str, column_key: str, label: str | None, value: Any) -> dict[str, Any]:
        return {**base, "table": table, "row_key": row_key, "column_key": column_key, "printed_label": label, "value": value}

    proactive = record.get("proactive")
    if proactive:
        labels = proactive.get("labels") or {}
        for item, fields in proactive.items():
            if item in ("labels", "extra_rows") or not isinstance(fields, dict):
                continue
            for field, value in fields.items():
                yield cell("proactive", item, field, labels.get(item), value)
        for n, extra in enumerate(proactive.get("extra_rows") or []):
            for i, value in enumerate(extra.get("values") or []):
                yield cell("proactive", f"extra:{n}", f"value{i}", extra.get("label"), value)

    requests = record.get("requests")
    if requests:
        columns = requests.get("columns") or REQUEST_COLUMNS
        labels = requests.get("labels") or {}
        for row_key, values in (requests.get("rows") or {}).items():
            for column, value in zip(columns, values):
                yield cell("requests", row_key, column, labels.get(row_key), value)
        for n, extra in enumerate(requests.get("extra_rows") or []):
            for column, value in zip(columns, extra.get("values") or []):
                yield cell("requests", f"extra:{n}", column, extra.get("label"), value)

    review = record.get("review_litigation")
    if review:
        for group, group_name in REVIEW_GROUPS.items():
            if group not in review:
                continue
            for field, field_name in REVIEW_FIELDS.items():
                yield cell("review_litigation", group, field, f"{group_name}/{field_name}", review[group].get(field))


# writers ----------------------------------------------------------------------------------


def write_jsonl(records: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """The records, one JSON object per line (UTF-8 text, keys sorted); returns how many."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, columns: Sequence[str]) -> int:
    """Rows as CSV with a header row; None is written as an empty field. Returns the rows written.

    ``out`` should be opened with ``newline=""`` (as :mod:`csv` asks) and UTF-8.
    """
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_parquet(
    rows: Iterable[dict[str, Any]], path: str | Path, schema: pa.Schema = CELL_SCHEMA, batch_rows: int = PARQUET_BATCH_ROWS
) -> int:
    """Rows to a Parquet file in record batches of ``batch_rows``; None is a null. Returns the rows written.

    The file always has the schema, even with no rows.
    """
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(str(path), schema) as writer:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_rows:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


class PartitionedParquet:
    """The cells in Parquet, one directory per year (Hive style: ``year=2023/part-0.parquet``), written as rows arrive.

    The partition column is in the directory name, not in the files, as Hive, Spark, DuckDB
    and ``pyarrow.dataset`` / ``pandas.read_parquet(directory)`` expect; a row whose year is
    null goes to ``year=__HIVE_DEFAULT_PARTITION__``. One writer per year stays open (a corpus
    spans a few dozen years at most) and rows are buffered per year in batches.
    """

    NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

    def __init__(
        self, directory: str | Path, column: str = "year", schema: pa.Schema = CELL_SCHEMA, batch_rows: int = PARQUET_BATCH_ROWS
    ) -> None:
        self.directory = Path(directory)
        self.column = column
        self.file_schema = schema.remove(schema.get_field_index(column))
        self.batch_rows = batch_rows
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._batches: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[str, int] = {}

    def _key(self, value: Any) -> str:
        return self.NULL_PARTITION if value is None else str(value)

    def path(self, key: str) -> Path:
        return self.directory / f"{self.column}={key}" / "part-0.parquet"

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            key = self._key(row[self.column])
            batch = self._batches.setdefault(key, [])
            batch.append(row)
            if len(batch) >= self.batch_rows:
                self._flush(key)

    def _flush(self, key: str) -> None:
        batch = self._batches.get(key)
        if not batch:
            return
        writer = self._writers.get(key)
        if writer is None:
            self.path(key).parent.mkdir(parents=True, exist_ok=True)
            writer = self._writers[key] = pq.ParquetWriter(str(self.path(key)), self.file_schema)
        writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=self.file_schema))
        self.rows[key] = self.rows.get(key, 0) + len(batch)
        self._batches[key] = []

    def close(self) -> dict[str, int]:
        """Flush and close every file; returns rows per partition (partition value as in the directory name)."""
        for key in list(self._batches):
            self._flush(key)
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        return dict(sorted(self.rows.items()))

    def files(self) -> list[Path]:
        return [self.path(key) for key in sorted(self.rows)]


def write_parquet_by_year(rows: Iterable[dict[str, Any]], directory: str | Path) -> dict[str, int]:
    """The cells as a year-partitioned Parquet dataset under ``directory``; returns rows per year."""
    writer = PartitionedParquet(directory)
    try:
        writer.write(rows)
    finally:
        counts = writer.close()
    return counts

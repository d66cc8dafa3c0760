"""``python -m crawler export``: the stored records for other tools.

``--format jsonl``: the records, one JSON object per line.
``--format csv``: one row per report (``crawler.publish.exports.REPORT_COLUMNS``).
``--format cells``: one row per table cell (``crawler.publish.exports.CELL_COLUMNS``): Parquet when
``--out`` ends with ``.parquet``, CSV otherwise (and on standard output); with
``--partition-by year``, ``--out`` is a folder of Parquet files, one folder per year
(``year=2023/part-0.parquet``, Hive style, as pandas, DuckDB and Spark read them).
``--format package``: all of it in the folder ``--out``: records.jsonl, reports.csv, cells.csv,
the cells in Parquet partitioned by year, record.schema.json, and a Frictionless
``datapackage.json`` describing every file and table.

Without ``--out`` the export goes to standard output. In CSV a blank cell (null in the
record) is an empty field, never 0; in Parquet it is a null.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from crawler.cli.options import add_store_options, open_store
from crawler.core.errors import ReportError
from crawler.publish.datapackage import write_package
from crawler.publish.exports import (
    CELL_COLUMNS,
    REPORT_COLUMNS,
    cell_rows,
    report_rows,
    write_csv,
    write_jsonl,
    write_parquet,
    write_parquet_by_year,
)

FORMATS = ("jsonl", "csv", "cells", "package")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="write the stored records: JSON lines, a CSV of reports, or table cells (CSV or Parquet)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="jsonl: the records; csv: one row per report; cells: one row per table cell; package: all, with datapackage.json (default jsonl)",
    )
    p.add_argument(
        "--out", help="a file to write (default: standard output); for cells, *.parquet writes Parquet; a folder for package"
    )
    p.add_argument("--partition-by", choices=["year"], help="cells only: write Parquet partitioned by year into the folder --out")
    p.add_argument("--region", help="only this registry region and its children")
    add_store_options(p)
    p.set_defaults(func=run)


class _Counted:
    """Passes records through, counting them."""

    def __init__(self, records: Iterable[Mapping[str, Any]]) -> None:
        self._records = records
        self.count = 0

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for record in self._records:
            self.count += 1
            yield record


def run(args: argparse.Namespace) -> int:
    if args.format == "package" or args.partition_by:
        return _run_folder(args)
    store = open_store(args)
    parquet = args.format == "cells" and bool(args.out) and str(args.out).lower().endswith(".parquet")
    # a reader that stops early (``| head``) ends the export in crawler.cli.main: exit status 0, no traceback
    with contextlib.ExitStack() as stack:
        stack.callback(store.close)
        records = _Counted(store.records(args.region))
        if parquet:
            written = _write_parquet(records, args.out)
        else:
            out = stack.enter_context(_open(args.out)) if args.out else sys.stdout
            written = _write_text(args.format, records, out)
    if args.out:
        if args.format == "cells":
            what = f"{written} cells of {records.count} reports"
        elif args.format == "csv":
            what = f"{written} reports"
        else:
            what = f"{written} records"
        print(f"{what} written to {args.out}", file=sys.stderr)
    return 0


def _run_folder(args: argparse.Namespace) -> int:
    """The exports written into a folder: the package, or the cells partitioned by year."""
    if args.partition_by and args.format != "cells":
        raise ReportError("--partition-by applies to --format cells only")
    if not args.out:
        raise ReportError(
            f"--format {args.format}{' --partition-by ' + args.partition_by if args.partition_by else ''} needs --out FOLDER"
        )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out} is a file: --out names a folder here")
    store = open_store(args)
    try:
        records = _Counted(store.records(args.region))
        if args.format == "package":
            counts = write_package(records, out)
            what = f"{counts['records']} records, {counts['cells']} cells and datapackage.json"
        else:
            per_year = write_parquet_by_year(cell_rows(records), out)
            what = f"{sum(per_year.values())} cells of {records.count} reports in {len(per_year)} year partitions"
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        store.close()
    print(f"{what} written to {out}", file=sys.stderr)
    return 0


def _open(path: str) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write_parquet(records: Iterable[Mapping[str, Any]], path: str) -> int:
    try:
        return write_parquet(cell_rows(records), path)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc}") from exc


def _write_text(fmt: str, records: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    if fmt == "jsonl":
        return write_jsonl(records, out)
    if fmt == "csv":
        return write_csv(report_rows(records), out, REPORT_COLUMNS)
    return write_csv(cell_rows(records), out, CELL_COLUMNS)

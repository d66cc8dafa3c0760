"""The browse database: a SQLite file derived from the store, for Datasette and the static report.

Datasette and the report never open the crawl's store: :func:`build` reads it (SQLite or
PostgreSQL, through :class:`crawler.store.database.Store`) and writes a separate file, by default
``data/browse.sqlite``, replaced atomically when complete. Tables:

``reports``       one row per report: identity, region, template, provenance, the WARC location and a
                  ``replay_url`` into pywb, key totals (as the reports CSV), failed checks as JSON arrays
``report_text``   the title and full text of each report (same rowid as ``reports``)
``reports_fts``   FTS5 over title and text as character bigrams (:mod:`crawler.publish.browse.fts`), contentless
``cells``         the long cells table (``crawler.publish.exports.cell_rows``) with the province
``checks``        every check of every report (``kind`` ``report``) and the cross-year ones (``corpus``)
``crawl_failures`` URLs the crawl could not fetch or parse, or skipped on purpose, with the reason
``coverage``      reports per region and year: templates, agencies, reports failing a check
``build_info``    where the data came from and when it was derived
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from crawler.core.errors import ReportError
from crawler.publish.browse.fts import bigram_text
from crawler.publish.exports import CELL_COLUMNS, REPORT_COLUMNS, cell_rows, report_rows
from crawler.store.database import Store, documents, reports

#: where scripts/replay.sh serves the archive (pywb, collection ``govreports``)
DEFAULT_REPLAY_BASE = "http://127.0.0.1:8080/govreports/"

_REPORT_EXTRA = ("region_path", "fetched_at", "warc_file", "warc_offset", "warc_record_id", "replay_url", "failed_rules")
REPORT_TABLE_COLUMNS: tuple[str, ...] = (*REPORT_COLUMNS, *_REPORT_EXTRA)
_INTEGER_COLUMNS = {"year", "n_sources", "n_checks", "n_failed_checks", "n_corpus_failed", "n_warnings", "warc_offset"}
_TEXT_COLUMNS = {
    "id", "agency", "province", "city", "county", "template", "title", "published_date", "source_format", "url", "page_url",
    "sha256", "failed_checks", "parser_version", *_REPORT_EXTRA,
} - {"warc_offset"}  # fmt: skip

_SCHEMA = """
CREATE TABLE build_info (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE report_text (id TEXT PRIMARY KEY REFERENCES reports(id), title TEXT, text TEXT);
CREATE VIRTUAL TABLE reports_fts USING fts5(title, text, content='', tokenize='unicode61 remove_diacritics 2');
CREATE TABLE checks (
    report_id TEXT REFERENCES reports(id), agency TEXT, year INTEGER, province TEXT, template TEXT,
    kind TEXT, rule TEXT, scope TEXT, ok INTEGER, detail TEXT
);
CREATE TABLE crawl_failures (url TEXT PRIMARY KEY, page TEXT, role TEXT, outcome TEXT, status INTEGER, reason TEXT, fetched_at TEXT);
CREATE INDEX reports_region ON reports(province, city, county);
CREATE INDEX reports_year ON reports(year);
CREATE INDEX reports_agency ON reports(agency, year);
CREATE INDEX reports_template ON reports(template);
CREATE INDEX cells_report ON cells(report_id);
CREATE INDEX cells_lookup ON cells("table", row_key, column_key, year);
CREATE INDEX checks_rule ON checks(rule, ok, year);
CREATE INDEX checks_report ON checks(report_id);
"""

_COVERAGE = """
CREATE TABLE coverage AS
SELECT coalesce(province, '(unknown)') AS province, city, county, year,
       count(*) AS reports,
       count(DISTINCT agency) AS agencies,
       sum(template = '2021') AS template_2021,
       sum(template = '2019') AS template_2019,
       sum(template = 'pre2019') AS template_pre2019,
       sum(n_failed_checks > 0) AS reports_failing_checks,
       sum(n_corpus_failed > 0) AS reports_failing_corpus_checks
FROM reports GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
"""


def default_path(data_dir: Path) -> Path:
    return data_dir / "browse.sqlite"


def replay_url(base: str, record: Mapping[str, Any]) -> str | None:
    """pywb's address of the capture the record was parsed from: ``{base}{YYYYMMDDhhmmss}/{url}``."""
    url = record.get("url")
    if not url or not base:
        return None
    stamp = "".join(ch for ch in str(record.get("fetched_at") or "") if ch.isdigit())[:14]
    # a capture's own timestamp replays that capture; without one pywb shows the latest
    return f"{base.rstrip('/')}/{stamp + '/' if len(stamp) == 14 else ''}{quote(url, safe=':/?&=%#~+,;@!$*()')}"


def _report_row(record: Mapping[str, Any], base: str, region_path: str | None) -> dict[str, Any]:
    row = next(report_rows([record]))
    failed = [c for c in record.get("failed_checks") or [] if isinstance(c, str)]
    warc = record.get("warc") or {}
    row.update(
        failed_checks=json.dumps(failed, ensure_ascii=False),
        failed_rules=json.dumps(sorted({c.split(":", 1)[0] for c in failed}), ensure_ascii=False),
        region_path=region_path,
        fetched_at=record.get("fetched_at"),
        warc_file=warc.get("file"),
        warc_offset=warc.get("offset"),
        warc_record_id=warc.get("record_id"),
        replay_url=replay_url(base, record),
    )
    return row


def _checks(record: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
    region = record.get("region") or {}
    for kind, checks in (("report", record.get("checks")), ("corpus", record.get("corpus_checks"))):
        for check in checks or []:
            ok = check.get("ok")
            yield (
                record["id"], record.get("agency"), record.get("year"), region.get("province"), record.get("template"),
                kind, check.get("rule"), check.get("scope"), None if ok is None else int(bool(ok)), check.get("detail"),
            )  # fmt: skip


def _create_tables(db: sqlite3.Connection) -> None:
    def decl(name: str) -> str:
        kind = "INTEGER" if name in _INTEGER_COLUMNS else "TEXT" if name in _TEXT_COLUMNS else "NUMERIC"
        return f'"{name}" {kind}' + (" PRIMARY KEY" if name == "id" else "")

    db.execute(f"CREATE TABLE reports ({', '.join(decl(c) for c in REPORT_TABLE_COLUMNS)})")
    cell_columns = [*CELL_COLUMNS, "province"]
    kinds = {"report_id": "TEXT REFERENCES reports(id)", "year": "INTEGER", "value": "REAL"}
    columns = ", ".join(f'"{c}" {kinds.get(c, "TEXT")}' for c in cell_columns)
    db.execute(f"CREATE TABLE cells ({columns})")
    db.executescript(_SCHEMA)


def _region_paths(store: Store) -> dict[str, str | None]:
    with store.engine.connect() as conn:
        return {rid: path for rid, path in conn.execute(sa.select(reports.c.id, reports.c.region_path))}


def _crawl_failures(store: Store) -> Iterable[tuple[Any, ...]]:
    query = (
        sa.select(
            documents.c.url,
            documents.c.group_key,
            documents.c.role,
            documents.c.outcome,
            documents.c.status,
            documents.c.error,
            documents.c.fetched_at,
        )
        .where(documents.c.outcome.in_(["failed", "skipped"]))
        .order_by(documents.c.outcome, documents.c.url)
    )
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def build(store: Store, out: Path, replay_base: str = DEFAULT_REPLAY_BASE) -> dict[str, int]:
    """Derive the browse database from a store into ``out`` (replaced when complete); returns row counts."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    paths = _region_paths(store)
    counts = {"reports": 0, "cells": 0, "checks": 0, "crawl_failures": 0}
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # a scratch file until the rename: nothing to recover
        db.execute("PRAGMA synchronous=OFF")
        _create_tables(db)
        report_sql = f"INSERT INTO reports VALUES ({', '.join('?' * len(REPORT_TABLE_COLUMNS))})"
        cell_sql = f"INSERT INTO cells VALUES ({', '.join('?' * (len(CELL_COLUMNS) + 1))})"
        for record in store.records():
            row = _report_row(record, replay_base, paths.get(record["id"]))
            rowid = db.execute(report_sql, [row[c] for c in REPORT_TABLE_COLUMNS]).lastrowid
            db.execute(
                "INSERT INTO report_text (rowid, id, title, text) VALUES (?, ?, ?, ?)",
                (rowid, record["id"], record.get("title"), record.get("text")),
            )
            db.execute(
                "INSERT INTO reports_fts (rowid, title, text) VALUES (?, ?, ?)",
                (rowid, bigram_text(record.get("title")), bigram_text(record.get("text"))),
            )
            province = (record.get("region") or {}).get("province")
            cells = [[*(cell[c] for c in CELL_COLUMNS), province] for cell in cell_rows([record])]
            db.executemany(cell_sql, cells)
            checks = list(_checks(record))
            db.executemany("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", checks)
            counts["reports"] += 1
            counts["cells"] += len(cells)
            counts["checks"] += len(checks)
        failures = list(_crawl_failures(store))
        db.executemany("INSERT INTO crawl_failures VALUES (?, ?, ?, ?, ?, ?, ?)", failures)
        counts["crawl_failures"] = len(failures)
        db.executescript(_COVERAGE)
        built = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        db.executemany(
            "INSERT INTO build_info VALUES (?, ?)",
            [
                ("source", _redacted(store.url)),
                ("built_at", built),
                ("replay_base", replay_base),
                *((k, str(v)) for k, v in counts.items()),
            ],
        )
        db.commit()
        db.execute("PRAGMA optimize")
    except sqlite3.Error as exc:
        db.close()
        tmp.unlink(missing_ok=True)
        raise ReportError(f"cannot write the browse database {out}: {exc}") from exc
    db.close()
    os.replace(tmp, out)
    return counts


def _redacted(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)

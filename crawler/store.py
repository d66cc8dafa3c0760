"""The record store: SQLite by default, PostgreSQL by URL, one schema (SQLAlchemy Core).

``reports``: one row per report (the JSON record plus indexed columns).
``documents``: the crawl state, one row per fetched URL: validators (ETag,
Last-Modified), content hash, where its bytes are in the WARCs, what parsing
it gave, and which report it belongs to. A report page and its attachments
share a ``group_key`` (the page URL); their best parse is the report's record
and all of them are listed in its ``sources``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from crawler.errors import ReportError
from crawler.grouplock import serialize_report

metadata = sa.MetaData()

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("group_key", sa.Text, nullable=False, index=True),
    sa.Column("agency", sa.Text, index=True),
    sa.Column("year", sa.Integer, index=True),
    sa.Column("province", sa.Text, index=True),
    sa.Column("city", sa.Text, index=True),
    sa.Column("county", sa.Text),
    sa.Column("template", sa.String(8), index=True),
    sa.Column("url", sa.Text),
    sa.Column("sha256", sa.String(64), index=True),
    sa.Column("failed_checks", sa.Text),
    sa.Column("n_failed_checks", sa.Integer),
    sa.Column("region_path", sa.Text, index=True),
    sa.Column("record", sa.JSON, nullable=False),
    sa.Column("first_seen", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

# a report page (group) → the report it shows; several pages may show one report
report_groups = sa.Table(
    "report_groups",
    metadata,
    sa.Column("group_key", sa.Text, primary_key=True),
    sa.Column("report_id", sa.String(64), nullable=False, index=True),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("group_key", sa.Text, index=True),
    sa.Column("role", sa.String(16)),
    sa.Column("status", sa.Integer),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("content_type", sa.Text),
    sa.Column("sha256", sa.String(64)),
    sa.Column("fetched_at", sa.Text),
    sa.Column("checked_at", sa.Text),
    sa.Column("warc_file", sa.Text),
    sa.Column("warc_offset", sa.BigInteger),
    sa.Column("warc_record_id", sa.Text),
    sa.Column("outcome", sa.String(16)),
    sa.Column("error", sa.Text),
    sa.Column("record", sa.JSON),
    sa.Column("links", sa.JSON),
)


class StoreError(ReportError):
    reason = "store/unavailable"


@dataclass(frozen=True)
class DocumentState:
    url: str
    group_key: str | None
    status: int | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    fetched_at: str | None
    warc: dict[str, Any] | None
    outcome: str | None
    error: str | None
    links: list[str]


def database_url(data_dir: Path, db: str | None) -> str:
    """The SQLAlchemy URL: ``--db`` as given (postgresql:// uses psycopg 3), else SQLite in the data dir."""
    if db:
        if db.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + db.split("://", 1)[1]
        return db
    return f"sqlite:///{(data_dir / 'records.sqlite').resolve()}"


class Store:
    """Reads and writes reports and crawl state; safe to share between threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        try:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(url, future=True, pool_pre_ping=True)
            if self.engine.dialect.name == "sqlite":
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            for attempt in range(8):
                try:
                    with self.engine.begin() as conn:
                        metadata.create_all(conn)
                    break
                except OperationalError as exc:
                    # another process (a crawl worker) created a table between our check and our CREATE
                    if "already exists" not in str(exc) or attempt == 7:
                        raise
        except (OperationalError, SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot open the record store {_redact(url)}: {_first_line(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()

    # crawl state -------------------------------------------------------------------------
    def document(self, url: str) -> DocumentState | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(documents).where(documents.c.url == url)).mappings().first()
        if row is None:
            return None
        warc = None
        if row["warc_file"]:
            warc = {"file": row["warc_file"], "offset": row["warc_offset"], "record_id": row["warc_record_id"]}
        return DocumentState(
            url=row["url"], group_key=row["group_key"], status=row["status"], etag=row["etag"],
            last_modified=row["last_modified"], sha256=row["sha256"], fetched_at=row["fetched_at"],
            warc=warc, outcome=row["outcome"], error=row["error"], links=list(row["links"] or []),
        )  # fmt: skip

    def save_document(self, url: str, **values: Any) -> None:
        warc = values.pop("warc", None)
        if warc:
            values.update(warc_file=warc["file"], warc_offset=warc["offset"], warc_record_id=warc["record_id"])
        with self._lock, self.engine.begin() as conn:
            exists = conn.execute(sa.select(documents.c.url).where(documents.c.url == url)).first()
            if exists:
                conn.execute(documents.update().where(documents.c.url == url).values(**values))
            else:
                conn.execute(documents.insert().values(url=url, **values))

    def group_documents(self, group_key: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(documents).where(documents.c.group_key == group_key)).mappings().all()
        return [dict(r) for r in rows]

    # reports -----------------------------------------------------------------------------
    def report_for_group(self, group_key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(reports.c.record)
                .join(report_groups, report_groups.c.report_id == reports.c.id)
                .where(report_groups.c.group_key == group_key)
            ).first()
        return dict(row[0]) if row else None

    def put_report(self, group_key: str, record: dict[str, Any], region_path: str | None = None) -> str:
        """Store the report a group shows; returns "new", "changed" or "unchanged".

        The same report reached from two pages (a department column and the
        city's) is one row: the second page's sources join the first's.
        """
        now = dt.datetime.now(dt.UTC)
        with self._lock, self.engine.begin() as conn:
            serialize_report(conn, record["id"])  # several writer processes: see crawler/grouplock.py
            mapped = conn.execute(sa.select(report_groups.c.report_id).where(report_groups.c.group_key == group_key)).scalar()
            existing = conn.execute(sa.select(reports.c.record, reports.c.group_key).where(reports.c.id == record["id"])).first()
            # another page showing this report (its row may be named after this one): keep that page's sources,
            # whichever of the two stores last (several workers store pages of one report in any order)
            shared = conn.execute(
                sa.select(report_groups.c.group_key).where(
                    (report_groups.c.report_id == record["id"]) & (report_groups.c.group_key != group_key)
                )
            ).first()
            if existing is not None and (existing[1] != group_key or shared is not None):
                record = _with_sources(record, existing[0].get("sources", []))
                # whichever page was met first, the record is the same: the smaller URL names it
                pages = [u for u in (existing[0].get("page_url"), record.get("page_url")) if u]
                record["page_url"] = min(pages) if pages else None
            values = _columns(record, region_path, existing[1] if existing is not None else group_key, now)
            if mapped is None:
                conn.execute(report_groups.insert().values(group_key=group_key, report_id=record["id"]))
            elif mapped != record["id"]:
                conn.execute(report_groups.update().where(report_groups.c.group_key == group_key).values(report_id=record["id"]))
                still_used = conn.execute(sa.select(report_groups.c.group_key).where(report_groups.c.report_id == mapped)).first()
                if still_used is None:
                    conn.execute(reports.delete().where(reports.c.id == mapped))
            if existing is None:
                conn.execute(reports.insert().values(first_seen=now, **values))
                return "new" if mapped is None else "changed"
            if existing[0] == record:
                return "unchanged"
            conn.execute(reports.update().where(reports.c.id == record["id"]).values(**values))
            return "changed"

    def records(self, region_path: str | None = None) -> Iterator[dict[str, Any]]:
        query = sa.select(reports.c.record).order_by(reports.c.agency, reports.c.year, reports.c.id)
        if region_path:
            query = query.where((reports.c.region_path == region_path) | reports.c.region_path.like(region_path + "/%"))
        # streamed: a server-side cursor on PostgreSQL, batches of rows, never the whole table
        with self.engine.connect().execution_options(stream_results=True, yield_per=200) as conn:
            for (record,) in conn.execute(query):
                yield dict(record)

    def update_record(self, record: dict[str, Any]) -> None:
        """Replace the stored JSON of a report (same id), e.g. with recomputed corpus checks."""
        with self._lock, self.engine.begin() as conn:
            conn.execute(reports.update().where(reports.c.id == record["id"]).values(record=record))

    def record(self, report_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(reports.c.record).where(reports.c.id == report_id)).scalar_one())

    def failed_documents(self) -> list[dict[str, Any]]:
        """Documents that could not be fetched or parsed: url, error, and the page they belong to."""
        query = (
            sa.select(documents.c.url, documents.c.error, documents.c.group_key)
            .where(documents.c.outcome == "failed")
            .order_by(documents.c.url)
        )
        with self.engine.connect() as conn:
            return [{"url": u, "error": e, "page": g} for u, e, g in conn.execute(query)]

    def report_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(sa.select(reports.c.id))}

    def count_reports(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(reports)).scalar_one())


def _columns(record: dict[str, Any], region_path: str | None, group_key: str, now: dt.datetime) -> dict[str, Any]:
    region = record.get("region") or {}
    failed = record.get("failed_checks", [])
    return {
        "id": record["id"], "group_key": group_key, "agency": record.get("agency"), "year": record.get("year"),
        "province": region.get("province"), "city": region.get("city"), "county": region.get("county"),
        "template": record.get("template"), "url": record.get("url"), "sha256": record.get("sha256"),
        "failed_checks": ",".join(failed), "n_failed_checks": len(failed), "region_path": region_path,
        "record": record, "updated_at": now,
    }  # fmt: skip


def _with_sources(record: dict[str, Any], others: list[dict[str, Any]]) -> dict[str, Any]:
    """The record with another page's sources added (each URL once)."""
    seen = {s["url"] for s in record.get("sources", [])}
    merged = [*record.get("sources", []), *(s for s in others if s["url"] not in seen)]
    return {**record, "sources": sorted(merged, key=lambda s: (s.get("role") != "page", s["url"]))}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL with synchronous=NORMAL: a commit costs ~0.1 ms instead of an fsync of 11–18 ms, and
    a crash still loses no committed transaction's consistency (only the last ones may roll back).
    The busy timeout lets crawl threads, a rebuild and readers such as Datasette share the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _redact(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    return sa.engine.make_url(url).render_as_string(hide_password=True) if "://" in url else url


_SHARED: dict[str, Store] = {}
_SHARED_LOCK = threading.Lock()


def shared_store(url: str) -> Store:
    """One Store per database URL in this process (extension, middleware and pipeline share it)."""
    with _SHARED_LOCK:
        if url not in _SHARED:
            _SHARED[url] = Store(url)
        return _SHARED[url]

"""The record store: SQLite by default, PostgreSQL by URL, one schema (SQLAlchemy Core).

``reports``: one row per report (the JSON record plus indexed columns).
``documents``: the crawl state, one row per fetched URL: validators (ETag,
Last-Modified), content hash, where its bytes are in the WARCs, what parsing
it gave, and which report it belongs to. A report page and its attachments
share a ``group_key`` (the page URL); their best parse is the report's record
and all of them are listed in its ``sources``.

Batches: between :meth:`Store.begin_batch` and :meth:`Store.end_batch` every write goes into
one open transaction, committed when it holds ``size`` writes or is ``seconds`` old (checked
at each write and by :meth:`flush_due`), at :meth:`flush` and at the end: a commit per
report cost 11–18 ms of fsync, one per batch costs that once. Reads in between go through
the same connection and see the batch's own writes. Only what is committed is acknowledged
(the crawl counts and lists from the store after its last flush); a crash loses at most the
open batch, whose documents are then simply parsed again by the next crawl (their bytes are
in the WARCs). Documents are upserted (INSERT … ON CONFLICT DO UPDATE) on both databases.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from crawler.core.errors import ReportError, first_line
from crawler.core.record_types import Record, Source, StoredDocument, WarcLocation
from crawler.store.grouplock import BatchLocks, group_lock, serialize_report, try_serialize_report

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
    warc: WarcLocation | None
    outcome: str | None
    error: str | None
    links: list[str]


@dataclass(frozen=True, slots=True)
class Prior:
    """What a crawl needs to know of a URL fetched before: validators, content hash, where it is archived."""

    status: int | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    outcome: str | None
    error: str | None
    fetched_at: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_record_id: str | None

    @property
    def warc(self) -> WarcLocation | None:
        return _warc(self.warc_file, self.warc_offset, self.warc_record_id)


_PRIOR_COLUMNS = [documents.c[name] for name in Prior.__dataclass_fields__]
_CHUNK = 500  # keys per IN (…) query: well under SQLite's and PostgreSQL's parameter limits
# keys per query that reads whole records (~50-300 KB each as Python objects): a chunk's rows are
# held at once, so 500 of them was a spike of ~135 MB at the end of a crawl
_RECORD_CHUNK = 100


class _Batch:
    """One open transaction collecting writes until it is big or old enough to commit."""

    def __init__(self, conn: sa.Connection, size: int, seconds: float) -> None:
        self.conn, self.size, self.seconds = conn, max(1, size), seconds
        self.writes = 0
        self.reports = 0  # report locks its open transaction holds (put_report calls since the last commit)
        self.opened = time.monotonic()

    def ended(self) -> None:
        """Its transaction committed or rolled back: nothing written, no report held."""
        self.writes, self.reports, self.opened = 0, 0, time.monotonic()

    def due(self) -> bool:
        return self.writes > 0 and (self.writes >= self.size or time.monotonic() - self.opened >= self.seconds)


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
        self._batch: _Batch | None = None
        self._depth = 0  # nested batch() contexts
        self._steps = 0  # group steps under way (group_step): no commit of a due batch lets their lock go
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
            raise StoreError(f"cannot open the record store {_redact(url)}: {first_line(exc)}") from exc
        self._locks = BatchLocks(self)

    def shareable(self) -> bool:
        """Can another process open this store? Not an in-memory SQLite database."""
        return not (self.engine.dialect.name == "sqlite" and self.engine.url.database in (None, "", ":memory:"))

    def close(self) -> None:
        self.end_batch()
        self._locks.close()
        self.engine.dispose()

    # batches -------------------------------------------------------------------------------
    def begin_batch(self, size: int = 200, seconds: float = 2.0) -> None:
        """Collect writes in one transaction from now on (nested calls share the outer batch)."""
        with self._lock:
            self._depth += 1
            if self._batch is None:
                self._batch = _Batch(self.engine.connect(), size, seconds)

    def end_batch(self) -> None:
        """Commit what the batch holds and go back to a transaction per write."""
        with self._lock:
            self._depth = max(0, self._depth - 1)
            if self._batch is None or self._depth > 0:
                return
            batch, self._batch = self._batch, None
            try:
                try:
                    batch.conn.commit()
                except BaseException:
                    if self._locks.held and self._locks.kind == "postgresql":
                        batch.conn.invalidate()  # its session ends, and its advisory locks with it
                        self._locks.held.clear()
                    raise
                finally:
                    self._locks.release_all(batch.conn)
            finally:
                batch.conn.close()

    @contextlib.contextmanager
    def batch(self, size: int = 500, seconds: float = 5.0) -> Iterator[None]:
        self.begin_batch(size, seconds)
        try:
            yield
        finally:
            self.end_batch()

    def flush(self) -> None:
        """Commit the open batch now (at the end of a crawl, on a signal), then let its group locks go."""
        with self._lock:
            if self._batch is not None and (self._batch.writes or self._locks.held):
                self._batch.conn.commit()
                self._batch.ended()
                self._locks.release_all(self._batch.conn)

    @contextlib.contextmanager
    def group_step(self, group_key: str) -> Iterator[None]:
        """Hold the group's lock across processes while its documents are saved, merged and put.

        Without a batch each write commits at once and the lock goes when the step ends. With
        one, the lock stays with the batch until it commits: a writer in another process waits
        for this one's documents to be visible before it merges the group (see grouplock.py).
        """
        with self._lock:
            batch = self._batch
            if batch is None:
                if self._locks.kind == "file":
                    # POSIX record locks do not exclude threads of one process: self._lock does
                    with group_lock(self, group_key):
                        yield
                    return
            else:
                if not self._locks.try_acquire(batch.conn, group_key):
                    self.flush()  # never wait holding a lock: commit, let every group go, then wait
                    self._locks.acquire(batch.conn, group_key)
                elif batch.writes == 0:
                    # end a read-only transaction: SQLite cannot upgrade a snapshot older than another's commit
                    batch.conn.commit()
                self._steps += 1
                try:
                    yield
                finally:
                    self._steps -= 1
                if batch.due() and not self._steps:
                    self.flush()
                return
        with group_lock(self, group_key):  # PostgreSQL: a session lock of its own, threads need no more
            yield

    def flush_due(self) -> None:
        """Commit the open batch if it is big or old enough (called by a timer when writes pause)."""
        with self._lock:
            if self._batch is not None and self._batch.due():
                self.flush()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._lock:
            if self._batch is not None:
                yield self._batch.conn  # sees the batch's own writes
                return
        with self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        with self._lock:
            if self._batch is None:
                with self.engine.begin() as conn:
                    yield conn
                return
            batch = self._batch
            try:
                yield batch.conn
            except BaseException:
                # a failed statement spoils the transaction: the batch's uncommitted writes go with it
                batch.conn.rollback()
                batch.ended()
                with contextlib.suppress(Exception):  # what failed is the error to report, not the unlock
                    self._locks.release_all(batch.conn)
                raise
            batch.writes += 1
            if batch.due() and not self._steps:
                self.flush()

    # crawl state -------------------------------------------------------------------------
    def crawl_state(self, hosts: Iterable[str]) -> dict[str, Prior]:
        """URL → :class:`Prior` for every document stored under ``hosts`` (host[:port]), read once per crawl.

        The conditional requests and the pipeline look here instead of querying the store for each
        request; only the columns they need are loaded (a few hundred bytes a URL)."""
        wanted = {h.lower() for h in hosts}
        patterns = [f"{scheme}://{host}/%" for host in sorted(wanted) for scheme in ("http", "https")]
        out: dict[str, Prior] = {}
        if not patterns:
            return out
        query = sa.select(documents.c.url, *_PRIOR_COLUMNS).where(sa.or_(*(documents.c.url.like(p) for p in patterns)))
        with self._reading() as conn:
            for row in conn.execute(query):
                url = row[0]
                # LIKE reads "_" as any character: keep exactly the hosts asked for
                if url.split("/", 3)[2].lower() in wanted:
                    out[url] = Prior(*row[1:])
        return out

    def states(self, urls: Iterable[str]) -> dict[str, DocumentState]:
        """URL → :class:`DocumentState` of those stored, read in chunks (the books at the end of a crawl)."""
        out: dict[str, DocumentState] = {}
        with self._reading() as conn:
            for chunk in _chunked(urls, _CHUNK):
                for row in conn.execute(sa.select(documents).where(documents.c.url.in_(chunk))).mappings():
                    out[row["url"]] = _state(row)
        return out

    def groups_with_reports(self, group_keys: Iterable[str]) -> set[str]:
        """Which of ``group_keys`` show a stored report."""
        found: set[str] = set()
        with self._reading() as conn:
            for chunk in _chunked(group_keys, _CHUNK):
                query = sa.select(report_groups.c.group_key).where(report_groups.c.group_key.in_(chunk))
                found.update(row[0] for row in conn.execute(query))
        return found

    def document(self, url: str) -> DocumentState | None:
        with self._reading() as conn:
            row = conn.execute(sa.select(documents).where(documents.c.url == url)).mappings().first()
        return None if row is None else _state(row)

    def save_document(self, url: str, **values: Any) -> None:
        """Insert or update one URL's crawl state (an upsert: one statement, no read first)."""
        warc = values.pop("warc", None)
        if warc:
            values.update(warc_file=warc["file"], warc_offset=warc["offset"], warc_record_id=warc["record_id"])
        with self._writing() as conn:
            conn.execute(self._upsert(tuple(sorted(values))), {"url": url, **values})

    def _upsert(self, columns: tuple[str, ...]) -> Any:
        dialect = self.engine.dialect.name
        if dialect not in {"postgresql", "sqlite"}:
            raise StoreError(f"unsupported database {dialect}: use SQLite or PostgreSQL")
        return _document_upsert(dialect, columns)

    def group_documents(self, group_key: str) -> list[StoredDocument]:
        """Every stored document of a report group (what merging it reads)."""
        with self._reading() as conn:
            rows = conn.execute(sa.select(documents).where(documents.c.group_key == group_key)).mappings().all()
        return [_stored(r) for r in rows]

    # reports -----------------------------------------------------------------------------
    def report_for_group(self, group_key: str) -> Record | None:
        with self._reading() as conn:
            row = conn.execute(
                sa.select(reports.c.record)
                .join(report_groups, report_groups.c.report_id == reports.c.id)
                .where(report_groups.c.group_key == group_key)
            ).first()
        return _record(row[0]) if row else None

    def put_report(self, group_key: str, record: Record, region_path: str | None = None) -> str:
        """Store the report a group shows; returns "new", "changed" or "unchanged".

        The same report reached from two pages (a department column and the
        city's) is one row: the second page's sources join the first's.
        """
        now = dt.datetime.now(dt.UTC)
        with self._writing() as conn:
            # several writer processes: see crawler/store/grouplock.py
            if self._batch is not None and self._batch.reports and not try_serialize_report(conn, record["id"]):
                # another batch holds the report until it commits, and ours holds others: commit ours first
                # (its report locks go, the group locks stay), so two batches never wait for each other, then wait
                conn.commit()
                self._batch.ended()
                serialize_report(conn, record["id"])
            else:
                # holding no other report, wait: the holder never waits for us (a group we hold makes it
                # commit first), and committing now would make this step's documents visible without the
                # report they belong to, which a crash would leave so (a resumed crawl skips stored documents)
                serialize_report(conn, record["id"])
            if self._batch is not None:
                self._batch.reports += 1
            mapped = conn.execute(_MAPPED_REPORT, {"group": group_key}).scalar()
            existing = conn.execute(_EXISTING_REPORT, {"report": record["id"]}).first()
            # another page showing this report: keep its sources whichever of the two stores last, and take
            # the body from the page that sorts last, so any order of storing (workers, rebuilds) gives one record
            other = conn.execute(_OTHER_GROUP, {"report": record["id"], "group": group_key}).scalar()
            if existing is not None and (existing[1] != group_key or other is not None):
                record = _with_sources(record, existing[0].get("sources", []))
                # whichever page was met first, the record is the same: the smaller URL names it
                pages = [u for u in (existing[0].get("page_url"), record.get("page_url")) if u]
                record["page_url"] = min(pages) if pages else None
                if other is not None and other > group_key:
                    record = _record({**existing[0], "sources": record["sources"], "page_url": record["page_url"]})
            values = _columns(record, region_path, existing[1] if existing is not None else group_key, now)
            if mapped is None:
                conn.execute(report_groups.insert(), {"group_key": group_key, "report_id": record["id"]})
            elif mapped != record["id"]:
                conn.execute(report_groups.update().where(report_groups.c.group_key == group_key).values(report_id=record["id"]))
                still_used = conn.execute(sa.select(report_groups.c.group_key).where(report_groups.c.report_id == mapped)).first()
                if still_used is None:
                    conn.execute(reports.delete().where(reports.c.id == mapped))
            if existing is None:
                conn.execute(reports.insert(), {"first_seen": now, **values})
                return "new" if mapped is None else "changed"
            if existing[0] == record:
                return "unchanged"
            conn.execute(reports.update().where(reports.c.id == record["id"]).values(**values))
            return "changed"

    def records(self, region_path: str | None = None) -> Iterator[Record]:
        query = sa.select(reports.c.record).order_by(reports.c.agency, reports.c.year, reports.c.id)
        if region_path:
            query = query.where((reports.c.region_path == region_path) | reports.c.region_path.like(region_path + "/%"))
        # streamed: a server-side cursor on PostgreSQL, batches of rows, never the whole table
        with self.engine.connect().execution_options(stream_results=True, yield_per=200) as conn:
            for (record,) in conn.execute(query):
                yield cast(Record, dict(record))  # validated against the schema before it was stored

    def reports_for_groups(self, group_keys: Iterable[str]) -> Iterator[tuple[str, Record, dt.datetime | None]]:
        """(group key, record, when the report was first stored, in UTC) of each given group that shows a
        report, a chunk of groups at a time."""
        for chunk in _chunked(group_keys, _RECORD_CHUNK):
            query = (
                sa.select(report_groups.c.group_key, reports.c.record, reports.c.first_seen)
                .join(reports, report_groups.c.report_id == reports.c.id)
                .where(report_groups.c.group_key.in_(chunk))
            )
            with self._reading() as conn:
                rows = conn.execute(query).all()
            for group, record, first_seen in rows:
                # SQLite gives the stored UTC time back without its zone
                if first_seen is not None and first_seen.tzinfo is None:
                    first_seen = first_seen.replace(tzinfo=dt.UTC)
                yield group, _record(record), first_seen

    def agencies_of_groups(self, group_keys: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunked(group_keys, _CHUNK):
            query = (
                sa.select(reports.c.agency)
                .join(report_groups, report_groups.c.report_id == reports.c.id)
                .where(report_groups.c.group_key.in_(chunk), reports.c.agency.is_not(None))
                .distinct()
            )
            with self._reading() as conn:
                out.update(row[0] for row in conn.execute(query))
        return out

    def records_of_agencies(self, agencies: Iterable[str]) -> Iterator[Record]:
        """The records of ``agencies``, ordered by agency, year and id, read a chunk of agencies at a time."""
        names = sorted(set(agencies))
        for start in range(0, len(names), _RECORD_CHUNK):
            query = (
                sa.select(reports.c.record)
                .where(reports.c.agency.in_(names[start : start + _RECORD_CHUNK]))
                .order_by(reports.c.agency, reports.c.year, reports.c.id)
            )
            with self._reading() as conn:
                rows = conn.execute(query).all()
            for (record,) in rows:
                yield _record(record)

    def update_record(self, record: Record) -> None:
        """Replace the stored JSON of a report (same id), e.g. with recomputed corpus checks."""
        with self._writing() as conn:
            conn.execute(reports.update().where(reports.c.id == record["id"]).values(record=record))

    def record(self, report_id: str) -> Record:
        with self._reading() as conn:
            return cast(Record, dict(conn.execute(sa.select(reports.c.record).where(reports.c.id == report_id)).scalar_one()))

    def failed_documents(self) -> list[dict[str, Any]]:
        """Documents that could not be fetched or parsed: url, error, and the page they belong to."""
        query = (
            sa.select(documents.c.url, documents.c.error, documents.c.group_key)
            .where(documents.c.outcome == "failed")
            .order_by(documents.c.url)
        )
        with self._reading() as conn:
            return [{"url": u, "error": e, "page": g} for u, e, g in conn.execute(query)]

    def report_ids(self) -> set[str]:
        with self._reading() as conn:
            return {row[0] for row in conn.execute(sa.select(reports.c.id))}

    def has_reports(self) -> bool:
        with self._reading() as conn:
            return conn.execute(sa.select(reports.c.id).limit(1)).first() is not None

    def count_reports(self) -> int:
        with self._reading() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(reports)).scalar_one())


def _chunked(keys: Iterable[str], size: int) -> Iterator[list[str]]:
    """``keys`` a chunk at a time, each without repeats, never all of them in memory (they may stream from a file)."""
    chunk: dict[str, None] = {}
    for key in keys:
        chunk[key] = None
        if len(chunk) >= size:
            yield list(chunk)
            chunk = {}
    if chunk:
        yield list(chunk)


def _record(value: Any) -> Record:
    """A stored record's JSON as a Record (written by put_report, so checked against the schema then)."""
    return cast(Record, dict(value))


def _warc(file: str | None, offset: int | None, record_id: str | None) -> WarcLocation | None:
    if not file or offset is None or record_id is None:
        return None
    return WarcLocation(file=file, offset=offset, record_id=record_id)


def _state(row: Any) -> DocumentState:
    return DocumentState(
        url=row["url"], group_key=row["group_key"], status=row["status"], etag=row["etag"],
        last_modified=row["last_modified"], sha256=row["sha256"], fetched_at=row["fetched_at"],
        warc=_warc(row["warc_file"], row["warc_offset"], row["warc_record_id"]), outcome=row["outcome"],
        error=row["error"], links=list(row["links"] or []),
    )  # fmt: skip


# put_report's reads, built once with their values as parameters (compiled once by SQLAlchemy)
_MAPPED_REPORT = sa.select(report_groups.c.report_id).where(report_groups.c.group_key == sa.bindparam("group"))
_EXISTING_REPORT = sa.select(reports.c.record, reports.c.group_key).where(reports.c.id == sa.bindparam("report"))
_OTHER_GROUP = sa.select(sa.func.max(report_groups.c.group_key)).where(
    (report_groups.c.report_id == sa.bindparam("report")) & (report_groups.c.group_key != sa.bindparam("group"))
)


@functools.lru_cache(maxsize=64)
def _document_upsert(dialect: str, columns: tuple[str, ...]) -> Any:
    """The upsert of these ``documents`` columns, built once: its values travel as parameters, so
    SQLAlchemy compiles it once too (a statement with the values inside was a new cache key per call)."""
    insert: Any = postgresql.insert(documents) if dialect == "postgresql" else sqlite.insert(documents)
    if not columns:
        return insert.on_conflict_do_nothing(index_elements=[documents.c.url])
    # a column left out keeps its stored value; one given (None included) replaces it
    return insert.on_conflict_do_update(index_elements=[documents.c.url], set_={c: insert.excluded[c] for c in columns})


def _stored(row: Any) -> StoredDocument:
    """A ``documents`` row as the typed document merging reads (the WARC columns as one location)."""
    return StoredDocument(
        url=row["url"], outcome=row["outcome"], record=cast("Record | None", row["record"]), group_key=row["group_key"],
        role=row["role"], error=row["error"], status=row["status"], sha256=row["sha256"],
        content_type=row["content_type"], etag=row["etag"], last_modified=row["last_modified"],
        fetched_at=row["fetched_at"], checked_at=row["checked_at"],
        warc=_warc(row["warc_file"], row["warc_offset"], row["warc_record_id"]), links=row["links"],
    )  # fmt: skip


def _columns(record: Record, region_path: str | None, group_key: str, now: dt.datetime) -> dict[str, Any]:
    region = record.get("region") or {}
    failed = record.get("failed_checks", [])
    return {
        "id": record["id"], "group_key": group_key, "agency": record.get("agency"), "year": record.get("year"),
        "province": region.get("province"), "city": region.get("city"), "county": region.get("county"),
        "template": record.get("template"), "url": record.get("url"), "sha256": record.get("sha256"),
        "failed_checks": ",".join(failed), "n_failed_checks": len(failed), "region_path": region_path,
        "record": record, "updated_at": now,
    }  # fmt: skip


def _with_sources(record: Record, others: list[Source]) -> Record:
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


def _redact(url: str) -> str:
    """Hide a password in a database URL before printing it."""
    return sa.engine.make_url(url).render_as_string(hide_password=True) if "://" in url else url


_SHARED: dict[str, Store] = {}
_SHARED_LOCK = threading.Lock()


@atexit.register
def _commit_shared() -> None:
    """A process ending with a batch open (a crawl stopped by a second Ctrl-C) commits it first."""
    for store in list(_SHARED.values()):
        with contextlib.suppress(Exception):
            store.flush()


def shared_store(url: str) -> Store:
    """One Store per database URL in this process (extension, middleware and pipeline share it)."""
    with _SHARED_LOCK:
        if url not in _SHARED:
            _SHARED[url] = Store(url)
        return _SHARED[url]

"""Locks that make a report's writes safe when several processes share one store.

A report page and its attachments may be parsed by different workers (crawl processes on
one or many machines, rebuild workers). Each stores its document and then merges the
group's documents into the report: two such steps running at once could each merge
without the other's document, and the one that commits last would drop a source. So:

* :func:`group_lock` serialises those steps per group across processes: a PostgreSQL
  session advisory lock (one connection held for the step) or, for SQLite, an ``fcntl``
  byte-range lock on a file beside the database (one byte per group hash);
* :func:`serialize_report` is called first inside ``Store.put_report``'s transaction: two
  groups showing the same report (same id) must not both find it missing and both insert
  it. PostgreSQL: a transaction-level advisory lock on the id; SQLite: take the write lock
  before the first read (the file has one writer at a time, so the read is then current).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from crawler.store.database import Store

_SLOTS = 1 << 16  # byte ranges of the SQLite lock file: distinct groups rarely share one


def _key(text: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock`` (stable across processes, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


@contextlib.contextmanager
def group_lock(store: Store, group_key: str) -> Iterator[None]:
    """Hold the group's lock across processes while its documents are saved and merged."""
    dialect = store.engine.dialect.name
    if dialect == "postgresql":
        with store.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _key("group:" + group_key)})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _key("group:" + group_key)})
                conn.commit()
    elif dialect == "sqlite" and store.url.startswith("sqlite:///") and store.url != "sqlite:///:memory:":
        path = Path(store.url.removeprefix("sqlite:///") + ".groups.lock")
        slot = _key(group_key) % _SLOTS
        with path.open("a+b") as fh:
            fcntl.lockf(fh, fcntl.LOCK_EX, 1, slot)
            try:
                yield
            finally:
                fcntl.lockf(fh, fcntl.LOCK_UN, 1, slot)
    else:
        yield


def serialize_report(conn: Any, report_id: str) -> None:
    """Inside ``put_report``'s transaction, before it reads: one writer of a report id at a time."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _key("report:" + report_id)})
    elif dialect == "sqlite":
        # a write (of nothing) takes SQLite's write lock now, waiting under busy_timeout, instead of a
        # read-then-write upgrade that fails at once with "database is locked" when another writer won
        conn.execute(sa.text("UPDATE report_groups SET report_id = report_id WHERE 0"))

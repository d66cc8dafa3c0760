"""Locks that make a report's writes safe when several processes share one store.

A report page and its attachments may be parsed by different workers (crawl processes on
one or many machines, rebuild workers). Each stores its document and then merges the
group's documents into the report: two such steps running at once could each merge
without the other's document, and the one that commits last would drop a source. So:

* :func:`group_lock` serialises those steps per group across processes: a PostgreSQL
  session advisory lock (one connection held for the step) or, for SQLite, an ``fcntl``
  byte-range lock on a file beside the database (one byte per group hash);
* :class:`BatchLocks` does the same for a store with an open batch (``Store.begin_batch``):
  a group's lock is taken on the batch's own connection and held until the batch commits,
  so no other writer merges the group before this one's documents are visible to it. A
  process never waits for a lock while it holds others: it tries, and when the lock is
  taken it first commits its batch (which lets go of every lock it holds), then waits.
  So no two writers can wait for each other (no deadlock), however big their batches;
* :func:`serialize_report` is called first inside ``Store.put_report``'s transaction: two
  groups showing the same report (same id) must not both find it missing and both insert
  it. PostgreSQL: a transaction-level advisory lock on the id; SQLite: take the write lock
  before the first read (the file has one writer at a time, so the read is then current).
  A batch holding no other report waits for it with its group step uncommitted (the holder
  never waits for that batch: wanting one of its groups, it commits first), so the step's
  documents never become visible without the report they belong to (a crash then would
  leave them so, and a resumed crawl skips stored documents). Only a batch that holds other
  reports commits before it waits, exposing its current step for that time: the crawl's
  parse workers store a document per batch and never do.
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
    elif (path := _lock_path(store)) is not None:
        slot = _key(group_key) % _SLOTS
        with path.open("a+b") as fh:
            fcntl.lockf(fh, fcntl.LOCK_EX, 1, slot)
            try:
                yield
            finally:
                fcntl.lockf(fh, fcntl.LOCK_UN, 1, slot)
    else:
        yield


class BatchLocks:
    """The group locks an open batch holds, on its connection (PostgreSQL) or one lock file (SQLite).

    One object per Store, used under the Store's own lock (one thread at a time). POSIX
    record locks belong to the process and all go when any descriptor of the file is
    closed, so the lock file stays open for the store's life.
    """

    def __init__(self, store: Store) -> None:
        dialect = store.engine.dialect.name
        self.kind = dialect if dialect == "postgresql" else "file" if _lock_path(store) else "none"
        self.path = _lock_path(store)
        self.held: set[str] = set()
        self._file: Any = None

    def holds(self, group_key: str) -> bool:
        return self.kind == "none" or group_key in self.held

    def try_acquire(self, conn: sa.Connection, group_key: str) -> bool:
        """Take the group's lock if no other process holds it; False (and nothing held) otherwise."""
        if self.holds(group_key):
            return True
        if self.kind == "postgresql":
            got = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": _key("group:" + group_key)}).scalar())
        else:
            try:
                fcntl.lockf(self._fh(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _key(group_key) % _SLOTS)
                got = True
            except OSError:  # EAGAIN/EACCES: another process holds it
                got = False
        if got:
            self.held.add(group_key)
        return got

    def acquire(self, conn: sa.Connection, group_key: str) -> None:
        """Wait for the group's lock: only call with no other lock held (after a commit and :meth:`release_all`)."""
        if self.holds(group_key):
            return
        if self.kind == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _key("group:" + group_key)})
        else:
            fcntl.lockf(self._fh(), fcntl.LOCK_EX, 1, _key(group_key) % _SLOTS)
        self.held.add(group_key)

    def release_all(self, conn: sa.Connection | None) -> None:
        """Let every group go: call once what the batch wrote is committed (or rolled back)."""
        if not self.held:
            return
        held, self.held = self.held, set()
        if self.kind == "postgresql" and conn is not None:
            try:
                # the batch's connection holds no other advisory session lock: all of them go
                conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
                conn.commit()  # the unlock ran in a transaction of its own: end it
            except Exception:
                # a session that cannot unlock must not go back to the pool still holding the groups
                conn.invalidate()
                raise
        elif self.kind == "file":
            for slot in {_key(g) % _SLOTS for g in held}:
                fcntl.lockf(self._fh(), fcntl.LOCK_UN, 1, slot)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _fh(self) -> Any:
        if self._file is None:
            assert self.path is not None
            self._file = self.path.open("a+b")
        return self._file


def _lock_path(store: Store) -> Path | None:
    """The SQLite database's lock file; None for an in-memory database or another dialect."""
    if store.engine.dialect.name == "sqlite" and store.url.startswith("sqlite:///") and store.url != "sqlite:///:memory:":
        return Path(store.url.removeprefix("sqlite:///") + ".groups.lock")
    return None


def try_serialize_report(conn: Any, report_id: str) -> bool:
    """:func:`serialize_report` if it need not wait; False when another transaction holds the report (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _key("report:" + report_id)}).scalar())
    serialize_report(conn, report_id)
    return True


def serialize_report(conn: Any, report_id: str) -> None:
    """Inside ``put_report``'s transaction, before it reads: one writer of a report id at a time."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _key("report:" + report_id)})
    elif dialect == "sqlite":
        # a write (of nothing) takes SQLite's write lock now, waiting under busy_timeout, instead of a
        # read-then-write upgrade that fails at once with "database is locked" when another writer won
        conn.execute(sa.text("UPDATE report_groups SET report_id = report_id WHERE 0"))

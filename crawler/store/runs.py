"""The registry's own bookkeeping in the store's database: crawl runs per region and registry checks.

Tables of their own (``registry_crawl_runs``, ``registry_checks``) on their own
``sa.MetaData``, created on first use on the engine of :class:`crawler.store.database.Store`, so that the
store's tables can change without these and the other way round. ``crawl --due`` reads the last
finished run of each region to decide what is due and writes one row per region it crawls;
``registry check`` writes one row per portal it checked, so a later check can say what changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

crawl_runs = sa.Table(
    "registry_crawl_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("region_path", sa.Text, nullable=False, index=True),
    sa.Column("code", sa.Text),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("exit_status", sa.Integer),
    sa.Column("how", sa.Text),  # the crawl that covered it: --region PATH or --start-url URL
)

checks = sa.Table(
    "registry_checks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("region_path", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False, index=True),
    sa.Column("status", sa.Integer),
    sa.Column("final_url", sa.Text),
    sa.Column("redirects", sa.Text),
    sa.Column("site_id", sa.Text),
    sa.Column("problems", sa.Text),
)


@dataclass(frozen=True)
class CheckRow:
    checked_at: dt.datetime
    url: str
    status: int | None
    final_url: str | None
    site_id: str | None
    problems: str


class RunBook:
    """Reads and writes the two tables on a store's engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        with engine.begin() as conn:
            metadata.create_all(conn)

    def last_runs(self) -> dict[str, dt.datetime]:
        """Region path → when its last successful crawl finished."""
        query = (
            sa.select(crawl_runs.c.region_path, sa.func.max(crawl_runs.c.finished_at))
            .where(crawl_runs.c.exit_status == 0)
            .group_by(crawl_runs.c.region_path)
        )
        with self.engine.connect() as conn:
            return {path: _aware(when) for path, when in conn.execute(query) if when is not None}

    def record_run(
        self, paths: list[tuple[str, str | None]], started: dt.datetime, finished: dt.datetime, status: int, how: str
    ) -> None:
        rows = [
            {"region_path": p, "code": c, "started_at": started, "finished_at": finished, "exit_status": status, "how": how}
            for p, c in paths
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(crawl_runs.insert(), rows)

    def runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(crawl_runs).order_by(crawl_runs.c.id))]

    def last_check(self, url: str) -> CheckRow | None:
        query = sa.select(checks).where(checks.c.url == url).order_by(checks.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        return CheckRow(_aware(m["checked_at"]), m["url"], m["status"], m["final_url"], m["site_id"], m["problems"] or "")

    def record_check(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(checks.insert(), [row])


def _aware(when: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes: they were written in UTC
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)

"""Read-only queries over the record store for the Python API: reports by region, year, agency, template, failed check.

SQLAlchemy Core over the store's own tables (``crawler.store.database.reports`` and ``documents``),
so the same queries run on SQLite and PostgreSQL and use the indexed columns; only the
matching records' JSON is read. The store module itself stays the crawl's writer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from types import TracebackType
from typing import Any, Self, cast

import sqlalchemy as sa

from crawler.core.errors import ReportError
from crawler.core.record_types import Record
from crawler.store.database import Store, reports


class ReportNotFound(ReportError):
    reason = "store/not-found"


def region_clause(region: str) -> sa.ColumnElement[bool]:
    """``江苏省``, ``江苏省/淮安市`` or ``江苏省/淮安市/洪泽区``: the record's own region at that depth,
    or a registry region (the one a crawl was started for) equal to it or below it."""
    parts = [p.strip() for p in region.strip("/").split("/") if p.strip()]
    if not parts:
        raise ReportError(f"empty region {region!r}: give e.g. 江苏省 or 江苏省/淮安市")
    path = "/".join(parts)
    by_record = sa.and_(*(column == part for column, part in zip((reports.c.province, reports.c.city, reports.c.county), parts)))
    by_registry = sa.or_(reports.c.region_path == path, reports.c.region_path.startswith(path + "/", autoescape=True))
    if len(parts) > 3:  # deeper than a county: only the registry knows such paths
        return by_registry
    return sa.or_(by_record, by_registry)


def failed_check_clause(failed_check: str | bool) -> sa.ColumnElement[bool]:
    """True: any failed check; ``T3-1``: that rule failed in any scope; ``T3-1:total``: that rule in that scope."""
    if failed_check is True:
        return reports.c.n_failed_checks > 0
    if failed_check is False:
        return sa.func.coalesce(reports.c.n_failed_checks, 0) == 0
    rule = str(failed_check).strip()
    # the column joins ``rule:scope`` entries with commas; the fences make every entry start after a comma
    fenced = sa.literal(",") + sa.func.coalesce(reports.c.failed_checks, "") + sa.literal(",")
    exact = fenced.contains("," + rule + ",", autoescape=True)
    if ":" in rule:
        return exact
    return sa.or_(exact, fenced.contains("," + rule + ":", autoescape=True))


class ReportStore:
    """The reports of one store, queried; use as a context manager or call :meth:`close`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def _where(
        self,
        region: str | None,
        year: int | Collection[int] | None,
        agency: str | None,
        template: str | None,
        failed_check: str | bool | None,
    ) -> list[sa.ColumnElement[bool]]:
        clauses: list[sa.ColumnElement[bool]] = []
        if region is not None:
            clauses.append(region_clause(region))
        if isinstance(year, int):
            clauses.append(reports.c.year == year)
        elif year is not None:
            clauses.append(reports.c.year.in_(sorted(year)))
        if agency is not None:
            clauses.append(reports.c.agency == agency)
        if template is not None:
            clauses.append(reports.c.template == str(template))
        if failed_check is not None:
            clauses.append(failed_check_clause(failed_check))
        return clauses

    def reports(
        self,
        *,
        region: str | None = None,
        year: int | Collection[int] | None = None,
        agency: str | None = None,
        template: str | None = None,
        failed_check: str | bool | None = None,
        limit: int | None = None,
    ) -> Iterator[Record]:
        """The matching records, by agency, year and id; streamed (one batch of rows in memory at a time)."""
        query = (
            sa.select(reports.c.record)
            .where(*self._where(region, year, agency, template, failed_check))
            .order_by(reports.c.agency, reports.c.year, reports.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.store.engine.connect().execution_options(stream_results=True, yield_per=200) as conn:
            for (record,) in conn.execute(query):
                yield cast(Record, dict(record))

    def count(
        self,
        *,
        region: str | None = None,
        year: int | Collection[int] | None = None,
        agency: str | None = None,
        template: str | None = None,
        failed_check: str | bool | None = None,
    ) -> int:
        query = sa.select(sa.func.count()).select_from(reports).where(*self._where(region, year, agency, template, failed_check))
        with self.store.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def report(self, report_id: str) -> Record:
        """One record by its id, or by a prefix of it that only one report has."""
        query = sa.select(reports.c.record).where(reports.c.id.startswith(report_id, autoescape=True)).limit(2)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            raise ReportNotFound(f"no report with id {report_id!r}")
        if len(rows) > 1:
            raise ReportNotFound(f"the id prefix {report_id!r} names several reports; give more of it")
        return cast(Record, dict(rows[0][0]))

    def agencies(self, *, region: str | None = None) -> list[str]:
        return self._distinct(reports.c.agency, region)

    def years(self, *, region: str | None = None) -> list[int]:
        return self._distinct(reports.c.year, region)

    def _distinct(self, column: sa.Column[Any], region: str | None) -> list[Any]:
        query = sa.select(column).distinct().where(column.is_not(None)).order_by(column)
        if region is not None:
            query = query.where(region_clause(region))
        with self.store.engine.connect() as conn:
            return [row[0] for row in conn.execute(query)]

    def failed_documents(self) -> list[dict[str, Any]]:
        """URLs a crawl could not fetch or parse: url, error and the page they belong to."""
        return self.store.failed_documents()

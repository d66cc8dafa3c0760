"""Checks across years of one agency's reports (domain notes §2, X-1 and X-2).

X-1: 二、上年结转 of year Y equals 四、结转下年度继续办理 of year Y-1, per column.
X-2: 现行有效件数 of year Y equals Y-1's plus 本年制发件数 minus 本年废止件数 (2021
template, 规章 and 行政规范性文件). Results go into each record's
``corpus_checks``; ``ok`` is None when a needed cell is blank. They change as
reports of neighbouring years arrive, so crawl and rebuild recompute them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from crawler.core.parse.checks import balance
from crawler.core.parse.labels import REQUEST_COLUMNS
from crawler.core.record_types import Check, ProactiveItem, Record
from crawler.store.database import Store


def corpus_checks(record: Record, previous: Record) -> list[Check]:
    """The cross-year checks of ``record`` against the same agency's report of the year before."""
    checks: list[Check] = []
    now_requests, before_requests = record.get("requests"), previous.get("requests")
    now = now_requests["rows"] if now_requests else {}
    before = before_requests["rows"] if before_requests else {}
    if "carried_over" in now and "carried_forward" in before:
        for c, column in enumerate(REQUEST_COLUMNS):
            got, expected = now["carried_over"][c], before["carried_forward"][c]
            detail = f"上年结转 {got}; {previous['year']}年 结转下年度 {expected} (report {previous['id']})"
            checks.append(balance("X-1", column, [expected], [got], detail))
    if record.get("template") == "2021" and previous.get("template") == "2021":
        now_proactive, before_proactive = record.get("proactive") or {}, previous.get("proactive") or {}
        for item in ("regulations", "normative_documents"):
            cur: ProactiveItem | None = now_proactive.get(item)  # type: ignore[assignment]  # one of the two item keys
            old: ProactiveItem | None = before_proactive.get(item)  # type: ignore[assignment]
            if not cur or not old:
                continue
            in_force, made, repealed = old.get("in_force"), cur.get("made"), cur.get("repealed")
            parts = (in_force, made, repealed)
            expected = None if in_force is None or made is None or repealed is None else in_force + made - repealed
            detail = f"现行有效 {cur.get('in_force')}; {previous['year']}年 {parts[0]} + 制发 {parts[1]} - 废止 {parts[2]}"
            checks.append(balance("X-2", item, [expected], [cur.get("in_force")], detail))
    return checks


def apply_corpus_checks(store: Store, groups: Iterable[str] | None = None) -> int:
    """Recompute ``corpus_checks``; returns how many records changed.

    ``groups``: only the agencies whose reports these pages show (what a crawl touched);
    None: every record. Records stream from the store ordered by agency, one agency's
    years in memory at a time, and the updates go in batched transactions.
    """
    records: Iterator[Record]
    if groups is None:
        records = store.records()  # stored by put_report: schema-valid records
    else:
        agencies = store.agencies_of_groups(groups)
        if not agencies:
            return 0
        records = store.records_of_agencies(agencies)
    changed = 0
    with store.batch():
        for _agency, years in itertools.groupby(records, key=lambda r: r.get("agency") or ""):
            changed += _apply_agency(store, list(years))
    return changed


def _apply_agency(store: Store, records: list[Record]) -> int:
    """One agency's records (an empty agency: no pairing at all)."""
    by_year: dict[int, Record] = {}
    for record in records:
        year = record.get("year")
        if record.get("agency") and year:
            # two reports of one agency and year: keep the first by id, the pairing must be unambiguous
            by_year.setdefault(year, record)
    changed = 0
    for record in records:
        previous = by_year.get((record.get("year") or 0) - 1)
        paired = previous is not None and by_year.get(record.get("year") or 0) is record
        checks = corpus_checks(record, previous) if previous is not None and paired else []
        if checks != record.get("corpus_checks", []):
            record["corpus_checks"] = checks
            store.update_record(record)
            changed += 1
    return changed

"""Checks across years of one agency's reports (domain notes §2, X-1 and X-2).

X-1: 二、上年结转 of year Y equals 四、结转下年度继续办理 of year Y-1, per column.
X-2: 现行有效件数 of year Y equals Y-1's plus 本年制发件数 minus 本年废止件数 (2021
template, 规章 and 行政规范性文件). Results go into each record's
``corpus_checks``; ``ok`` is None when a needed cell is blank. They change as
reports of neighbouring years arrive, so crawl and rebuild recompute them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from crawler.core.parse.checks import balance
from crawler.core.parse.labels import REQUEST_COLUMNS
from crawler.store.database import Store


def corpus_checks(record: dict[str, Any], previous: dict[str, Any]) -> list[dict[str, Any]]:
    """The cross-year checks of ``record`` against the same agency's report of the year before."""
    checks: list[dict[str, Any]] = []
    now = (record.get("requests") or {}).get("rows", {})
    before = (previous.get("requests") or {}).get("rows", {})
    if "carried_over" in now and "carried_forward" in before:
        for c, column in enumerate(REQUEST_COLUMNS):
            got, expected = now["carried_over"][c], before["carried_forward"][c]
            detail = f"上年结转 {got}; {previous['year']}年 结转下年度 {expected} (report {previous['id']})"
            checks.append(balance("X-1", column, [expected], [got], detail))
    if record.get("template") == "2021" and previous.get("template") == "2021":
        for item in ("regulations", "normative_documents"):
            cur = (record.get("proactive") or {}).get(item)
            old = (previous.get("proactive") or {}).get(item)
            if not cur or not old:
                continue
            parts = (old.get("in_force"), cur.get("made"), cur.get("repealed"))
            expected = None if any(p is None for p in parts) else parts[0] + parts[1] - parts[2]  # type: ignore[operator]
            detail = f"现行有效 {cur.get('in_force')}; {previous['year']}年 {parts[0]} + 制发 {parts[1]} - 废止 {parts[2]}"
            checks.append(balance("X-2", item, [expected], [cur.get("in_force")], detail))
    return checks


def apply_corpus_checks(store: Store, groups: Iterable[str] | None = None) -> int:
    """Recompute ``corpus_checks``; returns how many records changed.

    ``groups``: only the agencies whose reports these pages show (what a crawl touched);
    None: every record. Records stream from the store ordered by agency, one agency's
    years in memory at a time, and the updates go in batched transactions.
    """
    if groups is None:
        records = store.records()
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


def _apply_agency(store: Store, records: list[dict[str, Any]]) -> int:
    """One agency's records (an empty agency: no pairing at all)."""
    by_year: dict[int, dict[str, Any]] = {}
    for record in records:
        if record.get("agency") and record.get("year"):
            # two reports of one agency and year: keep the first by id, the pairing must be unambiguous
            by_year.setdefault(record["year"], record)
    changed = 0
    for record in records:
        previous = by_year.get((record.get("year") or 0) - 1)
        checks = corpus_checks(record, previous) if previous is not None and by_year.get(record["year"]) is record else []
        if checks != record.get("corpus_checks", []):
            record["corpus_checks"] = checks
            store.update_record(record)
            changed += 1
    return changed

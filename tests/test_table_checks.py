"""The table rules on their own: T3-1…T3-4 on table 三, T4-1 on table 四 (domain notes §2).

Each table is a small consistent report; one cell is then broken and exactly the rule (and
the column or group) that reads it must fail; a blank cell makes its rules undecidable
(``ok`` None), never a failure: blank is not 0.
"""

from __future__ import annotations

import copy

from crawler.core.parse.checks import request_checks, review_checks
from crawler.core.parse.labels import REQUEST_COLUMNS, REVIEW_GROUPS


def _row(*first_six: float) -> list[float | None]:
    return [*first_six, sum(first_six)]


def _requests() -> dict:
    """A consistent table 三: 一 12 new + 二 2 carried over = 14 = 七 11 concluded + 四 3 carried forward."""
    rows = {
        "new": _row(8, 2, 0, 1, 0, 1),
        "carried_over": _row(1, 1, 0, 0, 0, 0),
        "disclosed": _row(5, 1, 0, 1, 0, 0),
        "partially_disclosed": _row(1, 0, 0, 0, 0, 0),
        "withheld.state_secret": _row(0, 0, 0, 0, 0, 0),
        "withheld.third_party": _row(1, 0, 0, 0, 0, 0),
        "unavailable.not_held": _row(1, 1, 0, 0, 0, 1),
        "result_total": _row(8, 2, 0, 1, 0, 1),
        "carried_forward": _row(1, 1, 0, 0, 0, 0),
    }
    # 七 as the four outcome rows add up, per column
    outcome_rows = [k for k in rows if k not in ("new", "carried_over", "result_total", "carried_forward")]
    rows["result_total"] = [sum(rows[k][c] for k in outcome_rows) for c in range(7)]
    rows["carried_forward"] = [rows["new"][c] + rows["carried_over"][c] - rows["result_total"][c] for c in range(7)]
    return {
        "rows": rows,
        "extra_rows": [
            {"label": "（三）不予公开 小计", "kind": "subtotal", "category": "withheld", "values": _row(1, 0, 0, 0, 0, 0)},
        ],
    }


def _failed(checks: list) -> set[tuple[str, str]]:
    return {(c["rule"], c["scope"]) for c in checks if c["ok"] is False}


def test_a_consistent_table_three_passes_every_rule():
    checks = request_checks(_requests())
    rules = {c["rule"] for c in checks}
    assert rules == {"T3-1", "T3-2", "T3-3", "T3-4"}
    assert all(c["ok"] is True for c in checks), [c for c in checks if c["ok"] is not True]
    # T3-1 and T3-2 per column, T3-3 per row, T3-4 per column of each subtotal
    assert sum(c["rule"] == "T3-1" for c in checks) == len(REQUEST_COLUMNS)
    assert sum(c["rule"] == "T3-3" for c in checks) == len(_requests()["rows"])


def test_a_wrong_total_column_fails_t3_3_for_that_row_only():
    table = _requests()
    table["rows"]["disclosed"][6] += 1
    failed = _failed(request_checks(table))
    assert ("T3-3", "disclosed") in failed
    # 总计 of 三(一) also enters T3-2's total column: the sum of outcomes no longer matches 七
    assert failed == {("T3-3", "disclosed"), ("T3-2", "total")}


def test_a_wrong_carried_forward_fails_t3_1_in_its_column():
    table = _requests()
    table["rows"]["carried_forward"][1] += 2
    table["rows"]["carried_forward"][6] += 2
    assert _failed(request_checks(table)) == {("T3-1", "commercial_enterprise"), ("T3-1", "total")}


def test_a_subtotal_that_disagrees_with_its_rows_fails_t3_4():
    table = _requests()
    table["extra_rows"][0]["values"][0] = 3
    assert _failed(request_checks(table)) == {("T3-4", "withheld/natural_person")}


def test_a_blank_cell_is_undecidable_not_a_failure():
    table = _requests()
    table["rows"]["new"][0] = None
    checks = request_checks(table)
    assert not _failed(checks)
    undecided = {(c["rule"], c["scope"]) for c in checks if c["ok"] is None}
    assert ("T3-1", "natural_person") in undecided and ("T3-3", "new") in undecided


def _review() -> dict:
    return {
        "review": {"upheld": 3, "corrected": 1, "other": 0, "pending": 1, "total": 5},
        "litigation_direct": {"upheld": 2, "corrected": 0, "other": 1, "pending": 0, "total": 3},
        "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    }


def test_table_four_balances_per_group():
    checks = review_checks(_review())
    assert [(c["rule"], c["scope"], c["ok"]) for c in checks] == [("T4-1", g, True) for g in REVIEW_GROUPS]
    broken = copy.deepcopy(_review())
    broken["litigation_direct"]["total"] = 4
    assert _failed(review_checks(broken)) == {("T4-1", "litigation_direct")}
    blank = copy.deepcopy(_review())
    blank["review"]["pending"] = None
    assert [c["ok"] for c in review_checks(blank)] == [None, True, True]

"""Consistency checks (勾稽关系) of one report; a failure is a finding about the report.

Rules (../shared/docs/domain-notes.md §2): T3-1 一+二 = （七）总计+四 per column;
T3-2 （七）总计 = the sum of the outcome rows per column; T3-3 总计 = the six
applicant columns in every row; T3-4 a printed subtotal = its sub-items;
T4-1 总计 = the four parts of each group of table 四; TX-* numbers the
narrative states against the tables. ``ok`` is None when a needed cell is null.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crawler.core.parse.labels import REQUEST_COLUMNS, REVIEW_GROUPS
from crawler.core.record_types import Check

Num = int | float | None
_OUTCOME_PREFIXES = ("disclosed", "partially_disclosed", "withheld.", "unavailable.", "not_processed.", "other")


def check(rule: str, scope: str, ok: bool | None, detail: str) -> Check:
    """One check result as the record holds it (``checks``, and ``corpus_checks`` across years)."""
    return Check(rule=rule, scope=scope, ok=ok, detail=detail)


def balance(rule: str, scope: str, left: Sequence[Num], right: Sequence[Num], detail: str) -> Check:
    """A check that ``sum(left) == sum(right)``; ``ok`` is None when any of the values is blank."""
    if any(v is None for v in (*left, *right)):
        ok = None
    else:
        ok = abs(sum(v for v in left if v is not None) - sum(v for v in right if v is not None)) < 1e-6
    return check(rule, scope, ok, detail)


def _fmt(values: Sequence[Num]) -> str:
    return " + ".join("空" if v is None else f"{v:g}" for v in values)


def request_checks(requests: dict[str, Any]) -> list[Check]:
    rows: dict[str, list[Num]] = requests["rows"]
    checks: list[Check] = []
    outcome_keys = [k for k in rows if k != "result_total" and k.startswith(_OUTCOME_PREFIXES)]
    # rows a report adds among the outcomes ("6.其他原因") are outcomes too
    outcome_extras = [e["values"] for e in requests.get("extra_rows", []) if e.get("kind") == "unknown" and e.get("in_outcomes")]
    for c, col in enumerate(REQUEST_COLUMNS):
        if all(k in rows for k in ("new", "carried_over", "result_total", "carried_forward")):
            left = [rows["new"][c], rows["carried_over"][c]]
            right = [rows["result_total"][c], rows["carried_forward"][c]]
            checks.append(balance("T3-1", col, left, right, f"一+二 = {_fmt(left)}; （七）总计+四 = {_fmt(right)}"))
        if "result_total" in rows and outcome_keys:
            parts = [rows[k][c] for k in outcome_keys] + [e[c] for e in outcome_extras]
            total = [rows["result_total"][c]]
            checks.append(balance("T3-2", col, total, parts, f"（七）总计 = {_fmt(total)}; outcome rows sum {_fmt(parts)}"))
    for key, values in rows.items():
        parts, total = values[:6], [values[6]]
        checks.append(balance("T3-3", key, total, parts, f"总计 {_fmt(total)}; columns {_fmt(parts)}"))
    for extra in requests.get("extra_rows", []):
        if extra.get("kind") != "subtotal":
            continue
        subs = [k for k in rows if k.startswith(extra["category"] + ".")]
        for c, col in enumerate(REQUEST_COLUMNS):
            parts = [rows[k][c] for k in subs]
            checks.append(
                balance("T3-4", f"{extra['category']}/{col}", [extra["values"][c]], parts, f"subtotal {extra['label']}")
            )
    return checks


def review_checks(review: dict[str, Any]) -> list[Check]:
    checks = []
    for group in REVIEW_GROUPS:
        g = review[group]
        parts = [g["upheld"], g["corrected"], g["other"], g["pending"]]
        checks.append(balance("T4-1", group, [g["total"]], parts, f"总计 {_fmt([g['total']])}; parts {_fmt(parts)}"))
    return checks


def narrative_checks(
    figures: dict[str, int | float],
    requests: dict[str, Any] | None,
    review: dict[str, Any] | None,
    scopes: dict[str, str] | None = None,
) -> list[Check]:
    """TX-*: a number the text states against the table cell it describes.

    ``scopes`` names whose number the text gives ("区政府办公室") when it says so; the
    detail then shows it beside the table's number, which always counts the whole
    report: a mismatch may be two scopes rather than a wrong number, and the reader
    should see which.
    """
    checks = []
    rows = requests["rows"] if requests else {}
    scopes = scopes or {}

    def total(key: str) -> Num:
        return rows[key][6] if key in rows else None

    def detail(name: str, table: str, values: Sequence[Num]) -> str:
        scope = scopes.get(name)
        text = f"text: {_fmt([figures[name]])}" + (f" ({scope})" if scope else "")
        return f"{text}; {table}: {_fmt(values)}" + (" (the report's table)" if scope else "")

    if "requests_received" in figures and "new" in rows:
        stated = figures["requests_received"]
        new, carried = total("new"), total("carried_over")
        # "收到申请N件" means new requests, or new plus carried over in some reports
        accepted = [v for v in (new, None if new is None or carried is None else new + carried) if v is not None]
        ok = None if not accepted else stated in accepted
        text = detail("requests_received", "table 三 一、本年新收", [new])
        if carried:
            text += f"; 一+二: {_fmt([None if new is None else new + carried])}"
        checks.append(check("TX-1", "requests_received", ok, text))
    if "requests_carried_over" in figures and "carried_over" in rows:
        left, right = [figures["requests_carried_over"]], [total("carried_over")]
        checks.append(
            balance("TX-2", "requests_carried_over", left, right, detail("requests_carried_over", "table 三 二、上年结转", right))
        )
    if "requests_carried_forward" in figures and "carried_forward" in rows:
        left, right = [figures["requests_carried_forward"]], [total("carried_forward")]
        checks.append(
            balance(
                "TX-3",
                "requests_carried_forward",
                left,
                right,
                detail("requests_carried_forward", "table 三 四、结转下年度", right),
            )
        )
    if review and "review_cases" in figures:
        right = [review["review"]["total"]]
        checks.append(
            balance(
                "TX-4", "review_cases", [figures["review_cases"]], right, detail("review_cases", "table 四 行政复议 总计", right)
            )
        )
    if review and "litigation_cases" in figures:
        lit = [review["litigation_direct"]["total"], review["litigation_after_review"]["total"]]
        checks.append(
            balance(
                "TX-5",
                "litigation_cases",
                [figures["litigation_cases"]],
                lit,
                detail("litigation_cases", "table 四 行政诉讼 总计", lit),
            )
        )
    return checks

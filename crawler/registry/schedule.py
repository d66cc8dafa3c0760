"""Crawl schedules: when a registry region is due for another crawl.

A schedule is a list of rules separated by ``;``, each a period and optionally the months it
applies in: ``"monthly 1-4; quarterly"`` means monthly in January–April (reports are due by
31 January and late ones trickle in) and quarterly in the other months. The first rule whose
months include today's month applies. Periods are calendar buckets: a region is due when its
last crawl lies in an earlier bucket than now (``monthly``: another calendar month), or it was
never crawled. Pure functions; the runs themselves are recorded by :mod:`crawler.store.runs`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from crawler.core.errors import ReportError

DEFAULT_SCHEDULE = "monthly 1-4; quarterly"
PERIODS = ("daily", "weekly", "monthly", "quarterly", "yearly")
_RULE = re.compile(r"^(?P<period>[a-z]+)(?:\s+(?P<months>\d{1,2}(?:-\d{1,2})?(?:,\d{1,2}(?:-\d{1,2})?)*))?$")


class ScheduleError(ReportError):
    """A schedule string that cannot be read."""

    reason = "schedule/invalid"


@dataclass(frozen=True)
class Rule:
    period: str
    months: frozenset[int]


def parse_schedule(text: str) -> list[Rule]:
    """The rules of a schedule string; a :class:`ScheduleError` names what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ScheduleError("a schedule is a non-empty string such as 'monthly 1-4; quarterly'")
    rules: list[Rule] = []
    for part in (p.strip().lower() for p in text.split(";")):
        m = _RULE.match(part)
        if not m or m.group("period") not in PERIODS:
            raise ScheduleError(f"'{part}' is not a rule: a period ({', '.join(PERIODS)}) and optional months such as 1-4")
        months: set[int] = set()
        for span in (m.group("months") or "1-12").split(","):
            first, _, last = span.partition("-")
            lo, hi = int(first), int(last or first)
            if not 1 <= lo <= hi <= 12:
                raise ScheduleError(f"'{span}' is not a range of months 1-12")
            months.update(range(lo, hi + 1))
        rules.append(Rule(m.group("period"), frozenset(months)))
    return rules


def bucket(period: str, when: dt.datetime) -> tuple[int, ...]:
    """The calendar bucket of a moment: two moments in one bucket mean one crawl is enough."""
    if period == "daily":
        return (when.year, when.month, when.day)
    if period == "weekly":
        iso = when.isocalendar()
        return (iso.year, iso.week)
    if period == "monthly":
        return (when.year, when.month)
    if period == "quarterly":
        return (when.year, (when.month - 1) // 3)
    return (when.year,)


def period_now(schedule: str | None, now: dt.datetime) -> str | None:
    """The period that applies this month, or None when no rule covers it (then never due)."""
    for rule in parse_schedule(schedule or DEFAULT_SCHEDULE):
        if now.month in rule.months:
            return rule.period
    return None


def is_due(schedule: str | None, last_run: dt.datetime | None, now: dt.datetime) -> bool:
    """True when a region with this schedule, last crawled at ``last_run``, should be crawled ``now``."""
    period = period_now(schedule, now)
    if period is None:
        return False
    if last_run is None:
        return True
    if last_run > now:
        return False  # a clock that went back: do not crawl again
    return bucket(period, last_run) != bucket(period, now)

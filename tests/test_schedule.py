"""Crawl schedules: parsing, the default reporting season, due or not."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.cli.due import plan
from crawler.registry.regions import Portal, Region
from crawler.registry.schedule import DEFAULT_SCHEDULE, ScheduleError, is_due, parse_schedule, period_now


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_parse_rules() -> None:
    rules = parse_schedule("monthly 1-4; quarterly")
    assert [r.period for r in rules] == ["monthly", "quarterly"]
    assert rules[0].months == frozenset({1, 2, 3, 4}) and len(rules[1].months) == 12
    assert parse_schedule("weekly 1,3-4")[0].months == frozenset({1, 3, 4})


@pytest.mark.parametrize("bad", ["", "fortnightly", "monthly 0-3", "monthly 5-2", "monthly 13", "monthly jan"])
def test_bad_schedules(bad: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(bad)


def test_the_default_is_monthly_in_the_reporting_season() -> None:
    assert DEFAULT_SCHEDULE == "monthly 1-4; quarterly"
    assert period_now(None, at("2025-02-10T00:00")) == "monthly"
    assert period_now(None, at("2025-07-10T00:00")) == "quarterly"
    assert period_now("monthly 1-4", at("2025-07-10T00:00")) is None  # no rule: never due


def test_due_by_calendar_bucket() -> None:
    assert is_due(None, None, at("2025-06-01T00:00"))  # never crawled
    # January to April: another calendar month is due, the same month is not
    assert not is_due(None, at("2025-02-01T03:00"), at("2025-02-27T03:00"))
    assert is_due(None, at("2025-02-27T03:00"), at("2025-03-01T03:00"))
    # the rest of the year: quarterly
    assert not is_due(None, at("2025-07-02T03:00"), at("2025-09-30T03:00"))
    assert is_due(None, at("2025-09-30T03:00"), at("2025-10-01T03:00"))
    assert is_due("weekly", at("2025-09-28T03:00"), at("2025-09-29T03:00"))  # Sunday, then Monday: another ISO week
    assert not is_due("yearly", at("2025-01-02T00:00"), at("2025-12-31T00:00"))
    assert not is_due("daily", at("2025-09-30T03:00"), at("2025-09-29T03:00"))  # a clock that went back


def _region(path: str) -> Region:
    parts = path.split("/")
    return Region(path, parts[0], parts[1] if len(parts) > 1 else None, None, ["province", "city"][len(parts) - 1],
                  (Portal(path, f"http://{len(path)}.example.gov.cn/", None, ()),))  # fmt: skip


def test_plan_crawls_whole_subtrees_once_and_never_what_is_not_due() -> None:
    regions = [_region("江苏省"), _region("江苏省/淮安市"), _region("江苏省/南京市"), _region("浙江省"), _region("浙江省/杭州市")]
    steps = plan(regions, {"江苏省", "江苏省/淮安市", "江苏省/南京市", "浙江省"})
    assert [(args, [r.path for r in covered]) for args, covered in steps] == [
        (["--region", "江苏省"], ["江苏省", "江苏省/淮安市", "江苏省/南京市"]),
        (["--start-url", regions[3].portals[0].url], ["浙江省"]),  # 杭州市 is not due: the province's portal alone
    ]
    assert plan(regions, {"浙江省/杭州市"}) == [(["--region", "浙江省/杭州市"], [regions[4]])]
    assert plan(regions, set()) == []

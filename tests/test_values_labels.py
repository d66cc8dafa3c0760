"""Cell values (blank is never 0) and loose label matching."""

import pytest

from crawler.core.parse.labels import label_core
from crawler.core.parse.requests_table import _match
from crawler.core.parse.values import forced, is_value_cell, parse_value, single_digits, sum_readings


@pytest.mark.parametrize("text", ["", "/", "-", "—", "无", "／", "N/A"])
def test_blank_and_markers_are_null(text):
    assert parse_value(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("12", 12),
        ("-8", -8),
        ("1,234", 1234),
        ("7730.28", 7730.28),
        ("251000元", 251000),
        ("1523.6万元", 1523.6),
        ("22（其中修订16件）", 22),
    ],
)
def test_numbers_as_printed(text, value):
    assert parse_value(text)[0] == value


def test_labels_are_not_values():
    assert not is_value_cell("（一）予以公开")
    assert is_value_cell("0")


@pytest.mark.parametrize(
    ("label", "category", "key"),
    [
        ("12.没有现成信息需要另行制作", "unavailable", "unavailable.needs_creation"),  # numbering typo
        (
            "3.補正啟申請內容仍不明確".replace("補正啟申請內容仍不明確", "补正启申请内容仍不明确"),
            "unavailable",
            "unavailable.unclear",
        ),  # character typo
        ("8、属于行政查询事项", "withheld", "withheld.admin_query"),
        ('3.危及"三安全一稳定"', "withheld", "withheld.three_safeties"),
        ("2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请", "other", "other.overdue_fee"),
        ("3.其他", "other", "other.other"),
        ("（七）总计", None, "result_total"),
        ("四，结转下年度继续办理", None, "carried_forward"),
    ],
)
def test_loose_label_matching(label, category, key):
    assert _match(label_core(label), category)[0] == key


def test_unrelated_label_does_not_match():
    assert _match(label_core("无法联系到申请人的数量统计说明"), "not_processed")[0] is None


def _requests_of(tmp_path, text):
    from crawler.core.report import process
    from crawler.core.resource import FetchedResource

    path = tmp_path / "r.txt"
    path.write_text(text, "utf-8")
    return process(FetchedResource.from_path(path))["requests"]["rows"]


HEAD = "某县民政局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"


def test_subtotal_column_dropped_aligned_pipes(tmp_path):
    text = HEAD + (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | | |\n"
        " | 自然人 | 法人或其他组织 | | | | | | 总计 |\n"
        " | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 小计 | |\n"
        "一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 1 | 2 | 7 |\n"
        "（二）部分公开 | 1 | 0 | | 0 | 0 | 0 | 0 | 1 |\n"
    )
    rows = _requests_of(tmp_path, text)
    assert rows["new"] == [5, 1, 0, 0, 0, 1, 7]
    assert rows["partially_disclosed"] == [1, 0, None, 0, 0, 0, 1]  # a short label, and a blank kept null


@pytest.mark.parametrize(("order", "new"), [("商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t小计", "5\t1\t0\t0\t0\t1\t2\t7"),
                                             ("小计\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他", "5\t2\t1\t0\t0\t0\t1\t7")])  # fmt: skip
def test_subtotal_column_dropped_unaligned_tabs(tmp_path, order, new):
    text = HEAD + f"申请人情况\n自然人\t法人或其他组织\t总计\n{order}\n一、本年新收政府信息公开申请数量\t{new}\n"
    assert _requests_of(tmp_path, text)["new"] == [5, 1, 0, 0, 0, 1, 7]


# Digits a flattened table ran together: split only where nothing else fits.


@pytest.mark.parametrize(
    ("run", "count", "cells"),
    [("3100004", 7, list("3100004")), ("000", 3, ["0", "0", "0"]), ("21533", 3, None), ("1 2 3", 3, None), ("3.5", 3, None)],
)
def test_single_digits_only_when_there_is_one_digit_per_column(run, count, cells):
    assert single_digits(run, count) == cells


@pytest.mark.parametrize(("run", "alone"), [("000", True), ("0009", True), ("7", True), ("100", False), ("213", False)])
def test_forced_runs_are_the_ones_no_number_of_two_digits_can_open(run, alone):
    # "100" is 1|0|0 or 10|0 (a blank cell somewhere) or 100 alone: not forced
    assert forced(run) is alone


def test_sum_readings_lists_every_split_whose_last_number_is_the_sum():
    assert sum_readings("6100007", 7) == [[6, 1, 0, 0, 0, 0, 7]]
    assert sum_readings("6100008", 7) == []  # one digit per cell does not add up, nor does anything else
    assert sum_readings("11011", 7) == [[1, 10, 11], [11, 0, 11]]  # two readings: neither can be chosen
    assert sum_readings("11011", 2) == []  # at most two numbers: 1|1011, 11|011 … none adds up
    assert sum_readings("01001", 7) == [[0, 1, 0, 0, 1]]  # "01", "010" … are never printed numbers

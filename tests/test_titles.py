"""What a report title is (crawler/core/titles.py): real title forms, and look-alikes that are not reports."""

from __future__ import annotations

import pytest

from crawler.core import titles
from crawler.core.normalize import normalize_text
from crawler.core.parse.identity import find_identity
from crawler.core.parse.kind import refusal
from crawler.crawl import discovery

REPORTS = [
    ("漯河市科学技术局2021年政府信息公开工作年度报告", 2021),
    ("洪泽区人民政府2023年度政府信息公开工作年度报告", 2023),
    ("宿迁市政府办公室2014年政府信息公开年度报告", 2014),
    ("宿州市人民政府2019年政府信息公开工作年度报告（图片版）", 2019),
    ("北京市东城区2020年政务信息公开工作年度报告", 2020),
    ("某县财政局2022年信息公开年报", 2022),
    ("2018年政务公开年报", 2018),
    ("XX市人民政府办公室 2022 年政府信息公开工作年度报告", 2022),
    # traditional characters (公開, 報告, 縣)
    ("某縣人民政府2023年政府信息公開工作年度報告", 2023),
    # a year in Chinese numerals
    ("某市生态环境局二〇二三年政府信息公开工作年度报告", 2023),
    ("某市生态环境局二○二二年度政府信息公开工作年度报告", 2022),
    # no year, but the full name: a report list's column entry
    ("政府信息公开工作年度报告", None),
]

NOT_REPORTS = [
    "2024年政务公开工作要点",
    "某县2023年政府信息公开工作自查报告",
    "某市2023年法治政府建设年度报告",
    "某区2022年度法治政府建设情况报告",
    "关于做好2023年政府信息公开工作年度报告编制和发布工作的通知",
    "关于报送2022年政府信息公开工作年度报告的函",
    "《某市2023年政府信息公开工作年度报告》解读",
    "一图读懂某区2023年政府信息公开工作年度报告",
    "图解：某县2022年政府信息公开工作年度报告",
    "2023年度政府信息公开工作考核结果",
    "某市2023年政府工作报告",
    "政府信息公开指南",
    "政府信息公开目录",
    "某市2023年国民经济和社会发展统计公报",
    # the name without a year and without 年度报告: a column, not a report
    "政府信息公开年报",
    "",
]


@pytest.mark.parametrize(("title", "year"), REPORTS)
def test_report_titles_are_reports_with_their_year(title, year):
    assert titles.is_report_title(title), title
    assert titles.report_year(title) == year
    assert titles.names_report(title)


@pytest.mark.parametrize("title", NOT_REPORTS)
def test_look_alikes_are_not_report_titles(title):
    assert not titles.is_report_title(title), title


def test_bare_annual_report_names_a_report_only_inside_a_document():
    # "年度报告" without 政府信息公开: a link may be anyone's annual report, a document's heading is its title
    title = "某市统计局2023年年度报告"
    assert not titles.is_report_title(title)
    assert titles.names_report(title)
    assert not titles.names_report("某市统计局工作总结")
    assert not titles.names_report("2023年工作总结")


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("关于报送2022年政府信息公开工作年度报告的函", "函"),
        ("关于做好2023年政府信息公开工作年度报告编制工作的通知", "通知"),
        ("某县2023年政府信息公开工作自查报告", "自查报告"),
        ("某市2023年法治政府建设年度报告", "法治政府建设报告"),
        ("2024年政务公开工作要点", "工作要点"),
        ("一图读懂某区2023年政府信息公开工作年度报告", "解读"),
        ("某市2023年政府工作报告", "政府工作报告"),
        ("某市2023年政府信息公开工作年度报告", None),
    ],
)
def test_other_kinds_a_title_names(title, kind):
    assert titles.other_kind(title) == kind


def test_discovery_identity_and_kind_read_the_same_titles():
    # discovery re-exports the one definition: the spider and the parser cannot disagree
    assert discovery.is_report_title is titles.is_report_title
    assert discovery.report_year is titles.report_year
    for title, year in REPORTS:
        # the parser hands identity normalised paragraphs
        text = normalize_text(title)
        identity = find_identity([text, "一、总体情况", "本年度共主动公开信息100条。"], None, None, max_year=2030)
        assert identity.title == text, title
        if year is not None:
            assert identity.year == year, title
        assert refusal(identity.title, [], False, titles.is_report_title(identity.title)) is None, title
    for title in NOT_REPORTS[:7]:
        reason = refusal(title, [], False, titles.is_report_title(title))
        assert reason is not None and "not an annual report" in reason, title

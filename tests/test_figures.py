"""Figures stated in a report's narrative: the right sentence, the report's own year.

The paragraphs read the way 2010–2018 reports do: 行政审批 and 政府信息公开 counts in
neighbouring sentences, one project list's postings beside the year's total, last
year's figures beside this year's, and old 附表 统计表 of indicators.
"""

from __future__ import annotations

from crawler.core.document import Table
from crawler.core.parse.figures import Figures, find_figures


def _figure(found: Figures, name: str) -> tuple[int | float, str]:
    assert name in found.found, f"{name} not found; found {found.values()}"
    f = found.found[name]
    return f.value, f.sentence


def test_requests_come_from_disclosure_requests_not_administrative_approvals() -> None:
    paragraphs = [
        "一、概述",
        "2016年，我市深入推进简政放权，市政务服务中心全年共受理申请121510件，办结121498件，按时办结率99.9%。"
        "市长热线12345全年共受理群众申请诉求3260件。",
        "二、主动公开政府信息情况",
        "2016年，全市共主动公开政府信息4213条。",
        "三、依申请公开政府信息和不予公开政府信息情况",
        "2016年，市政府办公室共收到政府信息公开申请36件，其中网络申请21件、信函申请10件、当面申请5件。",
    ]
    value, sentence = _figure(find_figures(paragraphs, year=2016), "requests_received")
    assert value == 36
    assert "政府信息公开申请36件" in sentence


def test_approvals_counted_inside_the_requests_part_are_still_not_requests() -> None:
    paragraphs = [
        "三、依申请公开政府信息情况",
        "在行政审批方面，全年共受理申请2830件，全部办结。",
        "全年共受理公民、法人和其他组织的申请12件，均按规定期限答复。",
    ]
    value, sentence = _figure(find_figures(paragraphs, year=2015), "requests_received")
    assert value == 12
    assert sentence.startswith("全年共受理公民")


def test_the_years_total_wins_over_one_project_lists_postings() -> None:
    paragraphs = [
        "二、主动公开政府信息情况",
        "（一）重点领域信息公开。在重大建设项目批准和实施领域，通过区政府门户网站专栏全年共发布信息166条；"
        "在公共资源配置领域，发布信息98条。",
        "（二）公开总体情况。2017年，我区主动公开政府信息2350条，其中规范性文件14条。",
    ]
    value, sentence = _figure(find_figures(paragraphs, year=2017), "proactive_items")
    assert value == 2350
    assert sentence == "2017年，我区主动公开政府信息2350条，其中规范性文件14条。"


def test_one_channels_count_is_not_the_years_total() -> None:
    paragraphs = [
        "二、主动公开政府信息情况",
        "2018年度我局通过微信公众号发布动态信息52条，通过政府信息公开专栏公开政府信息50余条。",
    ]
    found = find_figures(paragraphs, year=2018)
    assert "proactive_items" not in found.values()
    # the same report still gives what it does state plainly
    found = find_figures([*paragraphs, "全年共主动公开各类信息230条。"], year=2018)
    assert _figure(found, "proactive_items") == (230, "全年共主动公开各类信息230条。")


def test_a_total_with_breakdown_keeps_the_total_and_its_sentence() -> None:
    paragraphs = [
        "一年来，县科技局向县政府门户网站、部门网站等报送、发布工作动态、实用技术等信息共183条。"
        "其中：在县政府门户网站科技局板块发布信息120条，以简报形式发布信息35条。"
    ]
    value, sentence = _figure(find_figures(paragraphs, year=2014), "proactive_items")
    assert value == 183
    assert sentence.endswith("信息共183条。")


def test_another_years_statement_is_not_the_reports_figure() -> None:
    paragraphs = [
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "2015年未收到因政府信息公开引起的行政复议申请。2016年，本机关因政府信息公开被申请行政复议2件，均已审结。",
    ]
    value, sentence = _figure(find_figures(paragraphs, year=2016), "review_cases")
    assert value == 2
    assert sentence.startswith("2016年，本机关因政府信息公开被申请行政复议2件")


def test_only_other_years_statements_leave_the_figure_unknown_not_zero() -> None:
    paragraphs = [
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "2015年未收到行政复议申请。上年度也未发生因政府信息公开引起的行政诉讼。",
    ]
    found = find_figures(paragraphs, year=2016)
    assert "review_cases" not in found.values()
    assert "litigation_cases" not in found.values()
    # the same sentences in the 2015 report are that report's figures (上年度 still is not)
    found = find_figures(paragraphs, year=2015)
    assert _figure(found, "review_cases") == (0, "2015年未收到行政复议申请。")
    assert "litigation_cases" not in found.values()


def test_last_years_requests_beside_this_years() -> None:
    paragraphs = [
        "三、依申请公开政府信息情况",
        "去年我委共受理政府信息公开申请45件。今年受理政府信息公开申请38件，比上年减少7件，其中上年结转2件。",
    ]
    found = find_figures(paragraphs, year=2013)
    assert _figure(found, "requests_received")[0] == 38
    assert "38件" in _figure(found, "requests_received")[1]
    assert _figure(found, "requests_carried_over")[0] == 2


def test_a_year_the_paragraph_opened_with_holds_for_its_later_sentences() -> None:
    paragraphs = [
        "三、依申请公开政府信息情况",
        "2012年，我局共受理政府信息公开申请9件。均在规定期限内答复。",
        "2013年，我局共受理政府信息公开申请11件。其中当面申请4件，网络申请7件。",
    ]
    assert _figure(find_figures(paragraphs, year=2013), "requests_received") == (11, "2013年，我局共受理政府信息公开申请11件。")


def test_review_and_litigation_counts_stated_in_the_text() -> None:
    paragraphs = [
        "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "2017年，我县因政府信息公开被申请行政复议1起，行政诉讼案件0件。",
    ]
    found = find_figures(paragraphs, year=2017)
    assert _figure(found, "review_cases") == (1, "2017年，我县因政府信息公开被申请行政复议1起，行政诉讼案件0件。")
    assert _figure(found, "litigation_cases")[0] == 0


def test_one_negation_covers_review_and_litigation() -> None:
    sentence = "2014年，未发生因政府信息公开申请行政复议和提起行政诉讼的情况。"
    found = find_figures(["六、因政府信息公开申请行政复议、提起行政诉讼的情况", sentence], year=2014)
    assert _figure(found, "review_cases") == (0, sentence)
    assert _figure(found, "litigation_cases") == (0, sentence)


def test_both_counts_in_one_phrase() -> None:
    sentence = "全年因政府信息公开引起的行政复议和行政诉讼案件均为2件。"
    found = find_figures(["一、概述", sentence], year=2012)
    assert found.values()["review_cases"] == 2
    assert found.values()["litigation_cases"] == 2
    assert found.sources()["litigation_cases"] == sentence


def test_a_review_count_outside_disclosure_is_not_this_reports() -> None:
    # a 法治 paragraph about all review cases of the government, not disclosure ones
    paragraphs = ["一、概述", "全年办理行政复议案件120件，行政应诉案件35件。"]
    assert "review_cases" not in find_figures(paragraphs, year=2016).values()


def test_the_review_count_does_not_come_from_how_cases_ended() -> None:
    sentence = "2016年，我局未发生行政复议被纠错的情况。"
    assert (
        "review_cases" not in find_figures(["五、因政府信息公开申请行政复议、提起行政诉讼的情况", sentence], year=2016).values()
    )


def test_review_applications_are_not_disclosure_requests() -> None:
    paragraphs = [
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "2017年，县人民政府未收到因政府信息公开申请行政复议的申请，也未发生因政府信息公开引起的行政诉讼。",
    ]
    found = find_figures(paragraphs, year=2017)
    assert "requests_received" not in found.values()
    assert found.values()["review_cases"] == 0
    assert found.values()["litigation_cases"] == 0


def test_no_requests_in_words() -> None:
    sentence = "本年度没有公民、法人或其他组织提出政府信息公开申请。"
    assert _figure(find_figures(["三、依申请公开情况", sentence], year=2011), "requests_received") == (0, sentence)


def test_a_part_that_says_only_none() -> None:
    found = find_figures(
        ["四、因政府信息公开申请行政复议、提起行政诉讼的情况", "无。", "五、存在的主要问题及改进措施"], year=2012
    )
    assert found.values()["review_cases"] == 0
    assert found.values()["litigation_cases"] == 0


def test_fees_in_ten_thousand_yuan() -> None:
    found = find_figures(["四、政府信息公开的收费及减免情况", "2010年共收取检索、复制费0.12万元。"], year=2010)
    assert found.values()["fees_yuan"] == 1200


def test_appendix_indicator_table() -> None:
    table = Table(
        rows=[
            ["统计指标", "单位", "统计数"],
            ["一、主动公开情况", "", ""],
            ["（一）主动公开政府信息数", "条", "1532"],
            ["其中：主动公开规范性文件数", "条", "9"],
            ["三、依申请公开情况", "", ""],
            ["（一）收到申请数", "件", "27"],
            ["1.当面申请数", "件", "6"],
            ["（二）申请办结数", "件", "25"],
            ["（三）申请答复数", "", ""],
            ["1.同意公开答复数", "件", "19"],
            ["四、行政复议数量", "件", "1"],
            ["六、依申请公开信息收取的费用", "万元", "0.05"],
        ]
    )
    found = find_figures(["七、其他需要报告的事项", "附表：2015年政府信息公开情况统计表", table], year=2015)
    assert found.values() == {
        "proactive_items": 1532,
        "requests_received": 27,
        "requests_completed": 25,
        "requests_disclosed": 19,
        "review_cases": 1,
        "fees_yuan": 500,
    }
    assert found.sources()["requests_received"] == "（一）收到申请数 | 件 | 27"
    assert found.found["requests_received"].source == "table"


def test_appendix_with_a_column_per_year_and_two_lists_side_by_side() -> None:
    table = Table(
        rows=[
            ["指标", "单位", "2014年", "2013年"],
            ["主动公开政府信息数", "条", "860", "745"],
            ["收到申请数", "件", "", "3"],
        ]
    )
    found = find_figures([table], year=2014)
    assert found.values()["proactive_items"] == 860
    assert "requests_received" not in found.values()  # blank this year: unknown, not last year's 3
    side = Table(
        rows=[["主动公开信息数", "条", "412", "行政复议数量", "件", "0"], ["收到申请数", "件", "5", "行政诉讼数量", "件", "0"]]
    )
    assert find_figures([side], year=2011).values() == {
        "proactive_items": 412,
        "review_cases": 0,
        "requests_received": 5,
        "litigation_cases": 0,
    }


def test_the_narrative_names_whose_number_it_gives() -> None:
    paragraphs = ["三、收到和处理政府信息公开申请情况", "2024年，区政府办公室共收到政府信息公开申请17件，均已按期答复。"]
    found = find_figures(paragraphs, year=2024)
    assert found.values()["requests_received"] == 17
    assert found.scopes()["requests_received"] == "区政府办公室"
    evidence = found.evidence()["requests_received"]
    assert evidence == {
        "value": 17,
        "sentence": "2024年，区政府办公室共收到政府信息公开申请17件，均已按期答复。",
        "source": "text",
        "part": "requests",
        "scope": "区政府办公室",
    }


def test_every_figure_has_its_sentence() -> None:
    text = (
        "二、主动公开政府信息情况\n2016年，全县主动公开政府信息3080条。\n三、依申请公开政府信息情况\n"
        "2016年共受理政府信息公开申请8件，上年结转1件，结转下年度0件。\n四、政府信息公开的收费及减免情况\n未收取任何费用。\n"
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况\n行政复议1件，未发生行政诉讼。"
    )
    found = find_figures(text, year=2016)
    assert set(found.values()) == {
        "proactive_items",
        "requests_received",
        "requests_carried_over",
        "requests_carried_forward",
        "fees_yuan",
        "review_cases",
        "litigation_cases",
    }
    for name, sentence in found.sources().items():
        assert sentence and sentence in text, name


def test_a_pre2019_report_end_to_end() -> None:
    import datetime as dt

    from crawler.core.document import Document
    from crawler.core.parse import parse_document

    appendix = Table(
        rows=[
            ["指标名称", "计量单位", "数量"],
            ["一、主动公开政府信息数", "条", "1126"],
            ["二、收到申请数", "件", "14"],
            ["三、行政复议数量", "件", "1"],
        ]
    )
    doc = Document(
        blocks=[
            "某某市国土资源局2015年政府信息公开工作年度报告",
            "第一部分 概述",
            "2015年，市国土资源局行政审批窗口全年共受理申请4380件，办结率100%。",
            "第二部分 主动公开政府信息情况",
            "2015年，我局主动公开政府信息1126条，其中通过门户网站公开980条。",
            "第三部分 依申请公开政府信息情况",
            "2014年我局共受理政府信息公开申请22件。2015年，我局共受理政府信息公开申请14件，均按时答复。",
            "第四部分 因政府信息公开申请行政复议、提起行政诉讼的情况",
            "2015年，我局因政府信息公开被申请行政复议1件，未发生行政诉讼。",
            "附表：2015年政府信息公开情况统计表",
            appendix,
        ],
        source_format="text",
        title="某某市国土资源局2015年政府信息公开工作年度报告",
    )
    record = parse_document(doc, today=dt.date(2016, 3, 30))
    assert record["template"] == "pre2019"
    assert [s["heading"] for s in record["sections"]][:4] == [
        "概述",
        "主动公开政府信息情况",
        "依申请公开政府信息情况",
        "因政府信息公开申请行政复议、提起行政诉讼的情况",
    ]
    assert record["figures"] == {"proactive_items": 1126, "requests_received": 14, "review_cases": 1, "litigation_cases": 0}
    assert set(record["figure_sources"]) == set(record["figures"])
    assert record["figure_sources"]["requests_received"] == "2015年，我局共受理政府信息公开申请14件，均按时答复。"
    assert (
        record["figure_evidence"]["litigation_cases"]["sentence"]
        == "2015年，我局因政府信息公开被申请行政复议1件，未发生行政诉讼。"
    )

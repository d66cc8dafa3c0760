"""The table parsers on text other tools re-extracted from real reports.

Each document here is written the way a PDF→markdown converter, an OCR transcription or an
archiver's flattened text dump prints a report: scrambled multi-row headers with shifted or
merged cells, `|---|` rules, a leading empty cell, ragged rows, placeholder columns, labels
wrapped over two rows, cells run together. Every test asserts the exact cells; blank stays
null, and a cell the parser could not place is null with a warning, never a guess.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.core.errors import ReportError
from crawler.core.parse.proactive_table import parse_proactive
from crawler.core.parse.requests_table import parse_requests
from crawler.core.parse.review_table import parse_review
from crawler.core.parse.rows import Row
from crawler.core.report import process
from crawler.core.resource import FetchedResource

NULL7 = [None] * 7

# Long prose paragraphs, as real reports have: short lines between them stay lines of their own.
INTRO = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发"
    "〈中华人民共和国政府信息公开工作年度报告格式〉的通知》要求编制。报告全文包括总体情况、主动公开政府信息情况、收到和处理"
    "政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
)
OVERVIEW = (
    "一、总体情况\n本年度，我局认真贯彻落实《条例》和上级关于政务公开工作的部署要求，坚持以公开为常态、不公开为例外，"
    "围绕中心工作全面推进决策、执行、管理、服务、结果公开，不断完善政府信息公开工作机制，依法保障人民群众的知情权、参与权和监督权。"
)
PROBLEMS = (
    "五、存在的主要问题及改进情况\n一是信息公开的及时性和规范性有待进一步提高；二是政策解读形式较为单一，图文解读、视频解读数量偏少。"
    "下一步，我局将进一步加强业务培训，丰富解读形式，不断提升政府信息公开工作的质量和水平。"
)

T2_2021_MD = """二、主动公开政府信息情况

| 第二十条第（一）项 | | | |
|---|---|---|---|
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 3 | 1 | 12 |
| 第二十条第（五）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政许可 | 1,234 | | |
| 第二十条第（六）项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政处罚 | 56 | | |
| 行政强制 | 0 | | |
| 第二十条第（八）项 | | | |
| 信息内容 | 本年收费金额（单位：万元） | | |
| 行政事业性收费 | 12.5 | | |
"""

# table 三 as a converter prints a rowspan/colspan grid: every row as wide as the grid
T3_2021_MD = """三、收到和处理政府信息公开申请情况

| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | | 申请人情况 | | | | | | |
|---|---|---|---|---|---|---|---|---|---|
| | | | 自然人 | 法人或其他组织 | | | | | 总计 |
| | | | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |
| 一、本年新收政府信息公开申请数量 | | | 10 | 2 | 0 | 0 | 1 | 0 | 13 |
| 二、上年结转政府信息公开申请数量 | | | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 三、本年度办理结果 | （一）予以公开 | | 5 | 1 | 0 | 0 | 0 | 0 | 6 |
| | （二）部分公开（区分处理的，只计这一情形，不计其他情形） | | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| | （三）不予公开 | 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 4.保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 6.属于四类过程性信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | （四）无法提供 | 1.本机关不掌握相关政府信息 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |
| | | 2.没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 3.补正后申请内容仍不明确 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | （五）不予处理 | 1.信访举报投诉类申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| | | 3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 5.要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | （六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | | 3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | （七）总计 | | 9 | 2 | 0 | 0 | 0 | 0 | 11 |
| 四、结转下年度继续办理 | | | 2 | 0 | 0 | 0 | 1 | 0 | 3 |
"""

REVIEW_EXPECTED = {
    "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
    "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    "litigation_after_review": {"upheld": 2, "corrected": 0, "other": 0, "pending": 1, "total": 3},
}
REVIEW_NUMBERS = "1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 2 | 0 | 0 | 1 | 3"


def parse_text(text: str) -> dict:
    return process(FetchedResource(body=text.encode("utf-8"), filename="report.txt"))


def report(title: str, *parts: str) -> str:
    return "\n\n".join([title, INTRO, OVERVIEW, *parts, PROBLEMS]) + "\n"


# Table 四 as converters print it: the merged header rows scrambled, shifted or dropped.
T4_VARIANTS = {
    # markdown headings in bold; the two header rows shifted, the field row glued into one cell at the end
    "bold_heading_shifted_header": "**四、政府信息公开行政复议、行政诉讼情况**\n\n"
    "| 行政复议 | | | | | 行政诉讼 | | | | | |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | | 复议后起诉 | | | |\n"
    "| 结果 维持 | 结果 纠正 | 其他 结果 | 尚未 审结 | 总计 | 结果 维持 | 结果 纠正 | 其他 结果 | 尚未 审结 | 总计 |"
    " 结果维持 结果纠正 其他结果 尚未审结 总计 |\n"
    f"| | {REVIEW_NUMBERS} |\n",
    # no heading: the converter ran table 四 on from table 三, its header split over three rows
    "header_split_same_grid": "| 行政复议 | | | | | | | | | |\n| | | | | | 行政诉讼 | | | | |\n"
    "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 | | | |\n"
    f"| {REVIEW_NUMBERS} |\n",
    # an OCR transcription that lost heading and header: table 三's grid runs on into fifteen numbers
    "numbers_only_same_grid": f"| | {REVIEW_NUMBERS} |\n",
    # the heading survived, the header did not: one row of fifteen numbers after an empty label cell
    "header_lost": f"四、政府信息公开行政复议、行政诉讼情况\n\n| | {REVIEW_NUMBERS} |\n",
}


@pytest.mark.parametrize("variant", sorted(T4_VARIANTS))
def test_table_four_after_a_scrambled_header_is_not_swallowed_by_table_three(variant):
    # table 四 follows table 三 with no blank line: the *_same_grid variants are one grid with it
    text = report("某某县交通运输局2021年政府信息公开工作年度报告", T2_2021_MD, T3_2021_MD + T4_VARIANTS[variant])
    record = parse_text(text)
    assert record["review_litigation"] == REVIEW_EXPECTED
    requests = record["requests"]
    assert requests["extra_rows"] == []
    assert len(requests["rows"]) == 25
    assert requests["rows"]["carried_forward"] == [2, 0, 0, 0, 1, 0, 3]
    assert not [w for w in record["warnings"] if "table 四" in w or "table 三" in w]


T3_2019_BLANK_OTHER = """三、收到和处理政府信息公开申请情况

| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | 申请人情况 | | | | | | |
|---|---|---|---|---|---|---|---|---|
| | | 自然人 | 法人或其他组织 | | | | | 总计 |
| | | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |
| 一、本年新收政府信息公开申请数量 | | 3 | | | | | | 3 |
| 二、上年结转政府信息公开申请数量 | | | | | | | | |
| （一）予以公开 | | 2 | | | | | | 2 |
| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | | | | | | | | |
| （三）不予公开 | 1.属于国家秘密 | | | | | | | |
| | 2.其他法律行政法规禁止公开 | | | | | | | |
| | 3.危及“三安全一稳定” | | | | | | | |
| | 4.保护第三方合法权益 | | | | | | | |
| | 5.属于三类内部事务信息 | | | | | | | |
| | 6.属于四类过程性信息 | | | | | | | |
| | 7.属于行政执法案卷 | | | | | | | |
| | 8.属于行政查询事项 | | | | | | | |
| （四）无法提供 | 1.本机关不掌握相关政府信息 | 1 | | | | | | 1 |
| | 2.没有现成信息需要另行制作 | | | | | | | |
| | 3.补正后申请内容仍不明确 | | | | | | | |
| （五）不予处理 | 1.信访举报投诉类申请 | | | | | | | |
| | 2.重复申请 | | | | | | | |
| | 3.要求提供公开出版物 | | | | | | | |
| | 4.无正当理由大量反复申请 | | | | | | | |
| | 5.要求行政机关确认或重新出具已获取信息 | | | | | | | |
| （六）其他处理 | | | | | | | | |
| （七）总计 | | 3 | | | | | | 3 |
| 四、结转下年度继续办理 | | | | | | | | |
"""


def test_blank_2019_other_row_is_kept_with_null_cells():
    record = parse_text(report("某某街道办事处2020年政府信息公开工作年度报告", T3_2019_BLANK_OTHER))
    rows = record["requests"]["rows"]
    assert record["template"] == "2019"
    assert len(rows) == 23
    assert rows["other"] == NULL7  # printed blank: null, never 0
    assert list(rows)[-3:] == ["other", "result_total", "carried_forward"]
    assert rows["new"] == [3, None, None, None, None, None, 3]
    assert rows["unavailable.not_held"] == [1, None, None, None, None, None, 1]
    assert rows["carried_forward"] == NULL7
    assert record["requests"]["extra_rows"] == []


def test_blank_2021_other_category_row_is_not_a_subtotal():
    # a converter that prints the （六）其他处理 rowspan cell on a row of its own, above its sub-rows
    t3 = T3_2021_MD.replace(
        "| | （六）其他处理 | 1.申请人无正当理由",
        "| | （六）其他处理 | | | | | | | | |\n| | | 1.申请人无正当理由",
    )
    assert t3 != T3_2021_MD
    record = parse_text(report("某某县交通运输局2021年政府信息公开工作年度报告", T2_2021_MD, t3))
    rows = record["requests"]["rows"]
    assert record["template"] == "2021"
    assert len(rows) == 25 and "other" not in rows
    assert rows["other.overdue_correction"] == [0] * 7
    assert record["requests"]["extra_rows"] == []


T2_2019_SHORT_ROWS = """二、主动公开政府信息情况

| 第二十条第（一）项 | | | |
|---|---|---|---|
| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
| 规章 | 22 | 235 |
| 规范性文件 | | 3 | 5 |
| 第二十条第（五）项 | | | |
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政许可 | 40 | -2 | 1 234 |
| 其他对外管理服务事项 | 7 |
| 第二十条第（八）项 | | | |
| 信息内容 | 上一年项目数量 | 本年增/减 | |
| 行政事业性收费 | 3 | 0 | |
"""


def test_short_rows_of_table_two_are_left_null_with_a_warning():
    record = parse_text(report("某某区司法局2020年政府信息公开工作年度报告", T2_2019_SHORT_ROWS))
    proactive = record["proactive"]
    assert record["template"] == "2019"
    # two values under three columns: which one is missing is unknown
    assert proactive["regulations"] == {"made": None, "published": None, "total": None}
    assert proactive["other_services"] == {"previous": None, "change": None, "decisions": None}
    # the grid tells the positions: the blank is the first column
    assert proactive["normative_documents"] == {"made": None, "published": 3, "total": 5}
    assert proactive["licensing"] == {"previous": 40, "change": -2, "decisions": 1234}
    assert proactive["fees"] == {"previous": 3, "change": 0}
    warned = " ".join(w for w in record["warnings"] if w.startswith("table 二"))
    assert "regulations" in warned and "other_services" in warned
    assert "normative_documents" not in warned and "licensing" not in warned


def test_row_of_table_three_with_a_cell_too_many_is_not_read_in_order():
    # an OCR transcription split one cell in two; the header rows were garbled beyond use
    t3 = T3_2021_MD.replace("| 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |", "| 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |")
    t3 = t3.replace("| | | | 自然人 | 法人或其他组织 | | | | | 总计 |", "| 自然人 | 法人或其他组织 | 总计 |")
    t3 = t3.replace("| | | | | 商业企业 | 科研机构", "| 商业企业 | 科研机构")
    assert t3.count("| 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 1 |") == 1
    record = parse_text(report("某某县交通运输局2021年政府信息公开工作年度报告", t3))
    rows = record["requests"]["rows"]
    assert rows["not_processed.duplicate"] == NULL7
    assert rows["unavailable.not_held"] == [2, 1, 0, 0, 0, 0, 3]
    assert any("重复申请" in w and "8 value cells" in w and "left null" in w for w in record["warnings"])


OCR_T3 = """三、收到和处理政府信息公开申请情况

| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | 申请人情况 | | | | | | | |
| | | 自然人 | □ | 法人或其他组织 | | | | | 总计 |
| | | | □ | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |
| 一、本年新收政府信息公开申请数量 | | １２ | □ | 1 | 0 | 0 | 0 | 0 | １３ |
| | | 0 | □ | 0 | 0 | 0 | 0 | 0 | 0 |
| 三、本年度办理结果 | （一）予以公开 | 1 234 | □ | 1 | 0 | 0 | 0 | 0 | 1,235 |
| | （二）部分 | | | | | | | | |
| | 公开 | 3 | □ | 0 | 0 | 0 | 0 | 0 | 3 |
| | （三）不予公开 | 1.属于国家秘密 | | | | | | | |
| （七）总计 | | 1 249 | □ | 1 | 0 | 0 | 0 | 0 | 1,250 |
| 四、结转下年度继续办理 | | 0 | □ | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def test_ocr_transcription_with_a_label_lost():
    # a row whose label the OCR lost, followed by a label-only row: once an IndexError
    record = parse_text(report("某某镇人民政府2020年政府信息公开工作年度报告", OCR_T3))
    requests = record["requests"]
    rows = requests["rows"]
    assert rows["new"] == [12, 1, 0, 0, 0, 0, 13]  # full-width digits, the □ placeholder column dropped
    assert rows["disclosed"] == [1234, 1, 0, 0, 0, 0, 1235]  # thousands by space and by comma
    assert rows["partially_disclosed"] == [3, 1 - 1, 0, 0, 0, 0, 3]  # label split over two rows, values on the second
    assert rows["result_total"] == [1249, 1, 0, 0, 0, 0, 1250]
    assert rows["carried_forward"] == [0] * 7
    assert "carried_over" not in rows  # its label was lost: never assigned by position
    unknown = [e for e in requests["extra_rows"] if e["kind"] == "unknown"]
    assert [e["values"] for e in unknown] == [[0] * 7]
    assert any("no label" in w for w in record["warnings"])


def test_label_wrapped_before_its_values():
    rows = [
        Row(cells=["5.要求行政机关确认或重新", "", "", "", "", "", "", ""], table=0),
        Row(cells=["出具已获取信息", "1", "0", "0", "0", "0", "0", "1"], table=0),
        Row(cells=["（六）其他处理", "", "", "", "", "", "", ""], table=0),
    ]
    table, warnings = parse_requests(rows)
    assert table is not None
    assert table["rows"] == {"not_processed.confirmation": [1, 0, 0, 0, 0, 0, 1], "other": NULL7}
    assert table["extra_rows"] == []
    assert warnings == []


FLAT_2021 = """二、主动公开政府信息情况
第二十条第（一）项
信息内容本年制发件数本年废止件数现行有效件数
规章000
规范性文件898989
第二十条第（五）项
信息内容本年处理决定数量
行政许可1 234
第二十条第（六）项
信息内容本年处理决定数量
行政处罚56
行政强制0
第二十条第（八）项
信息内容本年收费金额（单位：万元）
行政事业性收费0
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况
自然人法人或其他组织总计
商业企业科研机构社会公益组织法律服务机构其他
一、本年新收政府信息公开申请数量230 000023
二、上年结转政府信息公开申请数量0000000
三、本年度办理结果（一）予以公开120 000012
（七）总计230 000023
四、结转下年度继续办理0 0 0 0 0 0 0
"""


def test_flattened_2021_report_gets_its_template_and_null_cells():
    record = parse_text(report("某某市生态环境局2021年政府信息公开工作年度报告", FLAT_2021))
    assert record["template"] == "2021"
    proactive = record["proactive"]
    # three zeros for three columns: no other reading ("00" is never printed)
    assert proactive["regulations"] == {"made": 0, "repealed": 0, "in_force": 0}
    assert proactive["normative_documents"] == {"made": None, "repealed": None, "in_force": None}
    assert proactive["licensing"] == {"decisions": 1234}  # one cell: the whole run is its number
    assert proactive["penalty"] == {"decisions": 56}
    assert proactive["fees"] == {"amount_10k_yuan": 0}
    rows = record["requests"]["rows"]
    assert rows["new"] == rows["disclosed"] == rows["result_total"] == NULL7
    assert rows["carried_over"] == [0] * 7  # seven digits, seven columns, and 总计 = the six
    assert rows["carried_forward"] == [0] * 7  # spaces still part seven numbers
    warned = record["warnings"]
    assert any("normative_documents" in w and "'898989'" in w and "null" in w for w in warned)
    assert any("本年新收" in w and "'230 000023'" in w and "null" in w for w in warned)


FLAT_2019_T2 = """二、主动公开政府信息情况
第二十条第（一）项
信息内容本年新制作数量本年新公开数量对外公开总数量
规章000
规范性文件121212
第二十条第（九）项
信息内容采购项目数量采购总金额
政府集中采购35000
"""


def test_flattened_2019_table_two_gets_the_2019_template():
    record = parse_text(report("某某县统计局2020年政府信息公开工作年度报告", FLAT_2019_T2))
    assert record["template"] == "2019"
    assert record["proactive"]["normative_documents"] == {"made": None, "published": None, "total": None}
    assert record["proactive"]["procurement"] == {"items": None, "amount": None}


@pytest.mark.parametrize(
    ("citation", "template"),
    [
        ("（国办公开办函〔2021〕30号）", "2021"),
        ("（国办公开办函[2021]30号）", "2021"),
        ("（国办公开办函〔2019〕60号）", "2019"),
        ("", "pre2019"),
    ],
)
def test_template_from_the_cited_circular_when_the_tables_are_images(citation, template):
    intro = INTRO.replace("的通知》要求编制", f"的通知》{citation}要求编制")
    assert (intro != INTRO) == bool(citation)
    text = f"某某县档案馆2022年政府信息公开工作年度报告\n\n{intro}\n\n{OVERVIEW}\n\n[image: table]\n\n{PROBLEMS}"
    record = parse_text(text)
    assert record["template"] == template
    assert record["proactive"] is None and record["requests"] is None
    if template != "pre2019":
        assert "table 三 not found" in record["warnings"]


def test_prose_mentioning_template_words_is_not_evidence():
    prose = (
        "二、主动公开政府信息情况\n本年度我局加强行政规范性文件管理，对现行有效的行政规范性文件进行全面清理，清理工作严格按照"
        "上级要求进行，清理结果及时向社会公布，并在门户网站设置专栏集中展示，方便公众查阅和监督，进一步提升了规范性文件管理水平。"
    )
    record = parse_text(report("某某县档案馆2017年政府信息公开工作年度报告", prose))
    assert record["template"] == "pre2019"


CELL = st.one_of(
    st.just(""),
    st.sampled_from(["0", "12", "1,234", "1 234", "-3", "/", "□", "无", "１２"]),
    st.sampled_from(
        [
            "（三）不予公开",
            "1.属于国家秘密",
            "（六）其他处理",
            "总计",
            "自然人",
            "结果维持",
            "行政复议",
            "规章",
            "信息内容",
            "本年制发件数",
        ]
    ),
    st.text(alphabet="一二三四五六七八九十（）、0123456789申请公开数量", max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CELL, max_size=18), max_size=12), st.sampled_from(["2019", "2021"]))
def test_ragged_grids_never_crash(grid, template):
    rows = [Row(cells=cells, table=i % 2) for i, cells in enumerate(grid)]
    for table, _ in (parse_requests(rows), parse_review(rows), parse_proactive(rows, template)):
        assert table is None or isinstance(table, dict)


LINE = st.one_of(
    st.lists(CELL, min_size=2, max_size=18).map(lambda cells: "| " + " | ".join(cells) + " |"),
    st.sampled_from(
        [
            "|---|---|---|",
            "",
            "三、收到和处理政府信息公开申请情况",
            "**四、政府信息公开行政复议、行政诉讼情况**",
            "## 二、主动公开政府信息情况",
            "规范性文件898989",
            "一、本年新收政府信息公开申请数量230 000023规章000",
            "国办公开办函〔2021〕30号",
            OVERVIEW,
        ]
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(LINE, max_size=30))
def test_any_re_extracted_text_gives_a_record_or_a_reason(lines):
    text = "某某县民政局2021年政府信息公开工作年度报告\n" + "\n".join(lines)
    try:
        record = parse_text(text)
    except ReportError as exc:
        assert str(exc)  # a one-line reason, never a traceback
    else:
        assert record["template"] in {"pre2019", "2019", "2021"}


# --------------------------------------------------------------------------------------
# Shapes from issue 7: merged header cells, OCR placeholder cells, wrapped labels, rows run together

# pdf→markdown: the applicant header's two names merged into one cell, 总计 shifted right, the
# company columns shifted left under the label columns
T3_MERGED_HEADER = T3_2021_MD.replace(
    "| | | | 自然人 | 法人或其他组织 | | | | | 总计 |\n| | | | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |",
    "| | | 自然人 法人或其他组织 | | | | | 总计 | | |\n| | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | | | | |",
)


def test_a_header_cell_merging_column_names_is_not_the_total_row():
    assert T3_MERGED_HEADER != T3_2021_MD
    record = parse_text(report("某某县卫生健康局2023年政府信息公开工作年度报告", T2_2021_MD, T3_MERGED_HEADER))
    requests = record["requests"]
    assert requests["rows"]["result_total"] == [9, 2, 0, 0, 0, 0, 11]
    assert requests["rows"]["new"] == [10, 2, 0, 0, 1, 0, 13]
    assert requests["extra_rows"] == []
    assert not any("printed twice" in w or "value cells" in w for w in record["warnings"])


# OCR of a printed 2019 table, tab-separated: the vertical 三、本年度办理结果 comes back one
# character per row in column 0, so rows without a sub-item carry an empty cell before their
# numbers and sit one column right of the header; rows with a sub-item fill that column
OCR_T3_TABS = """三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二\t\t申请人情况\t\t\t\t\t\t
\t\t自然人\t法人或其他组织\t\t\t\t\t总计
\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t
一、本年新收政府信息公开申请数量\t\t20\t3\t0\t1\t0\t0\t24
二、上年结转政府信息公开申请数量\t\t2\t0\t0\t0\t0\t0\t2
三\t（一）予以公开\t\t11\t1\t0\t0\t0\t0\t12
、\t（二）部分公开（区分处理的，只计\t\t\t\t\t\t\t\t
\t这一情形，不计其他情形）\t\t3\t0\t0\t0\t0\t0\t3
本\t（三）不予公开\t1．属于国家秘密\t1\t0\t0\t0\t0\t0\t1
年\t（四）无法提供\t1．本机关不掌握相关政府信息\t4\t2\t0\t1\t0\t0\t7
度\t（五）不予处理\t2．重复申请\t1\t0\t0\t0\t0\t0\t1
\t（六）其他处理\t\t2\t0\t0\t0\t0\t0\t2
\t（七）总计\t\t22\t3\t0\t1\t0\t0\t26
四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0
"""


def test_ocr_rows_behind_an_empty_placeholder_cell_keep_their_columns():
    record = parse_text(report("某某区民政局2020年政府信息公开工作年度报告", OCR_T3_TABS))
    rows = record["requests"]["rows"]
    assert rows["new"] == [20, 3, 0, 1, 0, 0, 24]
    assert rows["disclosed"] == [11, 1, 0, 0, 0, 0, 12]
    assert rows["partially_disclosed"] == [3, 0, 0, 0, 0, 0, 3]  # label on two lines, numbers on the second
    assert rows["withheld.state_secret"] == [1, 0, 0, 0, 0, 0, 1]
    assert rows["unavailable.not_held"] == [4, 2, 0, 1, 0, 0, 7]
    assert rows["other"] == [2, 0, 0, 0, 0, 0, 2]
    assert rows["result_total"] == [22, 3, 0, 1, 0, 0, 26]
    assert rows["carried_forward"] == [0] * 7
    failed = [c for c in record["checks"] if c["ok"] is False and c["rule"] in {"T3-1", "T3-3"}]
    assert failed == []
    assert any("予以公开" in w and "shifted" in w for w in record["warnings"])


def test_a_row_right_of_the_header_without_a_constant_shift_is_not_read_by_it():
    # the last value past 总计 but the values do not keep the header's spacing: never shifted
    header = [Row(cells=["", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", ""], table=0)]
    gapped = Row(cells=["（一）予以公开", "", "1", "", "0", "0", "0", "0", "0", "1"], table=0)
    table, warnings = parse_requests(header + [gapped])
    assert table is not None
    assert table["rows"]["disclosed"] == [1, None, 0, 0, 0, 0, 0]  # under the header as printed
    assert any("right of the 总计 column" in w for w in warnings)


OCR_T2_WRAPPED = """二、主动公开政府信息情况
第二十条第（五）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t12\t-3\t86
其他对外管理服务\t\t\t
事项\t7\t0\t412
第二十条第（六）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t4\t1\t2
"""


def test_table_two_label_wrapped_before_its_numbers_is_one_row():
    record = parse_text(report("某某区民政局2020年政府信息公开工作年度报告", OCR_T2_WRAPPED))
    proactive = record["proactive"]
    assert proactive["other_services"] == {"previous": 7, "change": 0, "decisions": 412}
    assert proactive["licensing"] == {"previous": 12, "change": -3, "decisions": 86}
    assert "extra_rows" not in proactive


def test_table_two_row_with_its_blank_cells_printed_keeps_its_positions():
    # "| 规章 | 0 | | |" prints four cells: the 0 is 本年制发件数; "| 规章 | 0 |" would not say
    explicit = T2_2021_MD.replace("| 规章 | 0 | 0 | 0 |", "| 规章 | 0 | | |")
    record = parse_text(report("某某县交通运输局2021年政府信息公开工作年度报告", explicit))
    assert record["proactive"]["regulations"] == {"made": 0, "repealed": None, "in_force": None}
    stopped = T2_2021_MD.replace("| 规章 | 0 | 0 | 0 |", "| 规章 | 0 |")
    record = parse_text(report("某某县交通运输局2021年政府信息公开工作年度报告", stopped))
    assert record["proactive"]["regulations"] == {"made": None, "repealed": None, "in_force": None}
    assert any("regulations" in w and "left null" in w for w in record["warnings"])


FLAT_RUN_2021 = """二、主动公开政府信息情况
第二十条第（一）项
信息内容本年制发件数本年废止件数现行有效件数
规章000
行政规范性文件213
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况
自然人法人或其他组织总计
商业企业科研机构社会公益组织法律服务机构其他
一、本年新收政府信息公开申请数量4100106
二、上年结转政府信息公开申请数量1000002
三、本年度办理结果（一）予以公开2100003
（七）总计3100106
四、结转下年度继续办理2000013
四、政府信息公开行政复议、行政诉讼情况
行政复议行政诉讼
结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉
结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计
"""


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ("100010000000000", {"review": [1, 0, 0, 0, 1], "litigation_direct": [0] * 5, "litigation_after_review": [0] * 5}),
        ("100000000000000", None),  # 复议 总计 0 with a 1 before it: some cell was not one digit
        (
            "1 0 0 0 1 0 0 0 0 0 2 0 0 1 3",
            {"review": [1, 0, 0, 0, 1], "litigation_direct": [0] * 5, "litigation_after_review": [2, 0, 0, 1, 3]},
        ),
    ],
)
def test_flattened_tables_split_only_where_the_digits_allow_one_reading(numbers, expected):
    record = parse_text(report("某某区财政局2021年政府信息公开工作年度报告", FLAT_RUN_2021 + numbers + "\n"))
    proactive, rows = record["proactive"], record["requests"]["rows"]
    assert proactive["regulations"] == {"made": 0, "repealed": 0, "in_force": 0}  # nothing but 0|0|0 prints "000"
    assert proactive["normative_documents"] == {"made": None, "repealed": None, "in_force": None}  # 21|3, 2|13 …
    assert rows["new"] == [4, 1, 0, 0, 1, 0, 6]  # one digit per cell and 4+1+0+0+1+0 = 6
    assert rows["carried_over"] == NULL7  # 1+0+0+0+0+0 ≠ 2: some cell was not one digit
    assert rows["disclosed"] == [2, 1, 0, 0, 0, 0, 3]
    assert rows["result_total"] == NULL7  # 3+1+0+0+1+0 ≠ 6
    assert rows["carried_forward"] == [2, 0, 0, 0, 0, 1, 3]  # not taken for part 四 of the report either
    warned = record["warnings"]
    assert any("上年结转" in w and "does not add up" in w and "null" in w for w in warned)
    assert any("normative_documents" in w and "'213'" in w and "null" in w for w in warned)
    # a table row with its numbers is not a part of the report
    assert [s["number"] for s in record["sections"]] == ["一", "二", "三", "四", "五"]
    assert record["sections"][3]["heading"] == "政府信息公开行政复议、行政诉讼情况"
    review = record["review_litigation"]
    assert review is not None, "table 四 not found"
    if expected is None:
        assert all(v is None for group in review.values() for v in group.values())
        assert any("table 四" in w and "null" in w for w in warned)
    else:
        assert {g: list(review[g].values()) for g in review} == expected

"""The section splitter on the numbering variants real reports print (domain-notes §1.1, §1.5)."""

from __future__ import annotations

from crawler.core.parse.sections import split_sections


def _outline(paragraphs: list[str]) -> list[tuple[str, str]]:
    return [(s["number"], s["heading"]) for s in split_sections(paragraphs)]


STANDARD_2021 = [
    "本报告根据《中华人民共和国政府信息公开条例》编制。",  # before the first part: not a section
    "一、总体情况",
    "2022年，区政府办公室坚持以习近平新时代中国特色社会主义思想为指导。",
    "（一）主动公开",
    "一是强化规范性文件管理。二是及时发布政策解读。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "（一）上年度问题整改情况",
    "六、其他需要报告的事项",
    "2022年度本机关未收取信息处理费。",
]


def test_the_six_parts_of_the_2021_format() -> None:
    sections = split_sections(STANDARD_2021)
    assert [(s["number"], s["heading"]) for s in sections] == [
        ("一", "总体情况"),
        ("二", "主动公开政府信息情况"),
        ("三", "收到和处理政府信息公开申请情况"),
        ("四", "政府信息公开行政复议、行政诉讼情况"),
        ("五", "存在的主要问题及改进情况"),
        ("六", "其他需要报告的事项"),
    ]
    # sub-heads and 一是… stay inside their part
    assert sections[0]["text"] == "\n".join(STANDARD_2021[2:5])
    assert sections[4]["text"] == "（一）上年度问题整改情况"
    assert sections[5]["text"] == "2022年度本机关未收取信息处理费。"


def test_pre2019_parts_numbered_di_n_bufen() -> None:
    paragraphs = [
        "第一部分 概述",
        "2015年，我县政府信息公开工作在县委、县政府的正确领导下有序开展。",
        "第二部分 主动公开政府信息情况",
        "全年主动公开政府信息183条。",
        "第三部分、依申请公开政府信息情况",
        "全年未收到政府信息公开申请。",
        "第四部分：政府信息公开的收费及减免情况",
        "未收取任何费用。",
    ]
    assert _outline(paragraphs) == [
        ("一", "概述"),
        ("二", "主动公开政府信息情况"),
        ("三", "依申请公开政府信息情况"),
        ("四", "政府信息公开的收费及减免情况"),
    ]
    assert split_sections(paragraphs)[3]["text"] == "未收取任何费用。"


def test_full_width_stop_and_comma_after_the_numeral() -> None:
    paragraphs = ["一．总体情况", "正文", "二，主动公开政府信息情况", "见下表", "三.收到和处理政府信息公开申请情况", "见下表"]
    assert _outline(paragraphs) == [("一", "总体情况"), ("二", "主动公开政府信息情况"), ("三", "收到和处理政府信息公开申请情况")]


def test_a_heading_with_its_first_sentence_on_the_same_line() -> None:
    paragraphs = [
        "一、总体情况。2021年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，不断加强政府信息公开工作，取得良好成效。",
        "（一）主动公开",
        # a wrapped-line joiner glued the first sentence on without punctuation (pre-2019 style heading)
        "二、因政府信息公开申请行政复议、提起行政诉讼的情况2015年，我局未发生因政府信息公开申请行政复议、提起行政诉讼的情况。",
    ]
    sections = split_sections(paragraphs)
    assert [(s["number"], s["heading"]) for s in sections] == [
        ("一", "总体情况"),
        ("二", "因政府信息公开申请行政复议、提起行政诉讼的情况"),
    ]
    assert sections[0]["text"].startswith("2021年，我局认真贯彻落实") and sections[0]["text"].endswith("（一）主动公开")
    assert sections[1]["text"] == "2015年，我局未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"


def test_parts_whose_tables_carry_the_numbers_between() -> None:
    """二 … 四 are tables (left out of the prose): 五 follows 一 because its heading is a standard one."""
    paragraphs = ["一、总体情况", "正文。", "五、存在的主要问题及改进情况", "问题。", "六、其他需要报告的事项", "无。"]
    assert _outline(paragraphs) == [("一", "总体情况"), ("五", "存在的主要问题及改进情况"), ("六", "其他需要报告的事项")]
    # a numbered list item further on is not a part
    assert _outline(["一、总体情况", "四、加强培训，提升队伍能力", "二、主动公开政府信息情况"]) == [
        ("一", "总体情况"),
        ("二", "主动公开政府信息情况"),
    ]


def test_table_rows_keep_their_numerals_without_becoming_parts() -> None:
    """Table 三 as text lines (a PDF whose table was not recognised): its rows are numbered 一 … 四 too."""
    paragraphs = [
        "一、总体情况",
        "正文。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量 12 0 0 0 0 0 12",
        "二、上年结转政府信息公开申请数量",
        "0",
        "三、本年度办理结果",
        "四、结转下年度继续办理",
        "0",
        "四、政府信息公开行政复议、行政诉讼情况",
        "本年度无行政复议、行政诉讼。",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    sections = split_sections(paragraphs)
    assert [(s["number"], s["heading"]) for s in sections] == [
        ("一", "总体情况"),
        ("二", "主动公开政府信息情况"),
        ("三", "收到和处理政府信息公开申请情况"),
        ("四", "政府信息公开行政复议、行政诉讼情况"),
        ("五", "存在的主要问题及改进情况"),
        ("六", "其他需要报告的事项"),
    ]
    assert sections[2]["text"].splitlines()[-2:] == ["四、结转下年度继续办理", "0"]
    assert sections[3]["text"] == "本年度无行政复议、行政诉讼。"


def test_tables_numbered_again_after_the_last_part() -> None:
    """Shanghai 科委 2024: 一 … 六 for the prose, then 一/二/三 again for the appended tables."""
    paragraphs = [
        *STANDARD_2021[1:],
        "一、主动公开政府信息情况",
        "二、收到和处理政府信息公开申请情况",
        "三、政府信息公开行政复议、行政诉讼情况",
    ]
    sections = split_sections(paragraphs)
    assert [s["number"] for s in sections] == ["一", "二", "三", "四", "五", "六"]
    assert sections[5]["text"].endswith("三、政府信息公开行政复议、行政诉讼情况")


def test_no_numbered_parts_gives_no_sections() -> None:
    assert split_sections(["我局2022年政府信息公开工作情况如下：", "全年主动公开信息56条。", "（一）主动公开"]) == []
    assert split_sections([]) == []

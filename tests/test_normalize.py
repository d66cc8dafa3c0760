"""Normalisation: one canonical text whatever the converter did to it."""

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.core import normalize
from crawler.core.normalize import join_wrapped_lines, normalize_cell, normalize_text


def test_traditional_to_simplified_and_pinyin_removed():
    assert normalize_text("康樂縣科技局2020年度政務(wù)信息公開") == "康乐县科技局2020年度政务信息公开"
    assert normalize_text("結(jié)轉(zhuǎn)下年度繼續(xù)辦理") == "结转下年度继续办理"


def test_real_parentheses_survive_pinyin_removal():
    assert normalize_text("（一）予以公开(区分处理的)") == "（一）予以公开（区分处理的）"
    assert normalize_text("条例(2019)") == "条例（2019）"


def test_spaces_inside_chinese_and_numbers_removed():
    assert normalize_text("2021 年 1 月") == "2021年1月"
    assert normalize_text("结 果 维 持") == "结果维持"
    assert normalize_text("号 ， 邮 编 ： 223100") == "号，邮编：223100"
    # spaces between latin words stay
    assert normalize_text("WPS Office 2019") == "WPS Office 2019"


def test_full_width_digits_and_punctuation():
    assert normalize_text("１２３件，共（４）项") == "123件，共（4）项"
    assert normalize_text("予以公开,部分公开:") == "予以公开，部分公开："


def test_vertical_cell_joined():
    assert normalize_cell("三\n、\n本\n年\n度\n办\n理\n结\n果") == "三、本年度办理结果"
    assert normalize_cell("结果\n维持") == "结果维持"


def test_wrapped_lines_joined_but_not_headings():
    lines = [
        "2023年，洪泽区人民政府坚持以习近平新时代中国特色社会",
        "主义思想为指导，全面贯彻落实《条例》相关规范要求，不断完",
        "善政府信息公开制度。",
        "（一）主动公开情况。主要通过政府门户网站主动公开政府",
        "文件、项目审批、通知公告等各类政府信息。",
        "二、主动公开政府信息情况",
    ]
    out = join_wrapped_lines(lines)
    assert out == [
        "2023年，洪泽区人民政府坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《条例》相关规范要求，不断完善政府信息公开制度。",
        "（一）主动公开情况。主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息。",
        "二、主动公开政府信息情况",
    ]


def test_chinese_numeral_years_and_dates():
    assert normalize_text("某局二〇二二年政府信息公开工作年度报告") == "某局2022年政府信息公开工作年度报告"
    assert normalize_text("二〇二三年一月十八日") == "2023年1月18日"
    assert normalize_text("二○二一年十二月三十一日") == "2021年12月31日"
    assert normalize_text("第三十二条") == "第三十二条"


# ---- linear time on run-on text, same results as the straightforward definitions ----


def reference_join(lines: list[str]) -> list[str]:
    """join_wrapped_lines as first written: re-measure the joined line each time (quadratic, but plainly right)."""
    lines = [ln for ln in (x.strip() for x in lines) if ln]
    if len(lines) < 2:
        return lines
    full = normalize._full_line_length(lines)
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        if (
            not prev.endswith(normalize._SENTENCE_END)
            and not normalize._LIST_START.match(line)
            and normalize._width(prev) >= 0.8 * full
        ):
            out[-1] = prev + line
        else:
            out.append(line)
    return out


_CJK_BRACKET_PAIR = re.compile(
    r"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\(([^()]*)\)|\(([^()]*[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][^()]*)\)"
)

_PIECES = [
    "政府信息公开",
    "申请",
    "2021年",
    "abc",
    "12",
    "。",
    "；",
    "（一）",
    "二、",
    "1.",
    "附件",
    " ",
    "(",
    ")",
    "是",
    "x" * 9,
]
_lines = st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), max_size=40)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_lines)
def test_join_wrapped_lines_matches_the_reference(lines: list[str]) -> None:
    assert join_wrapped_lines(lines) == reference_join(lines)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_bracket_pairs_match_the_single_pattern(text: str) -> None:
    expected = _CJK_BRACKET_PAIR.sub(lambda m: f"（{m.group(1) if m.group(1) is not None else m.group(2)}）", text)
    assert normalize._PAIR.sub(normalize._full_width_pair, text) == expected


def test_cell_lines_keep_a_space_only_between_latin_tokens() -> None:
    assert normalize_cell("1\n136") == "1 136"
    assert normalize_cell("合计\n12") == "合计12"
    assert normalize_cell("ab\ncd\n中") == "ab cd中"


def _seconds(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def test_run_on_text_is_linear() -> None:
    # 10 MB of lines that never end a sentence join into one paragraph: quadratic code took about a
    # minute here; the bound leaves room for a machine shared by many processes
    line = "政府信息公开工作坚持以人民为中心全面推进政务公开各项工作取得新进展"
    lines = [line] * (10_000_000 // (3 * len(line)))
    assert _seconds(join_wrapped_lines, lines) < 5
    assert join_wrapped_lines(lines) == ["".join(lines)]
    assert _seconds(normalize_text, "(" + "中" * 200_000) < 5  # an unclosed bracket before long Chinese text
    assert _seconds(normalize_cell, "\n".join(["a1"] * 200_000)) < 5
    assert _seconds(normalize_text, "[image: " * 100_000 + "中") < 5

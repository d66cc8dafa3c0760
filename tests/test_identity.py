"""Identity on inputs other people published or re-extracted: agency, dates, page furniture, region."""

from __future__ import annotations

import random

import pytest

from crawler.core.extract.chrome import is_chrome
from crawler.core.extract.pagemeta import article_date, meta_pairs
from crawler.core.parse import region
from crawler.core.parse.agency import agency_in_name
from crawler.core.report import process
from tests.identity_pages import CHROME, SECTIONS, report_html, report_text, resource

TITLE = "{agency}2021年政府信息公开工作年度报告"


def parse_html(page: str, url: str | None = None) -> dict:
    return process(resource(page, "page.html", url))


def parse_text(dump: str) -> dict:
    return process(resource(dump, "dump.txt"))


# --- agency ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "agency"),
    [
        ("标题： 平潭县人民政府2019年政府信息公开工作年度报告", "平潭县人民政府"),
        ("题名：连江县林业局2020年度政府信息公开工作年度报告", "连江县林业局"),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅"),
        ("2022年度 长沙市天心区城市管理和综合执法局 政府信息公开工作年度报告", "长沙市天心区城市管理和综合执法局"),
        ("南平市建阳区统计局政府信息公开工作年度报告（2020年度）", "南平市建阳区统计局"),
        ("关于公布徐州市铜山区民政局2021年政府信息公开工作年度报告", "徐州市铜山区民政局"),
        ("北京市朝阳区2020年政府信息公开工作年度报告", "北京市朝阳区"),
        ("政府信息公开工作年度报告（2019年）——晋安区人民政府", "晋安区人民政府"),
        ("2020年政府信息公开工作年度报告（福州市鼓楼区鼓东街道办事处）", "福州市鼓楼区鼓东街道办事处"),
        ("2021年度鼓楼区政府信息公开工作年度报告（图片版）", "鼓楼区"),
    ],
)
def test_agency_in_any_title_order(name, agency):
    assert agency_in_name(name) == agency


def test_title_without_agency_names_none():
    assert agency_in_name("2021年度政府信息公开工作年度报告") is None


def test_label_prefixed_title_in_a_text_dump():
    dump = report_text(
        header=["正文"],
        title_line="标题： 罗源县人民政府2021年政府信息公开工作年度报告",
        signature=("罗源县人民政府", "2022年1月26日"),
    )
    record = parse_text(dump)
    assert record["agency"] == "罗源县人民政府"
    assert record["title"] == "罗源县人民政府2021年政府信息公开工作年度报告"
    assert record["region"]["county"] == "罗源县"


def test_year_first_title_of_a_page():
    title = "2021年福州市鼓楼区教育局政府信息公开工作年度报告"
    record = parse_html(report_html(title=title + "_福州市鼓楼区人民政府", h1=title))
    assert record["agency"] == "福州市鼓楼区教育局"
    assert record["year"] == 2021
    assert record["region"] == {"province": "福建省", "city": "福州市", "county": "鼓楼区", "code": "350102"}


@pytest.mark.parametrize(
    ("signature", "intro", "agency"),
    [
        (("福清市商务局", "2022年1月25日"), "", "福清市商务局"),  # the signature block
        (("闽侯县上街镇人民政府  2022年1月20日", ""), "", "闽侯县上街镇人民政府"),  # signature and date on one line
        (None, "本报告由长乐区司法局根据《条例》要求编制。", "长乐区司法局"),
        (None, "现将永泰县自然资源和规划局2021年政府信息公开工作年度报告公布如下。", "永泰县自然资源和规划局"),
    ],
)
def test_agency_from_the_body_when_the_title_lacks_it(signature, intro, agency):
    title = "2021年度政府信息公开工作年度报告"
    record = parse_html(report_html(title=title, intro=intro, signature=signature))
    assert record["title"] == title
    assert record["agency"] == agency


# --- dates ----------------------------------------------------------------------------------------


def test_header_clock_is_not_the_publication_date():
    title = TITLE.format(agency="闽清县卫生健康局")
    page = report_html(title=title, info_line="发布日期：2022-01-28 10:12 信息来源：闽清县卫生健康局")
    record = parse_html(page, url="http://www.mq.gov.cn/zwgk/zfxxgknb/index.html")
    assert record["published_date"] == "2022-01-28"


def test_meta_pubdate_wins_over_the_clock_and_the_info_line():
    title = TITLE.format(agency="闽清县卫生健康局")
    page = report_html(title=title, meta='<meta name="PubDate" content="2022-01-27 09:00">', info_line="来源：闽清县卫生健康局")
    assert parse_html(page)["published_date"] == "2022-01-27"


@pytest.mark.parametrize("clock", ["2026-03-02 星期一", "2026年3月2日 星期一", "今天是：2026/03/02 星期一 10:20"])
def test_signature_date_when_the_page_has_only_a_clock(clock):
    title = TITLE.format(agency="闽清县卫生健康局")
    page = report_html(title=title, signature=("闽清县卫生健康局", "2022年1月24日"), clock=clock)
    assert parse_html(page)["published_date"] == "2022-01-24"


@pytest.mark.parametrize(
    "date_line",
    ["来源: 2022-01-19 10:50:54", "发布时间：2022-01-19", "发布时间：2022年01月19日 10:50  来源：本网  浏览次数：12"],
)
def test_date_line_of_an_archivers_dump(date_line):
    dump = report_text(
        header=[
            "标题：仓山区发展和改革局2021年政府信息公开工作年度报告",
            date_line,
            "原文链接：http://www.fzcangshan.gov.cn/xxgk/t20220119_1.htm",
        ],
        title_line=None,
        signature=None,
    )
    record = parse_text(dump)
    assert record["published_date"] == "2022-01-19"
    assert record["agency"] == "仓山区发展和改革局"
    assert record["title"] == "仓山区发展和改革局2021年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2025年12月30日 星期二", None),
        ("2025-12-30 10:01 星期二 2022-01-05", "2022-01-05"),
        ("2017-01-19 10:50:54", "2017-01-19"),
        ("2017年1月9日", "2017-01-09"),
    ],
)
def test_article_date_never_a_clock(value, date):
    assert article_date(value) == date


def test_meta_pairs_split_a_line_of_labels():
    assert meta_pairs("发布时间：2017-01-19 10:50:54  来源：县政府办  浏览次数：55") == [
        ("发布时间", "2017-01-19 10:50:54"),
        ("来源", "县政府办"),
        ("浏览次数", "55"),
    ]
    assert meta_pairs("2021年，我局主动公开信息126条。") is None


# --- page furniture -------------------------------------------------------------------------------


def _assert_report_only(record: dict) -> None:
    text = record["text"]
    for furniture in CHROME:
        assert furniture not in text, furniture
        for section in record["sections"]:
            assert furniture not in section["text"], furniture
    # the report itself is all there: every part, in order, and the last part ends with its own text
    assert [s["number"] for s in record["sections"]] == ["一", "二", "三", "四", "五", "六"]
    for _head, body in SECTIONS:
        assert body in text
    assert record["sections"][-1]["text"].rstrip().endswith(("本年度未收取信息处理费。", "2022年1月26日"))
    assert record["review_litigation"]["review"]["total"] == 0


@pytest.mark.parametrize(
    ("article_class", "body_class"),
    [
        ("article", "TRS_Editor"),  # the CMS's own body container
        ("article", "zw"),  # the article container: info line, share bar, prev/next inside
        ("main_box", "zw"),  # no known container: the whole page, clock and footer included
    ],
)
def test_page_furniture_left_out_of_an_html_report(article_class, body_class):
    title = TITLE.format(agency="闽侯县交通运输局")
    page = report_html(
        title=title,
        info_line="发布时间：2022-01-26 来源：闽侯县交通运输局",
        signature=("闽侯县交通运输局", "2022年1月26日"),
        article_class=article_class,
        body_class=body_class,
    )
    record = parse_html(page)
    _assert_report_only(record)
    assert record["published_date"] == "2022-01-26"


def test_page_furniture_left_out_of_an_archivers_dump():
    dump = report_text(
        header=[
            "2025年12月30日 星期二",
            "当前位置：首页 > 政务公开 > 政府信息公开年报",
            "标题：闽侯县交通运输局2021年政府信息公开工作年度报告",
            "发布时间：2022-01-26 09:30:00",
            "原文链接：http://www.minhou.gov.cn/zwgk/zfxxgknb/202201/t20220126_1.htm",
            "来源：闽侯县交通运输局",
            "点击数：1024  【字体：大 中 小】",
        ],
        title_line="闽侯县交通运输局2021年政府信息公开工作年度报告",
        signature=("闽侯县交通运输局", "2022年1月26日"),
    )
    record = parse_text(dump)
    _assert_report_only(record)
    assert record["published_date"] == "2022-01-26"
    assert record["agency"] == "闽侯县交通运输局"


@pytest.mark.parametrize(
    "line",
    [
        "【字体：大 中 小】",
        "字号：[大] [中] [小]  打印  关闭",
        "点击数：1024",
        "阅读次数： 88 次",
        "分享到： 微信 微博 QQ空间",
        "【打印本页】【关闭窗口】",
        "上一篇：关于2022年度部门预算公开的说明",
        "扫一扫在手机打开当前页",
        "网站地图 | 联系我们 | 网站声明",
        "主办单位：某县人民政府办公室 承办单位：某县大数据中心",
        "闽ICP备05012345号-1 闽公网安备 35012802000123号",
        "今天是：2025年12月30日 星期二",
    ],
)
def test_furniture_lines(line):
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "2021年，我局通过门户网站、微信公众号等渠道主动公开政府信息126条，并及时关闭了两个长期未更新的栏目。",
        "一、总体情况",
        "闽侯县交通运输局",
        "2022年1月26日",
        "（五）监督保障情况。将政务公开纳入年度考核，点击量和留言办理情况每季度通报。",
        "（四）平台建设情况。完成门户网站主办单位变更和ICP备案信息更新。",
    ],
)
def test_report_lines_are_not_furniture(line):
    assert not is_chrome(line)


# --- region: one scan for the first city -----------------------------------------------------------


def _first_city_by_find(text: str, cities: dict[str, str], shorts: dict[str, str]) -> str | None:
    """The plain definition: the earliest position wins, ties go to the registry's order."""
    best: tuple[int, str] | None = None
    for city in cities:
        at = text.find(city)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, city)
    if best is None:
        for short, city in shorts.items():
            at = text.find(short + "市")
            if at >= 0 and (best is None or at < best[0]):
                best = (at, city)
    return best[1] if best else None


def test_first_city_matches_the_plain_definition():
    _, cities, shorts = region._divisions()
    names = list(cities) + [s + "市" for s in shorts] + list(shorts)
    rng = random.Random(7)
    filler = "的工作年度报告政府信息公开区县市局人民州盟"
    found = 0
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(0, 6)):
            parts.append("".join(rng.choice(filler) for _ in range(rng.randint(0, 5))))
            parts.append(rng.choice(names)[: rng.randint(1, 6)])
        text = "".join(parts)
        expected = _first_city_by_find(text, cities, shorts)
        assert region._first_city(text, cities, shorts) == expected, text
        found += expected is not None
    assert found > 300  # the texts did name cities, often

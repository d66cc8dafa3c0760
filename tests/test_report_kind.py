"""Letters, notices, work plans and other reports filed in report columns are refused; real reports pass.

The documents are shaped like what portals publish: an article page (or an archiver's
text dump of one) with the document's 文号, addressee, numbered parts and signature.
"""

from __future__ import annotations

import pytest

from crawler.core.errors import NotAReportError
from crawler.core.report import process
from tests.identity_pages import report_html, resource


def page(title: str, lines: list[str], info: str = "发布日期：2015-03-05 来源：县政府办公室") -> str:
    paras = "\n".join(f"<p style='text-indent:2em'>{line}</p>" for line in lines)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_某县人民政府</title></head>
<body><div class="location">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="article"><h1>{title}</h1><div class="info">{info} 点击数：57</div>
<div class="TRS_Editor">{paras}</div>
<div class="tools">【打印本页】【关闭窗口】</div></div>
<div class="footer">主办单位：某县人民政府办公室 闽ICP备05012345号</div></body></html>"""


LETTER = (
    "关于2014年政务公开工作要点落实情况的函",
    [
        "永政办函〔2015〕12号",
        "市政府办公室：",
        "根据《福州市人民政府办公厅关于印发2014年福州市政务公开工作要点的通知》要求，现将我县2014年政务公开工作要点落实情况函告如下：",
        "一、加强组织领导",
        "县政府调整充实了政务公开工作领导小组，明确县政府办公室为政府信息公开工作主管部门，配备专职工作人员2名。",
        "二、推进重点领域信息公开",
        "全年主动公开政府信息1865条，其中财政预决算、“三公”经费、保障性住房、食品药品安全等重点领域信息412条。",
        "三、做好依申请公开工作",
        "全年受理政府信息公开申请21件，均在法定期限内答复，未发生因政府信息公开引起的行政复议和行政诉讼。",
        "四、存在的问题及下一步打算",
        "部分单位对政务公开工作重视不够，信息更新不够及时。下一步我县将加强督查考核，推动政务公开工作深入开展。",
        "特此函告。",
        "永泰县人民政府办公室",
        "2015年3月2日",
    ],
)
NOTICE = (
    "关于做好2021年度政府信息公开工作年度报告编制发布工作的通知",
    [
        "闽侯政务公开办〔2022〕1号",
        "各乡镇人民政府、街道办事处，县直各单位：",
        "为做好2021年度政府信息公开工作年度报告编制和发布工作，根据《中华人民共和国政府信息公开条例》规定，现将有关事项通知如下：",
        "一、报告内容",
        "（一）总体情况。",
        "（二）主动公开政府信息情况。",
        "（三）收到和处理政府信息公开申请情况。",
        "（四）政府信息公开行政复议、行政诉讼情况。",
        "（五）存在的主要问题及改进情况。",
        "（六）其他需要报告的事项。",
        "二、时间要求",
        "各单位须于2022年1月31日前在本单位政府信息公开专栏发布年度报告，并报县政务公开办备案。",
        "特此通知。",
        "闽侯县政务公开办公室",
        "2022年1月10日",
    ],
)
WORK_PLAN = (
    "2021年连江县政务公开工作要点",
    [
        "2021年全县政务公开工作要以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进基层政务公开标准化规范化。",
        "一、加强政策解读和回应关切",
        "各单位制发政策文件时同步做好解读，确保政策解读与文件同步起草、同步审签、同步发布。",
        "二、推进重点领域信息公开",
        "重点做好财政预决算、公共资源配置、重大建设项目批准和实施等领域政府信息公开。",
        "三、规范依申请公开办理",
        "严格按照法定程序和时限办理政府信息公开申请，规范答复文书。",
        "连江县人民政府办公室",
        "2021年4月20日",
    ],
)
SELF_CHECK = (
    "罗源县统计局2020年政务公开工作自查报告",
    [
        "根据县政务公开办《关于开展2020年度政务公开工作自查的通知》要求，我局对照考核评估指标开展了自查，现将有关情况报告如下：",
        "一、主动公开情况",
        "2020年我局通过县政府门户网站主动公开政府信息86条，其中统计数据发布52条。",
        "二、依申请公开情况",
        "2020年我局未收到政府信息公开申请。",
        "三、存在问题",
        "信息公开内容不够丰富，政策解读形式单一。",
        "罗源县统计局",
        "2020年11月20日",
    ],
)
RULE_OF_LAW = (
    "闽清县人民政府2020年法治政府建设年度报告",
    [
        "2020年，县政府坚持以习近平法治思想为指导，全面推进依法行政，法治政府建设取得新成效。现将有关情况报告如下：",
        "一、推进政府职能依法全面履行",
        "深化“放管服”改革，公布县级权责清单事项3215项。",
        "二、推进政务公开",
        "全年主动公开政府信息5260条，办理政府信息公开申请37件。",
        "三、强化行政权力制约监督",
        "办理行政复议案件18件，行政机关负责人出庭应诉率100%。",
        "四、存在的不足和下一步打算",
        "个别单位依法行政意识有待增强。",
        "闽清县人民政府",
        "2021年1月28日",
    ],
)


EXPLAINER = (
    "一图读懂：长乐区2021年政府信息公开工作年度报告",
    [
        "一、总体情况",
        "2021年，长乐区主动公开政府信息4312条。",
        "二、主动公开政府信息情况",
        "制发规范性文件6件，行政许可处理决定2153件。",
        "三、收到和处理政府信息公开申请情况",
        "新收申请58件，上年结转3件。",
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议2件，行政诉讼1件。",
        "五、其他需要报告的事项",
        "全年未收取信息处理费。",
    ],
)


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        (EXPLAINER, "解读"),
        (LETTER, "函"),
        (NOTICE, "通知"),
        (WORK_PLAN, "工作要点"),
        (SELF_CHECK, "自查报告"),
        (RULE_OF_LAW, "法治政府建设报告"),
    ],
)
def test_non_reports_in_report_columns_are_refused(doc, kind):
    title, lines = doc
    with pytest.raises(NotAReportError) as err:
        process(resource(page(title, lines), "page.html"))
    assert err.value.reason == "parse/not_a_report"
    assert str(err.value).startswith(f"a {kind}, not an annual report")


def test_a_letter_dumped_as_text_without_its_title_is_refused_by_its_form():
    # an archiver kept the body only: the 文号, the addressee and 特此函告 say what it is
    _title, lines = LETTER
    dump = "\n".join(["2025年12月30日 星期二", *lines, "【打印本页】【关闭窗口】"]) + "\n"
    with pytest.raises(NotAReportError) as err:
        process(resource(dump, "letter.txt"))
    assert str(err.value).startswith("a 函, not an annual report")
    assert "永政办函〔2015〕12号" in str(err.value)


def test_a_report_citing_notices_and_work_plans_is_accepted():
    # its intro cites 国办公开办函〔2021〕30号 (a 通知) and the 工作要点
    record = process(resource(report_html(title="闽侯县交通运输局2021年政府信息公开工作年度报告"), "page.html"))
    assert record["agency"] == "闽侯县交通运输局"
    assert record["template"] == "2021"


PRE2019_PARTS = [
    "根据《福州市人民政府办公厅关于做好2016年政府信息公开工作年度报告编制工作的通知》和2016年政务公开工作要点要求，现公布本年度报告。",
    "一、概述",
    "2016年，县政府认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。",
    "二、主动公开政府信息情况",
    "全年主动公开政府信息2187条，其中规范性文件12件。",
    "三、依申请公开政府信息情况",
    "全年收到政府信息公开申请17件，均已按期答复。",
    "四、政府信息公开的收费及减免情况",
    "未收取任何费用。",
    "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
    "未发生因政府信息公开引起的行政复议和行政诉讼。",
    "六、存在的主要问题及改进措施",
    "部分单位信息更新不够及时，下一步将加强督查。",
    "七、其他需要报告的事项",
    "无。",
]


def test_a_report_issued_under_a_cover_notice_is_accepted():
    # the report itself, issued with a 文号 and an addressee under "关于印发《…》的通知"
    lines = ["永政办〔2017〕21号", "各乡镇人民政府，县直各单位：", *PRE2019_PARTS, "永泰县人民政府办公室", "2017年3月28日"]
    title = "永泰县人民政府办公室关于印发《永泰县2016年政府信息公开工作年度报告》的通知"
    record = process(resource(page(title, lines), "page.html"))
    assert record["template"] == "pre2019"
    assert [s["number"] for s in record["sections"]][:3] == ["一", "二", "三"]


def test_a_pre2019_report_dump_with_a_doc_number_line_is_accepted():
    header = ["标题：永泰县人民政府2016年政府信息公开工作年度报告", "文号：永政办〔2017〕21号", "发布时间：2017-03-28 16:02:11"]
    dump = "\n".join([*header, *PRE2019_PARTS, "永泰县人民政府", "2017年3月28日", "网站地图 | 联系我们"]) + "\n"
    record = process(resource(dump, "report.txt"))
    assert (record["year"], record["agency"], record["template"]) == (2016, "永泰县人民政府", "pre2019")
    assert record["published_date"] == "2017-03-28"
    assert "文号" not in record["text"] and "网站地图" not in record["text"]

"""Report pages and text dumps shaped like what portals and archivers publish, for the identity tests.

A TRS-style article page (header clock, breadcrumb, info line with counters, the
report in ``.TRS_Editor``, share bar, prev/next links, footer) and the flattened
text an archiver or a copy-paste makes of such a page. The report inside is a
2021-template county department report, with its table 四.
"""

from __future__ import annotations

from crawler.core.resource import FetchedResource

INTRO = "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，{intro}本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。"
SECTIONS = [
    (
        "一、总体情况",
        "2021年，我局认真贯彻落实《条例》和省、市政务公开工作要点部署，围绕中心工作，全面推进决策、执行、管理、服务、结果公开。全年主动公开政府信息126条，受理政府信息公开申请3件，均按时答复。",
    ),
    ("二、主动公开政府信息情况", "2021年本机关制发规范性文件0件，行政许可处理决定215件，行政处罚决定12件。"),
    (
        "三、收到和处理政府信息公开申请情况",
        "2021年本机关新收政府信息公开申请3件，予以公开2件，无法提供1件，无结转下年度办理的申请。",
    ),
    ("四、政府信息公开行政复议、行政诉讼情况", "2021年本机关未发生因政府信息公开引起的行政复议和行政诉讼。"),
    (
        "五、存在的主要问题及改进情况",
        "一是信息发布的及时性有待提高；二是政策解读形式较为单一。下一步，我局将加强培训，丰富解读形式，提升公开质量。",
    ),
    ("六、其他需要报告的事项", "本年度未收取信息处理费。"),
]
REVIEW_HTML = """<table border="1" cellspacing="0">
<tr><td colspan="5" rowspan="2">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>
<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>
<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>
<tr><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>
<td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
</table>"""
REVIEW_TEXT = (
    "行政复议 | | | | | 行政诉讼 | | | | | | | | | \n"
    " | | | | | 未经复议直接起诉 | | | | | 复议后起诉 | | | | \n"
    "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计\n"
    "0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0"
)
# page furniture that must never reach the record's text
CHROME = [
    "星期",
    "点击数",
    "浏览次数",
    "分享到",
    "打印本页",
    "关闭窗口",
    "字体",
    "上一篇",
    "下一篇",
    "扫一扫",
    "网站地图",
    "主办单位",
    "承办单位",
    "ICP备",
    "网站标识码",
    "当前位置",
    "原文链接",
]


def report_html(
    *,
    title: str,
    h1: str | None = None,
    intro: str = "",
    signature: tuple[str, str] | None = None,
    info_line: str = "",
    meta: str = "",
    clock: str = "2025年12月30日 星期二",
    article_class: str = "article",
    body_class: str = "TRS_Editor",
) -> str:
    """A report's article page with its furniture.

    With other classes than the CMS defaults (``body_class="zw"``, ``article_class="main_box"``)
    the container the extractor finds holds the furniture too, as on many portals.
    """
    paras = "\n".join(
        f"<p><strong>{head}</strong></p>\n<p style='text-indent:2em'>{body}</p>"
        + (f"\n{REVIEW_HTML}" if head.startswith("四") else "")
        for head, body in SECTIONS
    )
    sign = ""
    if signature:
        sign = "\n".join(f"<p style='text-align:right'>{line}</p>" for line in signature if line)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>{meta}</head>
<body>
<div class="top"><span class="date">{clock}</span> <a href="/">设为首页</a> <a href="/">加入收藏</a></div>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<div class="{article_class}">
<h1>{h1 or title}</h1>
<div class="info">{info_line} 浏览次数：<span>386</span> 【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
<div class="{body_class}">
<p style='text-indent:2em'>{INTRO.format(intro=intro)}</p>
{paras}
{sign}
</div>
<div class="share">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>
<div class="tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="qr">扫一扫在手机打开当前页</div>
<div class="prevnext"><p>上一篇：关于2022年度部门预算公开的说明</p><p>下一篇：2021年度法治政府建设情况报告</p></div>
</div>
<div class="footer"><a href="/map">网站地图</a> | <a href="/lxwm">联系我们</a>
<p>主办单位：某县人民政府办公室 承办单位：某县大数据中心</p>
<p>地址：某县人民路1号 邮编：350400 联系电话：0591-12345678</p>
<p>闽ICP备05012345号 网站标识码：3501280001</p></div>
</body></html>"""


def report_text(*, header: list[str], title_line: str | None, signature: tuple[str, str] | None, footer: bool = True) -> str:
    """The same report as a text dump: header lines, body with a pipe table, footer furniture."""
    lines = list(header)
    if title_line:
        lines.append(title_line)
    lines.append(INTRO.format(intro=""))
    for head, body in SECTIONS:
        lines += [head, body]
        if head.startswith("四"):
            lines.append(REVIEW_TEXT)
    if signature:
        lines += ["", signature[0], signature[1]]
    if footer:
        lines += [
            "",
            "【打印本页】【关闭窗口】",
            "分享到：",
            "上一篇：关于2022年度部门预算公开的说明",
            "下一篇：2021年度法治政府建设情况报告",
            "扫一扫在手机打开当前页",
            "网站地图 | 联系我们 | 网站声明",
            "主办单位：某县人民政府办公室  承办单位：某县大数据中心",
            "地址：某县人民路1号  联系电话：0591-12345678",
            "闽ICP备05012345号  网站标识码：3501280001",
        ]
    return "\n".join(lines) + "\n"


def resource(body: str, name: str, url: str | None = None) -> FetchedResource:
    return FetchedResource(url=url, body=body.encode("utf-8"), filename=name)

"""Discovery on its own: which titles are reports, which links are columns, attachments, next pages.

The titles, link texts and URL shapes are those portals publish (../shared/docs/domain-notes.md §3:
TRS ``…/zfxxgknb/YYYYMM/tYYYYMMDD_id.html`` articles, Hanweb ``/art/…/art_col_id.html`` and
``/col/colN/index.html`` columns, Guangdong ``content/post_N.html``), and the look-alikes that
sit beside reports in the same columns (工作要点, 通知, 解读, 统计年报表, 一图读懂 …).
"""

from __future__ import annotations

import lxml.html
import pytest

from crawler.crawl import discovery

REPORT_TITLES = [
    ("漯河市科学技术局2021年政府信息公开工作年度报告", 2021),
    ("北京市城市管理委员会2022年政府信息公开工作年度报告", 2022),
    ("南京市江宁区人民政府2023年度政府信息公开工作年度报告", 2023),
    ("瑞安市人民政府2019年政府信息公开年报", 2019),
    ("舒兰市朝阳镇2016年政府信息公开工作报告", 2016),
    # a list truncates nothing here, but PDFs and old pages space the words out
    ("2021年 政府信息公开 工作年度报告", 2021),
    # full-width digits as some CMS editors type them
    ("屯昌县教育局２０１５年政府信息公开工作年度报告", 2015),
    # attachment link texts carry the file's name
    ("2022年度政府信息公开工作年度报告.pdf", 2022),
]

DECOY_TITLES = [
    "2023年政务公开工作要点",
    "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
    "关于2022年度政府信息公开工作年度报告的解读",
    "《漯河市2021年政府信息公开工作年度报告》政策解读",
    "2022年政府信息公开工作年度报表",
    "2022年政府信息公开统计年报",
    "政府信息公开指南",
    "政府信息公开制度",
    "2021年度法治政府建设情况报告",
    "关于开展2023年政务公开第三方评估工作的通知",
    # an infographic of the report, published beside it in the same column
    "一图读懂2022年政府信息公开工作年度报告",
    "图解：瑞安市2022年政府信息公开工作年度报告",
]


@pytest.mark.parametrize(("title", "year"), REPORT_TITLES)
def test_report_titles_and_their_year(title: str, year: int) -> None:
    assert discovery.is_report_title(title)
    assert discovery.report_year(title) == year


@pytest.mark.parametrize("title", DECOY_TITLES)
def test_look_alikes_are_not_reports(title: str) -> None:
    assert not discovery.is_report_title(title)


def test_a_yearless_title_is_a_report_only_when_it_says_annual_report() -> None:
    assert discovery.is_report_title("政府信息公开年度报告")  # a column's own list item, the year in the URL
    assert not discovery.is_report_title("政府信息公开")  # the column name


@pytest.mark.parametrize(
    "url",
    [
        "http://zp.gov.cn/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm",
        "https://csglw.beijing.gov.cn/zwxx/zfxxgk/zfxxgknb/202301/t20230117_2902907.html",
        "http://www.dingxi.gov.cn/art/2021/1/25/art_16516_1541057.html",
        "https://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/content/post_11956962.html",
        "http://www.hetang.gov.cn/c23796/20200218/i1454209.html",
        "http://www.dazhu.gov.cn/xxgk-show-191026.html",
    ],
)
def test_article_urls(url: str) -> None:
    assert discovery.is_article_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://zp.gov.cn/bm/zfb/zfxxgknb/index.htm",
        "http://zp.gov.cn/bm/zfb/zfxxgknb/index_3.htm",
        "http://www.nbjb.gov.cn/col/col1229214366/index.html",
        "http://zp.gov.cn/bm/zfb/zfxxgknb/",
    ],
)
def test_list_urls_are_not_articles(url: str) -> None:
    assert not discovery.is_article_url(url)


@pytest.mark.parametrize(
    ("text", "url", "column"),
    [
        ("政府信息公开年报", "http://zp.gov.cn/bm/zfb/zfxxgknb/", True),
        ("年度报告", "https://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/", True),
        ("信息公开", "http://www.nbjb.gov.cn/col/col1229214366/index.html", True),
        # a column whose link text is only a picture's alt or empty: the slug decides
        ("", "http://www.qxn.gov.cn/zfxxgk/zfxxgknb/2022n/index.html", True),
        ("部门年报", "http://www.example.gov.cn/zwgk/bmnb/index.shtml", True),
        # an article under a column's folder is not a column
        ("关于调整部分事项的通知", "http://zp.gov.cn/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm", False),
        ("首页", "http://www.example.gov.cn/index.html", False),
        ("政务服务", "http://www.example.gov.cn/bsfw/", False),
        ("网站地图", "http://www.example.gov.cn/wzdt/index.html", False),
        # a long title is a news item about disclosure, not a column
        (
            "我市召开全市政府信息公开工作推进会暨业务培训会议部署下一阶段重点任务",
            "http://www.example.gov.cn/xwzx/202305/t20230512_1.html",
            False,
        ),
    ],
)
def test_column_links(text: str, url: str, column: bool) -> None:
    assert discovery.is_column_link(text, url) is column


@pytest.mark.parametrize(
    ("url", "text", "attachment"),
    [
        ("http://zp.gov.cn/bm/zfb/zfxxgknb/202201/P020220128588386147447.pdf", "附件下载", True),
        ("http://www.example.gov.cn/xxgk/2023/W020230117345.docx", "", True),
        ("http://www.example.gov.cn/xxgk/2019/P020190130.doc", "", True),
        ("http://www.example.gov.cn/UploadFiles/2020/年报.PDF", "", True),
        ("http://www.example.gov.cn/xxgk/2022/2022nb.wps", "", True),
        ("http://www.example.gov.cn/xxgk/2022/2022nb.ofd", "", True),
        # the link's own text names the file (a download servlet without an extension)
        ("http://www.example.gov.cn/down.jsp?id=1234", "2022年政府信息公开工作年度报告.pdf", True),
        # Hanweb's download servlet: the file's name is a query parameter, the link text says 附件
        (
            "http://www.linhai.gov.cn/module/download/downfile.jsp?classid=0&filename=31520247ff514566934bb38b9ea5aaa1.pdf",
            "附件1",
            True,
        ),
        ("http://www.example.gov.cn/zfxxgknb/202301/t20230117_2902907.html", "2022年政府信息公开工作年度报告", False),
        ("http://www.example.gov.cn/zfxxgknb/index.html?file=list", "", False),
    ],
)
def test_attachments(url: str, text: str, attachment: bool) -> None:
    assert discovery.is_attachment(url, text) is attachment


@pytest.mark.parametrize(
    ("text", "nxt"),
    [("下一页", True), ("下页", True), ("下一页>", True), (" 下一页 » ", True), (">", True), ("»", True), ("Next", True),
     ("上一页", False), ("尾页", False), ("首页", False), ("2", False), ("共5页", False)],
)  # fmt: skip
def test_next_links(text: str, nxt: bool) -> None:
    assert discovery.is_next_link(text) is nxt


@pytest.mark.parametrize(
    ("text", "page"),
    [("下一页", True), ("2", True), ("[3]", True), ("第4页", True), ("尾页", True), ("末页", True), ("首页", True),
     ("上一页", True), ("2022年政府信息公开工作年度报告", False), ("更多>>", False), ("共5页", False)],
)  # fmt: skip
def test_pager_links(text: str, page: bool) -> None:
    """The pager's links; the spider takes them as pagination only inside the list's own folder."""
    assert discovery.is_page_link(text) is page


# TRS/WCM list footers, as the templates print them
TRS_CLASSIC = """<div class="page"><script>
var currentPage = 0;//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = 4//共多少页
document.write("共"+countPage+"页&nbsp;&nbsp;");
createPageHTML(countPage, currentPage, "index", "htm");
</script></div>"""
TRS_LITERAL = '<script language="JavaScript">createPageHTML(3, 0, "index", "shtml");</script>'
# the newer template: the pager's element id first, the current page counted from 1, the record count last
TRS_CONTAINER = "<script>createPageHTML('page_div',5, 1,'list','shtml',89);</script>"


def test_classic_trs_footer_gives_the_other_pages() -> None:
    base = "http://zp.gov.cn/bm/zfb/zfxxgknb/index.htm"
    assert discovery.trs_pagination(TRS_CLASSIC) == (4, "index", "htm")
    assert discovery.trs_pages(base, TRS_CLASSIC) == [
        "http://zp.gov.cn/bm/zfb/zfxxgknb/index_1.htm",
        "http://zp.gov.cn/bm/zfb/zfxxgknb/index_2.htm",
        "http://zp.gov.cn/bm/zfb/zfxxgknb/index_3.htm",
    ]


def test_literal_count_and_extension() -> None:
    pages = discovery.trs_pages("http://www.example.gov.cn/zwgk/xxgknb/index.shtml", TRS_LITERAL)
    assert pages == ["http://www.example.gov.cn/zwgk/xxgknb/index_1.shtml", "http://www.example.gov.cn/zwgk/xxgknb/index_2.shtml"]


def test_container_first_footer_numbers_pages_from_two() -> None:
    """``createPageHTML('page_div', 5, 1, 'list', 'shtml', 89)``: pages list.shtml, list_2 … list_5."""
    assert discovery.trs_pagination(TRS_CONTAINER) == (5, "list", "shtml")
    pages = discovery.trs_pages("http://www.example.gov.cn/xxgk/gknb/list.shtml", TRS_CONTAINER)
    assert pages == [f"http://www.example.gov.cn/xxgk/gknb/list_{n}.shtml" for n in range(2, 6)]


def test_a_single_page_list_or_no_script_has_no_other_pages() -> None:
    assert discovery.trs_pages("http://x.gov.cn/a/index.html", "<script>createPageHTML(1, 0, 'index', 'html');</script>") == []
    assert discovery.trs_pagination("<html><body><ul><li>无分页</li></ul></body></html>") is None


def test_pagination_stays_in_its_own_column() -> None:
    page = "http://www.example.gov.cn/zfxxgk/zfxxgknb/index.html"
    assert discovery.same_column(page, "http://www.example.gov.cn/zfxxgk/zfxxgknb/index_2.html")
    assert not discovery.same_column(page, "http://www.example.gov.cn/zfxxgk/tzgg/index_2.html")
    assert not discovery.same_column(page, "http://other.gov.cn/zfxxgk/zfxxgknb/index_2.html")


def test_scope_is_host_and_port() -> None:
    hosts = {"www.example.gov.cn"}
    assert discovery.in_scope("https://www.example.gov.cn/a.html", hosts)
    assert not discovery.in_scope("http://www.example.gov.cn:8080/a.html", hosts)
    assert not discovery.in_scope("http://www.gov.cn/a.html", hosts)
    assert not discovery.in_scope("ftp://www.example.gov.cn/a.pdf", hosts)


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ('<meta name="ArticleTitle" content="漳平市2021年政府信息公开工作年度报告"><title>漳平市人民政府</title>',
         "漳平市2021年政府信息公开工作年度报告"),
        ("<title>漳平市2021年政府信息公开工作年度报告_漳平市人民政府</title>", "漳平市2021年政府信息公开工作年度报告"),
        ("<title>瑞安市2019年政府信息公开年报 - 瑞安市人民政府门户网站</title>", "瑞安市2019年政府信息公开年报"),
        ("<title>浙江省人民政府｜2022年政府信息公开工作年度报告</title>", "浙江省人民政府"),
        ("<title> </title></head><body><h1>某某局2020年政府信息公开工作年度报告</h1>", "某某局2020年政府信息公开工作年度报告"),
    ],
)  # fmt: skip
def test_page_title(head: str, title: str) -> None:
    root = lxml.html.fromstring(f"<html><head>{head}</head><body><p>正文</p></body></html>")
    assert discovery.page_title(root) == title


def test_links_of_a_list_page() -> None:
    html = """<html><body><ul class="list">
      <li><a href="./202301/t20230117_2902907.html" title="北京市城市管理委员会2022年政府信息公开工作年度报告">北京市城市管理委员会2022年政府信息…</a></li>
      <li><a href="javascript:void(0)" onclick="openWin()">打印</a></li>
      <li><a href="javascript:window.close()">关闭</a></li>
      <li><a href="#top">返回顶部</a></li>
      <li><a href="mailto:gk@example.gov.cn">联系我们</a></li>
      <li><a href="..\\files\\2022nb.pdf">附件</a></li>
      <li><a href="http://[::1/broken.html">坏链接</a></li>
      <li><a href="../tzgg/202305/t20230512_1.html#content">关于开展培训的通知</a></li>
    </ul></body></html>"""
    base = "https://csglw.beijing.gov.cn/zwxx/zfxxgk/zfxxgknb/index.html"
    out = list(discovery.checked_links(lxml.html.fromstring(html), base))
    assert out == [
        ("https://csglw.beijing.gov.cn/zwxx/zfxxgk/zfxxgknb/202301/t20230117_2902907.html",
         "北京市城市管理委员会2022年政府信息公开工作年度报告", None),
        ("https://csglw.beijing.gov.cn/zwxx/zfxxgk/files/2022nb.pdf", "附件", None),
        ("http://[::1/broken.html", "坏链接", out[2][2]),
        ("https://csglw.beijing.gov.cn/zwxx/zfxxgk/tzgg/202305/t20230512_1.html", "关于开展培训的通知", None),
    ]  # fmt: skip
    assert out[2][2] is not None and out[2][2].startswith("malformed link")
    # page_links keeps the usable ones only
    assert len(list(discovery.page_links(lxml.html.fromstring(html), base))) == 3


def test_canonical_url_encodes_chinese_and_drops_the_fragment() -> None:
    assert (
        discovery.canonical_url("http://www.example.gov.cn/xxgk/2022年报.pdf#page=2")
        == "http://www.example.gov.cn/xxgk/2022%E5%B9%B4%E6%8A%A5.pdf"
    )
    with pytest.raises(ValueError):
        discovery.resolve_link("http://www.example.gov.cn/", "http://[::1/x")

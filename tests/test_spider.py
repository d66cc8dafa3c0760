"""ReportsSpider's callbacks on canned responses, as Scrapy tests a spider: no network, no engine.

The pages are shaped like the CMS families' own (../shared/docs/domain-notes.md §3): a TRS list
with its ``createPageHTML`` footer, a 下一页 link, decoys beside the reports, ``javascript:`` links
and an off-site link; a report page with .pdf/.docx/.doc attachments; a Hanweb column with its
inline ``<datastore>`` and ``dataproxy.jsp``; a Guangdong gkmlpt column and its JSON list API.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.crawl.items import FetchedDocument, FetchFailure
from crawler.crawl.middlewares import OffsiteRedirect
from spiders.reports import ReportsSpider

PORTAL = "http://www.zp.gov.cn"
COLUMN = f"{PORTAL}/bm/zfb/zfxxgknb/index.htm"


def _spider(start_url: str = f"{PORTAL}/", **kwargs: Any) -> ReportsSpider:
    crawler = get_crawler(ReportsSpider, {"LIST_STALE_PAGES": 5})
    spider = ReportsSpider.from_crawler(crawler, start_url=start_url, render="never", **kwargs)
    crawler.spider = spider
    return spider


def _start(spider: ReportsSpider) -> list[Request]:
    """The spider's start requests, as the engine would take them."""

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def _html(url: str, body: str, meta: dict[str, Any] | None = None, encoding: str = "utf-8") -> HtmlResponse:
    request = Request(url, meta={"kind": "list", "depth": 1, **(meta or {})})
    return HtmlResponse(url, body=body.encode(encoding), request=request, encoding=encoding)


def _requests(out: list[Any]) -> dict[str, Request]:
    return {r.url: r for r in out if isinstance(r, Request)}


TRS_LIST = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>政府信息公开年报_漳平市人民政府</title></head><body>
<div class="header"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="javascript:void(0)" onclick="AddFavorite()">加入收藏</a>
<a href="http://www.gov.cn/">中国政府网</a></div>
<div class="list"><ul>
<li><a href="./202201/t20220128_1870138.htm" target="_blank" title="漳平市财政局2021年政府信息公开工作年度报告">漳平市财政局2021年政府信息公开工作年度报…</a><span>2022-01-28</span></li>
<li><a href="./202201/t20220126_1869001.htm" target="_blank">漳平市教育局2021年度政府信息公开工作年度报告</a><span>2022-01-26</span></li>
<li><a href="./202201/t20220120_1866512.htm" target="_blank">关于做好2021年政府信息公开工作年度报告编制发布工作的通知</a><span>2022-01-20</span></li>
<li><a href="./202201/t20220118_1865100.htm" target="_blank">《漳平市2021年政府信息公开工作年度报告》解读</a><span>2022-01-18</span></li>
<li><a href="./202112/t20211230_1850321.htm" target="_blank">2022年漳平市政务公开工作要点</a><span>2021-12-30</span></li>
<li><a href="./202112/P020211230.xls" target="_blank">2021年政府信息公开工作年度报表</a><span>2021-12-30</span></li>
<li><a href="./202101/P020210129551820563771.pdf" target="_blank">漳平市卫生健康局2020年政府信息公开工作年度报告.pdf</a><span>2021-01-29</span></li>
<li><a href="http://www.longyan.gov.cn/zwgk/zfxxgknb/202201/t20220125_1.htm">龙岩市2021年政府信息公开工作年度报告</a></li>
<li><a href="javascript:openArticle('t20220101_1')">漳平市人社局2021年政府信息公开工作年度报告</a></li>
</ul></div>
<div class="page"><script>
var currentPage = 0;//所在页从0开始
var countPage = 3//共多少页
createPageHTML(countPage, currentPage, "index", "htm");
</script><a href="index.htm">首页</a><a href="index.htm">上一页</a><a href="index_1.htm">2</a><a href="index_2.htm">3</a>
<a href="index_1.htm">下一页</a><a href="index_2.htm">尾页</a></div>
</body></html>"""


def test_trs_list_page_follows_reports_and_pages_not_decoys() -> None:
    spider = _spider(COLUMN)
    (start,) = _start(spider)
    assert (start.url, start.meta["kind"], start.callback) == (COLUMN, "list", spider.parse)
    out = list(spider.parse(_html(COLUMN, TRS_LIST)))
    requests = _requests(out)
    base = f"{PORTAL}/bm/zfb/zfxxgknb"
    reports = {u for u, r in requests.items() if r.meta["kind"] == "report"}
    assert reports == {f"{base}/202201/t20220128_1870138.htm", f"{base}/202201/t20220126_1869001.htm"}
    # the truncated list text gives way to the full title attribute
    assert requests[f"{base}/202201/t20220128_1870138.htm"].meta["link_text"] == "漳平市财政局2021年政府信息公开工作年度报告"
    assert requests[f"{base}/202201/t20220128_1870138.htm"].callback == spider.parse_report
    # a report published as a file: fetched as its own group
    pdf = requests[f"{base}/202101/P020210129551820563771.pdf"]
    assert pdf.meta["kind"] == "attachment" and pdf.meta["group_key"] == pdf.url and pdf.callback == spider.parse_attachment
    # the pager's links (2, 3, 下一页, 尾页) and the createPageHTML pages, each once, as pagination: no hop deeper
    pages = [r.url for r in out if isinstance(r, Request) and r.meta.get("pagination")]
    assert sorted(pages) == [f"{base}/index_1.htm", f"{base}/index_2.htm"]
    assert not [u for u, r in requests.items() if u.startswith(f"{base}/index") and not r.meta.get("pagination")]
    # no decoy, no javascript: link, no off-site report was requested
    for url in requests:
        assert "t20220120" not in url and "t20220118" not in url and "t20211230" not in url and not url.endswith(".xls")
        assert url.startswith(PORTAL)
    offsite = spider.books.entries["http://www.longyan.gov.cn/zwgk/zfxxgknb/202201/t20220125_1.htm"]
    assert (offsite.state, offsite.reason) == ("skipped", "off-site link")
    # only a link worth following is weighed for scope: the 中国政府网 link in the header is not one
    assert spider.crawler.stats.get_value("discovery/offsite_filtered") == 1
    assert spider.books.entries[COLUMN].state == "read"


def test_the_next_page_does_not_expand_the_footer_again() -> None:
    spider = _spider()
    list(spider.parse(_html(COLUMN, TRS_LIST)))
    again = _html(f"{PORTAL}/bm/zfb/zfxxgknb/index_1.htm", TRS_LIST.replace("index_1.htm", "index_2.htm"), {"pagination": True})
    out = list(spider.parse(again))
    assert not [r for r in out if isinstance(r, Request)], "every link of the second page was requested already"


REPORT_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="漳平市财政局2021年政府信息公开工作年度报告">
<title>漳平市财政局2021年政府信息公开工作年度报告_漳平市人民政府</title></head><body>
<div class="header"><img src="/images/logo.png" alt="漳平市人民政府"></div>
<div class="TRS_Editor"><p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>
<p><img src="./W020220128588386.png" width="600" height="800"></p></div>
<div class="fj"><p>附件：</p>
<a href="./P020220128588386147447.pdf">1.漳平市财政局2021年政府信息公开工作年度报告.pdf</a>
<a href="./P020220128588386147448.docx">2.政府信息公开情况统计表.docx</a>
<a href="/module/download/downfile.jsp?classid=0&amp;filename=a1b2c3d4e5f6.doc">3.附表</a>
<a href="http://www.longyan.gov.cn/files/a.pdf">上级文件.pdf</a>
<a href="javascript:window.print()">打印本页</a><a href="javascript:window.close()">关闭窗口</a></div>
</body></html>"""


def test_report_page_gives_the_page_then_its_attachments() -> None:
    spider = _spider()
    url = f"{PORTAL}/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm"
    response = _html(url, REPORT_PAGE, {"kind": "report", "group_key": url, "link_text": "漳平市财政局2021年…"}, "gb2312")
    out = list(spider.parse_report(response))
    doc = out[0]
    assert isinstance(doc, FetchedDocument)
    assert (doc.url, doc.group_key, doc.role, doc.status) == (url, url, "page", 200)
    assert doc.body == REPORT_PAGE.encode("gb2312")
    folder = f"{PORTAL}/bm/zfb/zfxxgknb/202201"
    attachments = [
        f"{folder}/P020220128588386147447.pdf",
        f"{folder}/P020220128588386147448.docx",
        f"{PORTAL}/module/download/downfile.jsp?classid=0&filename=a1b2c3d4e5f6.doc",
    ]
    picture = f"{folder}/W020220128588386.png"
    assert doc.links == [*attachments, picture]
    requests = [r for r in out[1:] if isinstance(r, Request)]
    assert [r.url for r in requests] == [*attachments, picture]
    assert {r.meta["group_key"] for r in requests} == {url}
    assert [r.meta["role"] for r in requests] == ["attachment"] * 3 + ["image"]
    assert all(r.meta["conditional"] and r.callback == spider.parse_attachment for r in requests)
    assert spider.books.entries["http://www.longyan.gov.cn/files/a.pdf"].reason == "off-site link"


def test_a_start_page_that_is_a_report_is_read_as_one() -> None:
    spider = _spider()
    url = f"{PORTAL}/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm"
    out = list(spider.parse(_html(url, REPORT_PAGE, encoding="gb2312")))
    assert isinstance(out[0], FetchedDocument) and out[0].role == "page" and out[0].group_key == url
    assert len([r for r in out if isinstance(r, Request)]) == 4


def test_an_attachment_answer_carries_its_group_and_role() -> None:
    spider = _spider()
    page = f"{PORTAL}/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm"
    pdf = f"{PORTAL}/bm/zfb/zfxxgknb/202201/P020220128588386147447.pdf"
    request = Request(pdf, meta={"kind": "attachment", "group_key": page, "role": "attachment", "warc": {"file": "a.warc.gz"}})
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    response = Response(pdf, body=body, headers={"Content-Type": "application/pdf", "ETag": '"61f3"'}, request=request)
    (doc,) = list(spider.parse_attachment(response))
    assert (doc.role, doc.group_key, doc.body, doc.warc) == ("attachment", page, body, {"file": "a.warc.gz"})
    assert doc.headers["content-type"] == "application/pdf" and doc.headers["etag"] == '"61f3"'
    # a report published as a file alone is the page of its own group
    alone = Request(pdf, meta={"kind": "attachment", "group_key": pdf, "role": "attachment"})
    (doc,) = list(spider.parse_attachment(Response(pdf, body=body, request=alone)))
    assert doc.role == "page"


def test_since_skips_older_reports_and_books_them() -> None:
    spider = _spider(since="2021")
    html = TRS_LIST.replace("漳平市教育局2021年度", "漳平市教育局2019年度")
    requests = _requests(list(spider.parse(_html(COLUMN, html))))
    old = f"{PORTAL}/bm/zfb/zfxxgknb/202201/t20220126_1869001.htm"
    assert old not in requests and f"{PORTAL}/bm/zfb/zfxxgknb/202201/t20220128_1870138.htm" in requests
    assert spider.books.entries[old].reason == "older than --since"


# Hanweb 大汉: the first records inline in a <datastore>, the rest from dataproxy.jsp
HANWEB_COLUMN = """<html><head><title>政府信息公开年报 定西市人民政府</title></head><body>
<div id="4158401"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=56&path=http://www.dingxi.gov.cn/&columnid=16516&unitid=4158401&webname=定西市人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2021/1/25/art_16516_1541057.html" title="定西市2020年政府信息公开工作年度报告" target="_blank">定西市2020年政府信息公开工作年度报告</a><span>2021-01-25</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/1/20/art_16516_1540011.html" target="_blank">关于印发定西市2021年政务公开工作要点的通知</a></li>]]></record>
</recordset></datastore></script></div></body></html>"""


def test_hanweb_column_gives_inline_reports_and_the_dataproxy_list() -> None:
    spider = _spider("http://www.dingxi.gov.cn/")
    url = "http://www.dingxi.gov.cn/col/col16516/index.html"
    out = list(spider.parse(_html(url, HANWEB_COLUMN)))
    requests = _requests(out)
    assert requests["http://www.dingxi.gov.cn/art/2021/1/25/art_16516_1541057.html"].meta["kind"] == "report"
    assert "http://www.dingxi.gov.cn/art/2021/1/20/art_16516_1540011.html" not in requests
    (proxy,) = [r for r in out if isinstance(r, FormRequest)]
    assert proxy.url == "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=120&perpage=40"
    assert proxy.method == "POST" and proxy.meta["pagination"] and proxy.callback == spider.parse_hanweb
    form = dict(pair.split("=", 1) for pair in proxy.body.decode().split("&"))
    assert form["columnid"] == "16516" and form["unitid"] == "4158401" and form["webid"] == "56"
    assert form["col"] == "1" and form["permissiontype"] == "0"


def test_hanweb_dataproxy_answer_gives_reports_and_the_next_block() -> None:
    spider = _spider("http://www.dingxi.gov.cn/")
    form = {"col": "1", "columnid": "16516", "unitid": "4158401", "webid": "56"}
    url = "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=120&perpage=40"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>250</totalrecord><totalpage>7</totalpage><recordset>'
        '<record><![CDATA[<li><a href="/art/2020/1/31/art_16516_1290001.html">定西市2019年政府信息公开工作年度报告</a></li>]]></record>'
        '<record><![CDATA[<li><a href="/art/2020/1/10/art_16516_1280001.html" title="定西市政府信息公开指南">指南</a></li>]]></record>'
        "</recordset></datastore>"
    )
    request = Request(url, meta={"kind": "list", "form": form, "start": 1, "pagination": True})
    out = list(spider.parse_hanweb(TextResponse(url, body=xml.encode(), request=request, encoding="utf-8")))
    requests = _requests(out)
    assert requests["http://www.dingxi.gov.cn/art/2020/1/31/art_16516_1290001.html"].meta["kind"] == "report"
    assert not any("1280001" in u for u in requests)
    (following,) = [r for r in out if isinstance(r, FormRequest)]
    assert "startrecord=121&endrecord=240" in following.url and following.meta["start"] == 121


def test_gkmlpt_column_asks_its_json_list_and_follows_the_articles() -> None:
    spider = _spider("https://www.lg.gov.cn/")
    page = """<html><head><title>政府信息公开目录</title><script>
    window._CONFIG = { SID: '755039', ROOT: '/gkmlpt' };</script></head>
    <body><a href="/gkmlpt/index#721">年度报告</a></body></html>"""
    out = list(spider.parse(_html("https://www.lg.gov.cn/gkmlpt/index", page)))
    api = _requests(out)["https://www.lg.gov.cn/gkmlpt/api/all/721?page=1&sid=755039"]
    assert api.callback == spider.parse_gkmlpt and api.meta["column"] == "721"
    answer = {
        "total": 45,
        "articles": [
            {"title": "深圳市龙岗区人民政府2022年政府信息公开工作年度报告", "url": "https://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/content/post_11956962.html"},
            {"title": "龙岗区2023年政务公开工作要点", "url": "https://www.lg.gov.cn/xxgk/content/post_11000001.html"},
        ] + [{"title": f"通知{i}", "url": f"https://www.lg.gov.cn/xxgk/content/post_{i}.html"} for i in range(13)],
    }  # fmt: skip
    response = TextResponse(api.url, body=json.dumps(answer, ensure_ascii=False).encode(), request=api, encoding="utf-8")
    requests = _requests(list(spider.parse_gkmlpt(response)))
    assert requests["https://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/content/post_11956962.html"].meta["kind"] == "report"
    assert "https://www.lg.gov.cn/xxgk/content/post_11000001.html" not in requests
    assert "https://www.lg.gov.cn/gkmlpt/api/all/721?page=2&sid=755039" in requests  # 15 of 45 read


def test_gkmlpt_answer_that_is_not_json_is_booked_as_failed() -> None:
    spider = _spider("https://www.lg.gov.cn/")
    url = "https://www.lg.gov.cn/gkmlpt/api/all/721?page=1&sid=755039"
    request = Request(url, meta={"kind": "list", "column": "721", "sid": "755039", "page": 1, "pagination": True})
    html = "<html><body>访问过于频繁，请稍后再试</body></html>".encode()
    assert list(spider.parse_gkmlpt(TextResponse(url, body=html, request=request, encoding="utf-8"))) == []
    assert (spider.books.entries[url].state, spider.books.entries[url].reason) == ("failed", "list API answered no JSON")


# failures ---------------------------------------------------------------------------------------
def _failure(exc: BaseException, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]  # Scrapy sets it on errbacks
    return failure


def test_http_error_on_an_attachment_is_a_fetch_failure_item() -> None:
    spider = _spider()
    url = f"{PORTAL}/bm/zfb/zfxxgknb/202201/P020220128588386147447.pdf"
    request = Request(url, meta={"kind": "attachment", "group_key": f"{PORTAL}/page.htm"})
    response = Response(url, status=404, request=request)
    (item,) = list(spider.errback(_failure(HttpError(response), request)))
    assert item == FetchFailure(url=url, group_key=f"{PORTAL}/page.htm", role="attachment", error="HTTP 404", status=404)
    assert spider.books.entries[url].state == "failed"
    assert spider.crawler.stats.get_value("documents/fetch_errors") == 1


def test_connection_error_on_a_list_is_booked_not_an_item() -> None:
    spider = _spider()
    request = Request(COLUMN, meta={"kind": "list"})
    assert list(spider.errback(_failure(DNSLookupError("www.zp.gov.cn"), request))) == []
    entry = spider.books.entries[COLUMN]
    assert entry.state == "failed" and "DNSLookupError" in entry.detail


def test_offsite_redirect_is_skipped_on_purpose() -> None:
    spider = _spider()
    url = f"{PORTAL}/bm/zfb/zfxxgknb/202201/t20220128_1.htm"
    request = Request(url, meta={"kind": "report", "redirect_urls": [url]})
    out = list(spider.errback(_failure(OffsiteRedirect("http://www.cyberpolice.cn/"), request)))
    assert out == []
    entry = spider.books.entries[url]
    assert (entry.state, entry.reason, entry.detail) == ("skipped", "off-site redirect", "http://www.cyberpolice.cn/")
    assert not spider.crawler.stats.get_value("documents/fetch_errors")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({}, "give a region"), ({"start_url": "http://x.gov.cn/", "render": "sometimes"}, "render must be"),
     ({"start_url": "http://[::1/"}, "not a usable start address")],
)  # fmt: skip
def test_bad_arguments_are_clear_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReportsSpider.from_crawler(get_crawler(ReportsSpider), **kwargs)

"""The non-TRS columns of the demo portal: Hanweb 大汉, Guangdong gkmlpt, a JS-only list.

Each mirrors how its family publishes lists in the wild (domain notes §3.1):

* Hanweb: ``/col/col<id>/index.html`` carries the first records inline in a
  ``<script type="text/xml"><datastore>`` block; the rest only come from
  ``POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=``.
* gkmlpt: ``/gkmlpt/index`` is an empty shell with ``SID`` in its script and column ids
  in ``#hash`` links; the list is ``GET /gkmlpt/api/all/<column>?page=N&sid=<SID>``.
* A department list filled by an inline script from a JSON shape of its own, so that
  only a browser that runs the script sees its links.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from crawler.demo.documents import ReportEntry, derive_report_body
from crawler.demo.routing import CST, HTML, Reply, Request, Site, document, html, json_reply
from crawler.demo.templates import SITE_NAME, Chrome, ListItem

if TYPE_CHECKING:
    from pathlib import Path

REPORT = "政府信息公开工作年度报告"

HANWEB_COLUMN = 1229001
HANWEB_UNIT = 4001
HANWEB_PERPAGE = 3
HANWEB_REPORTS = (  # agency, year, published, article id; newest first like the CMS lists them
    ("示范县教育局", 2022, date(2023, 1, 20), 5006),
    ("示范县卫生健康局", 2022, date(2023, 1, 19), 5005),
    ("示范县民政局", 2022, date(2023, 1, 18), 5004),
    ("示范县财政局", 2022, date(2023, 1, 16), 5003),
    ("示范县教育局", 2021, date(2022, 1, 21), 5002),
    ("示范县交通运输局", 2021, date(2022, 1, 20), 5001),
)

DATAPROXY_PATH = "/module/web/jpage/dataproxy.jsp"
JS_LIST_PATH = "/bmxxgk/nb/index.html"
GKMLPT_SID = "demo0001"
GKMLPT_COLUMNS = {719: "政府信息公开指南", 720: "政府信息公开制度", 721: "镇街年报"}
GKMLPT_PER_PAGE = 10
GKMLPT_ATTACHMENT = "/attachment/0/88/88389/963149.pdf"

JS_LIST_REPORTS = (("示范县市场监督管理局", 2022, date(2023, 2, 14), 4002), ("示范县司法局", 2022, date(2023, 2, 10), 4001))


@dataclass
class Context:
    """What every column builder needs: chrome, documents, addresses, and the truth it records."""

    documents_dir: Path
    base_url: str
    offsite_url: str
    chrome: Chrome
    reports: list[ReportEntry]

    def derived(self, agency: str, year: int, published: date) -> str:
        return derive_report_body(self.documents_dir, agency, year, published)


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(9, 30), CST).timestamp())


# --- Hanweb 大汉 -------------------------------------------------------------------------


def _hanweb_article(ctx: Context, title: str, agency: str, published: date, body: str) -> str:
    meta = {"ArticleTitle": title, "PubDate": f"{published} 10:12", "ContentSource": agency, "ColumnName": "部门信息公开年报"}
    main = (
        f'<div class="bt-article"><h1 class="title">{escape(title)}</h1>\n'
        f'<div class="info">发布日期：{published} &nbsp; 信息来源：{escape(agency)} &nbsp; 浏览次数：<span id="c">'
        "<script>document.write(218)</script></span></div>\n"
        + body.replace('<div class="TRS_Editor">', '<div id="zoom">', 1)
        + "\n</div>"
    )
    crumbs = (("政府信息公开", "/zfxxgk/"), ("部门信息公开年报", f"/col/col{HANWEB_COLUMN}/index.html"))
    return ctx.chrome.page(f"{title} - {SITE_NAME}", main, crumbs=crumbs, meta=meta)


def _datastore(records: list[str], extra: str = "") -> str:
    """The ``<datastore>`` both the column page and dataproxy.jsp return."""
    webname = quote(SITE_NAME)
    nextgroup = (
        f'<nextgroup><![CDATA[<a href="{DATAPROXY_PATH}?page=1&appid=1&webid=1&path=/&columnid={HANWEB_COLUMN}'
        f'&unitid={HANWEB_UNIT}&webname={webname}&permissiontype=0"></a>]]></nextgroup>'
    )
    rows = "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in records)
    return f"<datastore>\n{extra}{nextgroup}\n<recordset>\n{rows}</recordset>\n</datastore>"


def install_hanweb(site: Site, ctx: Context) -> None:
    records: list[str] = []
    for agency, year, published, art_id in HANWEB_REPORTS:
        path = f"/art/{published.year}/{published.month}/{published.day}/art_{HANWEB_COLUMN}_{art_id}.html"
        title = f"{agency}{year}年{REPORT}"
        page = _hanweb_article(ctx, title, agency, published, ctx.derived(agency, year, published))
        site.add(path, document(page.encode("utf-8"), HTML, published))
        records.append(ListItem(path, title, published.isoformat()).html())
        flags = {"api_only"} if len(records) > HANWEB_PERPAGE else set()
        ctx.reports.append(ReportEntry(path, title, agency, year, published, "hanweb", "derived", flags=flags))

    total = len(records)
    inline = _datastore(records[:HANWEB_PERPAGE])
    main = (
        '<div class="lm_name">部门信息公开年报</div>\n'
        f'<div id="{HANWEB_COLUMN}"><script type="text/xml">{inline}</script></div>\n'
        '<script src="/module/jslib/jquery/jquery.js"></script>\n'
        '<script src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>\n'
        f"<script>$('#{HANWEB_COLUMN}').jpage({{dataStore: 'xml', dataBefore: '<ul class=\"list\">', dataAfter: '</ul>', "
        f"perPage: {HANWEB_PERPAGE}, totalRecord: {total}, groupSize: 1, proxyUrl: '{DATAPROXY_PATH}', "
        f"ajaxParam: {{col: 1, appid: 1, webid: 1, path: '/', columnid: {HANWEB_COLUMN}, unitid: {HANWEB_UNIT}, "
        f"webname: '{SITE_NAME}', permissiontype: 0}}}});</script>"
    )
    crumbs = (("政府信息公开", "/zfxxgk/"), ("部门信息公开年报", f"/col/col{HANWEB_COLUMN}/index.html"))
    site.add(f"/col/col{HANWEB_COLUMN}/index.html", html(ctx.chrome.page(f"部门信息公开年报 - {SITE_NAME}", main, crumbs=crumbs)))
    # Without jQuery the page renders nothing: only the inline XML and the API hold the list.
    site.add("/module/jslib/jquery/jquery.js", Reply(b"/* jQuery placeholder */\n", "application/javascript"))
    site.add("/module/jslib/jquery/jpage/jquery.page.min.js", Reply(b"/* jpage placeholder */\n", "application/javascript"))

    def dataproxy(request: Request, _: re.Match[str]) -> Reply:
        perpage = max(1, _int(request.param("perpage"), 15))
        if request.param("columnid") != str(HANWEB_COLUMN):
            return _xml(_datastore([], "<totalrecord>0</totalrecord>\n<totalpage>0</totalpage>\n"))
        start = max(1, _int(request.param("startrecord"), 1))
        end = min(total, _int(request.param("endrecord"), start + perpage * 3 - 1))
        counts = f"<totalrecord>{total}</totalrecord>\n<totalpage>{math.ceil(total / perpage)}</totalpage>\n"
        return _xml(_datastore(records[start - 1 : end], counts))

    site.route(re.escape(DATAPROXY_PATH), dataproxy, frozenset({"GET", "HEAD", "POST"}))


def _xml(datastore: str) -> Reply:
    return Reply(('<?xml version="1.0" encoding="UTF-8"?>\n' + datastore).encode("utf-8"), "text/xml;charset=UTF-8")


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default


# --- Guangdong gkmlpt ----------------------------------------------------------------------


def install_gkmlpt(site: Site, ctx: Context) -> None:
    articles: dict[int, list[dict[str, object]]] = {col: [] for col in GKMLPT_COLUMNS}

    def add_article(col: int, post_id: int, title: str, agency: str, published: date, body: str) -> str:
        path = f"/gkmlpt/content/0/{post_id // 1000}/post_{post_id}.html"
        detail = {"id": post_id, "title": title, "publisher": agency, "date": published.isoformat()}
        main = (
            f'<div class="detail"><h1 class="title">{escape(title)}</h1>\n'
            f'<div class="info">发布机构：{escape(agency)} &nbsp; 发布日期：{published}</div>\n'
            + body.replace('<div class="TRS_Editor">', '<div class="article-content">', 1)
            + f"\n</div>\n<script>window._CONFIG = {{SID: '{GKMLPT_SID}', DETAIL: {json_text(detail)}}};</script>"
        )
        meta = {
            "ArticleTitle": title,
            "PubDate": f"{published} 09:30",
            "ContentSource": agency,
            "ColumnName": GKMLPT_COLUMNS[col],
        }
        page = ctx.chrome.page(
            f"{title}-{SITE_NAME}", main, crumbs=(("政府信息公开", "/zfxxgk/"), ("镇街年报", "/gkmlpt/index#721")), meta=meta
        )
        site.add(path, document(page.encode("utf-8"), HTML, published))
        articles[col].append(
            {
                "id": post_id,
                "title": title,
                "url": ctx.base_url.rstrip("/") + path,
                "first_publish_time": _epoch(published),
                "publisher": agency,
                "identifier": f"{SITE_NAME[:3]}-{published.year}-{post_id}",
            }
        )
        return path

    for post_id, (agency, published) in (
        (963151, ("示范县城关镇人民政府", date(2023, 1, 29))),
        (963150, ("示范县东岭镇人民政府", date(2023, 1, 28))),
    ):
        title = f"{agency}2022年{REPORT}"
        path = add_article(721, post_id, title, agency, published, ctx.derived(agency, 2022, published))
        ctx.reports.append(ReportEntry(path, title, agency, 2022, published, "gkmlpt", "derived"))

    pdf = ctx.documents_dir / "gov2019_merged.pdf"
    if pdf.is_file():
        title, agency, published = "成都市武侯区教育局2020年" + REPORT, "成都市武侯区教育局", date(2021, 1, 22)
        body = f'<div class="TRS_Editor"><p>{title}详见附件。</p><p>附件：<a href="{GKMLPT_ATTACHMENT}">{title}.pdf</a></p></div>'
        path = add_article(721, 963149, title, agency, published, body)
        site.add(GKMLPT_ATTACHMENT, document(pdf.read_bytes(), "application/pdf", published))
        ctx.reports.append(ReportEntry(path, title, agency, 2020, published, "gkmlpt", pdf.name, [GKMLPT_ATTACHMENT]))

    for post_id, title in ((962002, "示范县政府信息公开申请办理工作规范"), (962001, "示范县政府信息公开保密审查制度")):
        body = f'<div class="TRS_Editor"><p style="text-indent:2em">为规范{title[3:]}，制定本制度。</p></div>'
        add_article(720, post_id, title, f"{SITE_NAME}办公室", date(2022, 6, post_id % 100), body)

    tree = "".join(f'<li><a href="/gkmlpt/index#{col}">{name}</a></li>' for col, name in GKMLPT_COLUMNS.items())
    main = (
        f'<div class="gkml-tree"><ul>{tree}</ul></div>\n<div class="gkml-list"><ul id="gkml-articles"></ul></div>\n'
        f"<script>window._CONFIG = {{SID: '{GKMLPT_SID}', SITE_NAME: '{SITE_NAME}', API: '/gkmlpt/api/all/'}};</script>\n"
        "<script>(function () { function load() { var col = location.hash.slice(1) || '721'; var x = new XMLHttpRequest();"
        " x.open('GET', window._CONFIG.API + col + '?page=1&sid=' + window._CONFIG.SID); x.onload = function () {"
        " var ul = document.getElementById('gkml-articles'); ul.innerHTML = ''; JSON.parse(x.responseText).articles.forEach("
        "function (a) { var li = document.createElement('li'); var el = document.createElement('a'); el.href = a.url;"
        " el.textContent = a.title; li.appendChild(el); ul.appendChild(li); }); }; x.send(); }"
        " window.addEventListener('hashchange', load); load(); })();</script>"
    )
    site.add(
        "/gkmlpt/index", html(ctx.chrome.page(f"政府信息公开目录_{SITE_NAME}", main, crumbs=(("政府信息公开", "/zfxxgk/"),)))
    )

    def api(request: Request, match: re.Match[str]) -> Reply:
        if request.query.get("sid") != GKMLPT_SID:
            return Reply(b'{"error":"invalid sid"}', "application/json;charset=UTF-8", 403)
        rows = sorted(articles.get(int(match.group(1)), []), key=lambda a: -int(str(a["first_publish_time"])))
        page = max(1, _int(request.query.get("page", "1"), 1))
        chunk = rows[(page - 1) * GKMLPT_PER_PAGE : page * GKMLPT_PER_PAGE]
        return json_reply({"total": len(rows), "page": page, "per_page": GKMLPT_PER_PAGE, "articles": chunk})

    site.route(r"/gkmlpt/api/all/(\d+)", api)


def json_text(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


# --- the JS-only department list -----------------------------------------------------------


def install_js_list(site: Site, ctx: Context) -> None:
    rows = []
    for agency, year, published, art_id in JS_LIST_REPORTS:
        ym, ymd = published.strftime("%Y%m"), published.strftime("%Y%m%d")
        path = f"/bmxxgk/nb/{ym}/t{ymd}_{art_id}.html"
        title = f"{agency}{year}年{REPORT}"
        page = ctx.chrome.article(
            title=title,
            date=published.isoformat(),
            source=agency,
            body=ctx.derived(agency, year, published),
            column=("部门年报", JS_LIST_PATH),
            index_no=f"SF{art_id}/{published.year}-00{art_id}",
        )
        site.add(path, document(page.encode("utf-8"), HTML, published))
        rows.append({"wzid": str(art_id), "bt": title, "fbrq": published.isoformat(), "ny": ym, "lmmc": "部门年报"})
        ctx.reports.append(ReportEntry(path, title, agency, year, published, "js", "derived", flags={"js_only"}))

    site.add("/bmxxgk/nb/list.json", json_reply({"code": 200, "msg": "成功", "data": {"count": len(rows), "list": rows}}))
    main = (
        '<div class="list_right"><div class="lm_name">部门年报</div>\n<ul id="list" class="list"></ul></div>\n'
        "<script>(function () { var x = new XMLHttpRequest(); x.open('GET', 'list.json?t=' + new Date().getTime());"
        " x.onload = function () { var ul = document.getElementById('list'); JSON.parse(x.responseText).data.list.forEach("
        "function (r) { var li = document.createElement('li'); var a = document.createElement('a');"
        " a.href = './' + r.ny + '/t' + r.fbrq.replace(/-/g, '') + '_' + r.wzid + '.html'; a.textContent = r.bt;"
        " var s = document.createElement('span'); s.textContent = r.fbrq; li.appendChild(a); li.appendChild(s);"
        " ul.appendChild(li); }); }; x.send(); })();</script>"
    )
    crumbs = (("政府信息公开", "/zfxxgk/"), ("部门年报", JS_LIST_PATH))
    site.add(JS_LIST_PATH, html(ctx.chrome.page(f"部门年报_{SITE_NAME}", main, crumbs=crumbs)))


# --- the off-site provincial portal --------------------------------------------------------


def install_offsite(site: Site, ctx: Context) -> None:
    """A provincial portal on another host: tempting report links a scoped crawl must not follow."""
    chrome = Chrome(ctx.offsite_url)
    agency, published = "示范省人民政府办公厅", date(2023, 1, 30)
    title = f"{agency}2022年{REPORT}"
    path = "/zfxxgk/zfxxgknb/202301/t20230130_9001.html"
    page = chrome.article(
        title=title,
        date=published.isoformat(),
        source=agency,
        body=ctx.derived(agency, 2022, published),
        column=("政府信息公开年报", "/zfxxgk/zfxxgknb/index.html"),
        index_no="SF000/2023-9001",
    )
    site.add(path, document(page.encode("utf-8"), HTML, published))
    column = ("政府信息公开年报", "/zfxxgk/zfxxgknb/index.html")
    items = [ListItem("./202301/t20230130_9001.html", title, published.isoformat())]
    site.add("/zfxxgk/zfxxgknb/index.html", html(chrome.trs_list(column, items, page=0, count_page=1)))
    main = '<div class="home"><h2>示范省人民政府</h2><ul><li><a href="/zfxxgk/zfxxgknb/index.html">政府信息公开年报</a></li></ul></div>'
    site.add("/index.html", html(chrome.page("示范省人民政府门户网站", main)))
    site.add("/robots.txt", Reply(b"User-agent: *\nAllow: /\n", "text/plain"))
    ctx.reports.append(ReportEntry(path, title, agency, 2022, published, "offsite", "derived", offsite=True))

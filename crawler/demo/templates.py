"""HTML of the demo portal: the shared chrome, article pages, TRS lists and the small scripts.

The markup follows what county portals built on TRS WCM publish: standard 政府网站
``<meta>`` tags (``ArticleTitle``, ``PubDate``, ``ContentSource``…), a 信息公开 metadata
table, a ``TRS_Editor`` body, attachments as ``P0…`` files next to the article, and list
pages whose only pagination is the ``createPageHTML`` footer script.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

SITE_NAME = "示范县人民政府"
SITE_DOMAIN = "www.shifan.gov.cn"
SITE_CODE = "3799990001"
NAV = (("首页", "/"), ("政务公开", "/zwgk/"), ("新闻中心", "/xwzx/"), ("政府信息公开", "/zfxxgk/"), ("互动交流", "/hdjl/"))

# The TRS WCM pager, as portals ship it in a shared script (document.write of the links).
PAGE_JS = """\
/* TRS WCM 分页 */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  function href(i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; }
  document.write("<div class=\\"page\\">");
  if (nCurrIndex == 0) { document.write("<span>首页</span> <span>上一页</span> "); }
  else {
    document.write("<a href=\\"" + href(0) + "\\">首页</a> ");
    document.write("<a href=\\"" + href(nCurrIndex - 1) + "\\">上一页</a> ");
  }
  for (var i = 0; i < _nPageCount; i++) {
    if (i == nCurrIndex) { document.write("<span class=\\"current\\">" + (i + 1) + "</span> "); }
    else { document.write("<a href=\\"" + href(i) + "\\">" + (i + 1) + "</a> "); }
  }
  if (nCurrIndex == _nPageCount - 1) { document.write("<span>下一页</span> <span>尾页</span>"); }
  else {
    document.write("<a href=\\"" + href(nCurrIndex + 1) + "\\">下一页</a> ");
    document.write("<a href=\\"" + href(_nPageCount - 1) + "\\">尾页</a>");
  }
  document.write(" 共" + _nPageCount + "页</div>");
}
"""

STYLE_CSS = "body{font:14px/1.6 'Microsoft YaHei',SimSun}.w1200{width:1200px;margin:0 auto}.list li span{float:right}\n"


@dataclass(frozen=True)
class ListItem:
    """One line of a column list: ``<li><a href title>…</a><span>date</span></li>``."""

    href: str
    title: str
    date: str

    def html(self) -> str:
        t = escape(self.title)
        return f'<li><a href="{escape(self.href)}" target="_blank" title="{t}">{t}</a><span>{self.date}</span></li>'


@dataclass(frozen=True)
class Attachment:
    """A file linked under an article (TRS writes ``OLDSRC`` beside the relative ``href``)."""

    href: str
    name: str


class Chrome:
    """Page furniture shared by every page of the portal; knows the off-site link."""

    def __init__(self, offsite_url: str) -> None:
        self.offsite_url = offsite_url

    def page(self, title: str, main: str, *, crumbs: tuple[tuple[str, str], ...] = (), meta: dict[str, str] | None = None) -> str:
        metas = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in (meta or {}).items())
        nav = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in NAV)
        trail = "".join(f' &gt; <a href="{href}">{name}</a>' for name, href in crumbs)
        return (
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f"<title>{escape(title)}</title>\n"
            f'<meta name="SiteName" content="{SITE_NAME}">\n<meta name="SiteDomain" content="{SITE_DOMAIN}">\n'
            f'<meta name="SiteIDCode" content="{SITE_CODE}">\n{metas}'
            '<link rel="stylesheet" href="/css/style.css">\n<script src="/js/page.js"></script>\n</head>\n<body>\n'
            '<div class="top"><div class="w1200">今天是：<script>document.write(new Date().toLocaleDateString());</script>'
            ' <a href="/">网站首页</a> | <a href="/wza/">无障碍</a></div></div>\n'
            f'<div class="header w1200"><a href="/" class="logo">{SITE_NAME}</a></div>\n'
            f'<div class="nav"><ul class="w1200">{nav}</ul></div>\n'
            f'<div class="position w1200">您当前的位置：<a href="/">首页</a>{trail}</div>\n'
            f'<div class="main w1200">\n{main}\n</div>\n'
            '<div class="footer"><div class="links">友情链接：'
            f'<a href="{escape(self.offsite_url)}" target="_blank">省人民政府</a> '
            '<a href="http://www.gov.cn/" target="_blank">中国政府网</a></div>\n'
            '<p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>\n'
            f"<p>主办单位：{SITE_NAME}办公室 &nbsp; 网站标识码：{SITE_CODE} &nbsp; 示ICP备00000000号</p></div>\n"
            "</body>\n</html>\n"
        )

    def article(
        self,
        *,
        title: str,
        date: str,
        source: str,
        body: str,
        column: tuple[str, str],
        index_no: str,
        attachments: tuple[Attachment, ...] = (),
    ) -> str:
        """A TRS WCM article page: metadata table, title, ``TRS_Editor`` body, attachments."""
        meta = {
            "ColumnName": column[0],
            "ColumnType": column[0],
            "ArticleTitle": title,
            "PubDate": f"{date} 09:30",
            "ContentSource": source,
            "Keywords": column[0],
            "Description": title,
        }
        files = ""
        if attachments:
            links = "".join(
                f'<p><a href="{escape(a.href)}" OLDSRC="/protect/{escape(a.href.rsplit("/", 1)[-1])}" target="_blank">{escape(a.name)}</a></p>'
                for a in attachments
            )
            files = f'\n<div class="fj"><p>附件：</p>{links}</div>'
        main = (
            '<div class="xxgk-table"><table class="syh">'
            f"<tr><td>索引号：</td><td>{index_no}</td><td>发布机构：</td><td>{escape(source)}</td></tr>"
            f"<tr><td>发布日期：</td><td>{date}</td><td>主题分类：</td><td>{column[0]}</td></tr></table></div>\n"
            f'<div class="article">\n<h1 class="article-title">{escape(title)}</h1>\n'
            f'<div class="article-info">发布日期：{date} 09:30 &nbsp;&nbsp; 来源：{escape(source)} &nbsp;&nbsp; '
            '【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div>\n'
            f"{body}{files}\n</div>"
        )
        return self.page(f"{title}_{column[0]}_{SITE_NAME}", main, crumbs=(("政府信息公开", "/zfxxgk/"), column), meta=meta)

    def trs_list(
        self, column: tuple[str, str], items: list[ListItem], *, page: int, count_page: int, page_name: str = "index"
    ) -> str:
        """A TRS column list; further pages exist only through the ``createPageHTML`` footer."""
        lis = "\n".join(item.html() for item in items)
        main = (
            f'<div class="list_right"><div class="lm_name">{column[0]}</div>\n<ul class="list">\n{lis}\n</ul>\n'
            f'<div class="page_box"><script>var countPage = {count_page}; '
            f'createPageHTML(countPage, {page}, "{page_name}", "html");</script></div></div>'
        )
        return self.page(
            f"{column[0]}_{SITE_NAME}", main, crumbs=(("政府信息公开", "/zfxxgk/"), column), meta={"ColumnName": column[0]}
        )


def notice_body(paragraphs: tuple[str, ...]) -> str:
    """A plain ``TRS_Editor`` body of indented paragraphs."""
    ps = "".join(f'<p style="text-indent:2em">{escape(p)}</p>\n' for p in paragraphs)
    return f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{ps}</div></div>'

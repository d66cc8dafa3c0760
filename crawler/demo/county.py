"""The county portal itself: home, 信息公开 columns, the TRS 年报 list, its report pages and decoys.

:class:`County` assembles the route tables of both servers (the other families come from
:mod:`crawler.demo.families`) and keeps the truth :meth:`County.expected` reports.
"""

from __future__ import annotations

import math
import re
import threading
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crawler.demo import families, pictures, truth
from crawler.demo.documents import CORRUPT_PDF, ReportEntry, load_fixtures
from crawler.demo.long_list import COLUMN as LONG_COLUMN
from crawler.demo.long_list import LongList
from crawler.demo.routing import HTML, Reply, Request, Site, document, error_page, html, redirect
from crawler.demo.templates import PAGE_JS, SITE_NAME, STYLE_CSS, Attachment, Chrome, ListItem, notice_body

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

NB = "/zfxxgk/zfxxgknb/"
NB_COLUMN = ("政府信息公开年报", NB + "index.html")
PER_PAGE = 5
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILLER_BASE_ID = 100000
FILLER_START = date(2017, 3, 1)
FILLER_TITLES = (
    "示范县人民政府办公室关于做好{n}号文件贯彻落实工作的通知",
    "示范县财政局关于公布第{n}批财政专项资金分配结果的公告",
    "示范县自然资源局第{n}期建设用地批前公示",
    "示范县人力资源和社会保障局关于第{n}批就业见习基地认定的通知",
    "示范县住房和城乡建设局第{n}批建筑施工安全检查情况通报",
)
CHANNELS = {
    "zwgk": "政务公开",
    "hdjl": "互动交流",
    "zwfw": "政务服务",
    "bsfw": "办事服务",
    "zjss": "走进示范",
    "wza": "无障碍",
    "wzdt": "网站地图",
    "lxwm": "联系我们",
}
NEWS = (
    (3003, date(2023, 3, 8), "示范县政务服务中心推出延时服务"),
    (3002, date(2023, 2, 15), "示范县开展春季义务植树活动"),
    (3001, date(2023, 1, 10), "示范县召开2023年经济工作会议"),
)
DECOYS = (  # id, date, title, paragraphs: notices that look like reports in a list
    (
        1008,
        date(2023, 3, 15),
        "示范县2023年政务公开工作要点",
        (
            "为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，结合我县实际，制定本要点。",
            "一、围绕稳住经济大盘加强政策发布解读。二、围绕保障和改善民生做好信息公开。三、按时编制发布政府信息公开工作年度报告。",
        ),
    ),
    (
        1007,
        date(2023, 2, 20),
        "示范县人民政府2022年法治政府建设年度报告",
        (
            "2022年，县人民政府坚持以习近平新时代中国特色社会主义思想为指导，深入推进法治政府建设。",
            "一、主要举措和成效。二、存在的不足和原因。三、2023年工作打算。",
        ),
    ),
    (
        1005,
        date(2022, 12, 20),
        "关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
        (
            "各乡镇人民政府、县政府各部门：",
            "请于2023年1月31日前在本单位政府信息公开专栏发布2022年度政府信息公开工作年度报告，并严格按照国务院办公厅规定的格式编制。",
            "示范县人民政府办公室",
        ),
    ),
)


class County:
    """Both servers' route tables and the truth about them; thread-safe against publishing."""

    def __init__(
        self, documents_dir: Path, base_url: str, offsite_url: str, extra_list_pages: int = 0,
        long_list: tuple[int, int, str] | None = None, table_picture: bool = False,
    ) -> None:  # fmt: skip
        self.base_url, self.offsite_url = base_url, offsite_url
        self.table_picture = table_picture
        self.fixtures = load_fixtures(documents_dir)
        missing = {"gov2021_gbk.html", "gov2021_merged.pdf", "gov2021_merged.docx", "gov2019_merged.docx"} | {
            "gov2019_big5style.html",
            "pre2019_report.html",
            "gov2021_inconsistent.docx",
        }
        missing -= set(self.fixtures)
        if missing:
            raise FileNotFoundError(f"demo portal documents missing in {documents_dir}: {', '.join(sorted(missing))}")
        self.chrome = Chrome(offsite_url)
        self.site, self.offsite = Site(), Site()
        self.reports: list[ReportEntry] = []
        self.ctx = families.Context(documents_dir, base_url, offsite_url, self.chrome, self.reports)
        self.filler_count = PER_PAGE * max(0, extra_list_pages)
        self.items: list[ListItem] = []  # the TRS 年报 column, newest first
        self.decoys: list[str] = []
        self.published: list[str] = []
        self.flaky_path = ""
        self.robots_txt, self.per_page = ROBOTS_TXT, PER_PAGE
        self.corrupt: list[str] = []
        self.not_found = [NB + "201703/t20170330_1000.html", NB + "202101/t20210126_2670012.html"]
        self.deleted = [NB + "202101/t20210129_2671953.html"]
        # Links in the served fixtures' own chrome (crumbs, styles, the Big5 gate) that lead nowhere here.
        self.dead_links = [NB + "202201/", "/images/css/common.css", "/images/js/jquery-1.8.3.min.js", "/images/logo.png"]
        self.dead_links += ["/gate/big5/www.zhxz.gov.cn/", "/gate/big5/www.zhxz.gov.cn/css/article.css"]
        self._flaky_hits: dict[str, int] = {}
        self._filler_replies: dict[int, Reply] = {}
        self._lock = threading.Lock()
        # (pages, items per page, report body): the column chained only by next links, when asked for
        self.long_list = LongList(self.ctx, *long_list) if long_list and long_list[0] > 0 else None
        self._build()

    # --- TRS 年报 column ------------------------------------------------------------------

    def _trs_report(self, art_id: int, day: date, title: str, body: bytes | str, ctype: str = HTML, *, prefix: str = NB) -> str:
        path = f"{prefix}{day:%Y%m}/t{day:%Y%m%d}_{art_id}.html"
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.site.add(path, document(data, ctype, day))
        href = path if prefix != NB else f"./{day:%Y%m}/t{day:%Y%m%d}_{art_id}.html"
        self.items.append(ListItem(href, title, day.isoformat()))
        return path

    def _article(self, art_id: int, day: date, title: str, source: str, body: str, files: tuple[Attachment, ...] = ()) -> str:
        return self.chrome.article(
            title=title,
            date=day.isoformat(),
            source=source,
            body=body,
            column=NB_COLUMN,
            index_no=f"SF001/{day.year}-{art_id:05d}",
            attachments=files,
        )

    def _attachment(
        self, day: date, serial: str, fixture: str | None, ext: str, ctype: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> str:
        path = f"{NB}{day:%Y%m}/P0{day:%Y%m%d}{serial}.{ext}"
        body = self.fixtures[fixture].read() if fixture else CORRUPT_PDF
        self.site.add(path, document(body, ctype, day, headers))
        return path

    def _with_files(
        self, art_id: int, fixture: str, files: Sequence[tuple[str, str | None, str, str, bool]], flags: set[str]
    ) -> None:
        """An article that only says 详见附件 and links the report as attachment(s)."""
        fx = self.fixtures[fixture]
        day = fx.published
        paths, links = [], []
        for serial, source, ext, ctype, download in files:
            name = f"{fx.title}.{ext}"
            disposition = (
                (("Content-Disposition", f"attachment; filename=\"{serial}.{ext}\"; filename*=UTF-8''{quote(name)}"),)
                if download
                else ()
            )
            path = self._attachment(day, serial, source, ext, ctype, disposition)
            paths.append(path)
            if source is None:
                self.corrupt.append(path)
            links.append(Attachment("./" + path.rsplit("/", 1)[-1], name))
        body = notice_body((f"{fx.title}详见附件。",))
        page = self._trs_report(art_id, day, fx.title, self._article(art_id, day, fx.title, fx.agency, body, tuple(links)))
        self.reports.append(ReportEntry(page, fx.title, fx.agency, fx.year, day, "trs", fixture, paths, flags))

    def _as_is(self, art_id: int, fixture: str, ctype: str) -> None:
        """A page that *is* the fixture, bytes untouched (older articles keep older templates)."""
        fx = self.fixtures[fixture]
        page = self._trs_report(art_id, fx.published, fx.title, fx.read(), ctype)
        self.reports.append(
            ReportEntry(page, fx.title, fx.agency, fx.year, fx.published, "trs", fixture, flags={"body_is_report"})
        )

    def _picture_report(self, art_id: int) -> None:
        """A report page whose table 三 is a picture beside it (and whose chrome holds a logo and a QR code)."""
        scans = self.ctx.documents_dir.parent / "scans"
        serial = f"W0{art_id}0118395127"
        report = pictures.load(scans, f"./{serial}.png")
        day = report.published
        folder = f"{NB}{day:%Y%m}/"
        self.site.add(f"{folder}{serial}.png", document(report.picture, pictures.PICTURE_TYPE, day))
        self.site.add("/images/sflogo.png", document(pictures.LOGO_PNG, pictures.PICTURE_TYPE, day))
        self.site.add("/images/sfewm.png", document(pictures.LOGO_PNG, pictures.PICTURE_TYPE, day))
        body = pictures.chrome_pictures("/images/sflogo.png", "/images/sfewm.png") + report.body
        page = self._trs_report(art_id, day, report.title, self._article(art_id, day, report.title, report.agency, body))
        entry = ReportEntry(page, report.title, report.agency, report.year, day, "trs", pictures.SCAN_PAGE)
        entry.attachments.append(f"{folder}{serial}.png")
        entry.flags.add("table_picture")
        self.reports.append(entry)

    def _decoy(self, art_id: int, day: date, title: str, paragraphs: tuple[str, ...]) -> None:
        body = notice_body(paragraphs)
        self.decoys.append(self._trs_report(art_id, day, title, self._article(art_id, day, title, f"{SITE_NAME}办公室", body)))

    def _build_trs(self) -> None:
        decoys = {d[0]: d for d in DECOYS}
        self._with_files(
            1009,
            "gov2021_inconsistent.docx",
            [
                ("391742865210", "gov2021_inconsistent.docx", "docx", DOCX, False),
                ("391742871456", None, "pdf", "application/pdf", False),
            ],
            {"corrupt_attachment"},
        )
        self._decoy(*decoys[1008])
        self._decoy(*decoys[1007])
        pdf_docx = [
            ("538271604153", "gov2021_merged.pdf", "pdf", "application/pdf", False),
            ("538271609327", "gov2021_merged.docx", "docx", "application/octet-stream", True),
        ]
        self._with_files(1006, "gov2021_merged.pdf", pdf_docx, set())
        self._decoy(*decoys[1005])
        self._as_is(1004, "gov2021_gbk.html", "text/html")  # charset only in the page's own <meta>
        agency, day = "示范县人民政府", date(2021, 1, 25)
        title = f"{agency}2020年{families.REPORT}"
        body = self._article(1011, day, title, agency, self.ctx.derived(agency, 2020, day))
        private = self._trs_report(1011, day, title, body, prefix="/private/zfxxgknb/")
        self.reports.append(ReportEntry(private, title, agency, 2020, day, "trs", "derived", flags={"robots_forbidden"}))
        # Old servers label .docx as Word 97: the type says msword, the bytes say OOXML.
        self._with_files(
            1003, "gov2019_merged.docx", [("402918837461", "gov2019_merged.docx", "docx", "application/msword", False)], {"flaky"}
        )
        self.flaky_path = self.reports[-1].page
        self.site.route(re.escape(self.flaky_path), self._flaky)
        self._as_is(1002, "gov2019_big5style.html", "text/html; charset=utf-8")
        self._as_is(1001, "pre2019_report.html", "text/html")
        self.items.append(
            ListItem("./" + self.not_found[0].removeprefix(NB), f"{SITE_NAME}2016年{families.REPORT}", "2017-03-30")
        )
        # The GBK page's 相关信息 links: one article deleted (meta refresh to the column), one gone.
        gone = '<html><head><meta http-equiv="refresh" content="0;url=../"></head><body></body></html>'
        self.site.add(self.deleted[0], html(gone))
        self.site.route(r"/zfxxgk/zfxxgknb/(?:index(?:_([1-9]\d*))?\.html)?", self._trs_list)
        self.site.route(r"/zfxxgk/zfxxgknb", lambda _r, _m: redirect(NB, 301))
        self.site.route(r"/zfxxgk/zfxxgknb/(\d{6})/t(\d{8})_(\d+)\.html", self._filler)

    def _flaky(self, request: Request, _: re.Match[str]) -> Reply:
        with self._lock:
            seen = self._flaky_hits[request.path] = self._flaky_hits.get(request.path, 0) + 1
        return error_page(500) if seen <= 2 else self.site.static[request.path]

    def _filler_item(self, i: int) -> ListItem:
        day = FILLER_START - timedelta(days=i)
        title = FILLER_TITLES[i % len(FILLER_TITLES)].format(n=i // len(FILLER_TITLES) + 1)
        return ListItem(f"./{day:%Y%m}/t{day:%Y%m%d}_{FILLER_BASE_ID + i}.html", title, day.isoformat())

    def _filler(self, request: Request, match: re.Match[str]) -> Reply:
        path, i = request.path, int(match.group(3)) - FILLER_BASE_ID
        if path in self.site.static:
            return self.site.static[path]
        if not 0 <= i < self.filler_count or NB + self._filler_item(i).href[2:] != path:
            return error_page(404)
        reply = self._filler_replies.get(i)
        if reply is None:  # built on first request, then kept: a benchmark's second crawl costs no rendering
            item = self._filler_item(i)
            day = date.fromisoformat(item.date)
            body = notice_body((f"{item.title}，现予以公布。", "特此通知。"))
            page = self._article(FILLER_BASE_ID + i, day, item.title, f"{SITE_NAME}办公室", body)
            reply = self._filler_replies.setdefault(i, document(page.encode("utf-8"), HTML, day))
        return reply

    def count_page(self) -> int:
        return max(1, math.ceil((len(self.items) + self.filler_count) / PER_PAGE))

    def _trs_list(self, _: Request, match: re.Match[str]) -> Reply:
        page = int(match.group(1) or 0)
        with self._lock:
            head = list(self.items)
        count = max(1, math.ceil((len(head) + self.filler_count) / PER_PAGE))
        if page >= count:
            return error_page(404)
        stop = min((page + 1) * PER_PAGE, len(head) + self.filler_count)
        rows = [head[i] if i < len(head) else self._filler_item(i - len(head)) for i in range(page * PER_PAGE, stop)]
        return html(self.chrome.trs_list(NB_COLUMN, rows, page=page, count_page=count))

    def publish_new_report(self) -> str:
        """Add a report at the top of the TRS list (derived from the GBK fixture's body)."""
        with self._lock:
            k = len(self.published)
            year, art_id = 2024 + k, 1100 + k
            day, agency = date(year + 1, 1, 20), f"{SITE_NAME}办公室"
            title = f"{agency}{year}年{families.REPORT}"
            path = f"{NB}{day:%Y%m}/t{day:%Y%m%d}_{art_id}.html"
            page = self._article(art_id, day, title, agency, self.ctx.derived(agency, year, day))
            self.site.add(path, document(page.encode("utf-8"), HTML, day))
            self.items.insert(0, ListItem(f"./{day:%Y%m}/t{day:%Y%m%d}_{art_id}.html", title, day.isoformat()))
            self.reports.append(ReportEntry(path, title, agency, year, day, "trs", "derived", flags={"published"}))
            self.published.append(path)
        return self.base_url.rstrip("/") + path

    # --- the rest of the portal -----------------------------------------------------------

    def _plain_list(self, slug: str, name: str, entries: tuple[tuple[int, date, str], ...], source: str) -> None:
        column = (name, f"/zfxxgk/{slug}/index.html")
        items = []
        for art_id, day, title in entries:
            path = f"/zfxxgk/{slug}/{day:%Y%m}/t{day:%Y%m%d}_{art_id}.html"
            body = notice_body((f"{title}。", "（正文略）"))
            page = self.chrome.article(
                title=title,
                date=day.isoformat(),
                source=source,
                body=body,
                column=column,
                index_no=f"SF001/{day.year}-{art_id:05d}",
            )
            self.site.add(path, document(page.encode("utf-8"), HTML, day))
            items.append(ListItem(path, title, day.isoformat()))
        self.site.add(column[1], html(self.chrome.trs_list(column, items, page=0, count_page=1)))

    def _build(self) -> None:
        site, chrome = self.site, self.chrome
        site.add("/robots.txt", Reply(ROBOTS_TXT.encode("ascii"), "text/plain"))
        site.add("/js/page.js", Reply(PAGE_JS.encode("utf-8"), "application/javascript"))
        site.add("/css/style.css", Reply(STYLE_CSS.encode("utf-8"), "text/css"))
        for slug, name in CHANNELS.items():
            main = f'<div class="lm_name">{name}</div><ul><li><a href="/zfxxgk/">政府信息公开</a></li></ul>'
            site.add(f"/{slug}/index.html", html(chrome.page(f"{name}_{SITE_NAME}", main, crumbs=((name, f"/{slug}/"),))))
        news = []
        for art_id, day, title in NEWS:
            path = f"/xwzx/{day:%Y%m}/t{day:%Y%m%d}_{art_id}.html"
            body = notice_body((f"{day.month}月{day.day}日，{title[3:]}。", "（记者 示范）"))
            page = chrome.article(
                title=title,
                date=day.isoformat(),
                source="示范县融媒体中心",
                body=body,
                column=("新闻中心", "/xwzx/"),
                index_no=f"SF002/{art_id}",
            )
            site.add(path, document(page.encode("utf-8"), HTML, day))
            news.append(ListItem(path, title, day.isoformat()))
        self.news = [item.href for item in news]
        site.add("/xwzx/index.html", html(chrome.trs_list(("新闻中心", "/xwzx/"), news, page=0, count_page=1)))
        news_html = "\n".join(item.html() for item in news)
        home = (
            f'<div class="news"><h2><a href="/xwzx/">新闻中心</a></h2><ul>\n{news_html}\n</ul></div>\n'
            '<div class="gk"><h2><a href="/zfxxgk/">政府信息公开</a></h2><ul><li><a href="/zfxxgk/">政府信息公开专栏</a></li>'
            '<li><a href="/zwgk/">政务公开</a></li></ul></div>'
        )
        site.add("/index.html", html(chrome.page(f"{SITE_NAME}门户网站", home)))
        columns = (
            ("政府信息公开指南", "/zfxxgk/zfxxgkzn/index.html"),
            ("政府信息公开制度", "/zfxxgk/zfxxgkzd/index.html"),
            ("法定主动公开内容", "/zfxxgk/fdzdgknr/index.html"),
            ("政府信息公开年报", NB + "index.html"),
            ("部门信息公开年报", f"/col/col{families.HANWEB_COLUMN}/index.html"),
            ("镇街年报", "/gkmlpt/index#721"),
            ("部门年报（动态加载）", "/bmxxgk/nb/index.html"),
            *((LONG_COLUMN,) if self.long_list is not None else ()),
        )
        links = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in columns)
        site.add(
            "/zfxxgk/index.html",
            html(
                chrome.page(
                    f"政府信息公开_{SITE_NAME}",
                    f'<div class="xxgk-nav"><ul>{links}</ul></div>',
                    crumbs=(("政府信息公开", "/zfxxgk/"),),
                )
            ),
        )
        guide = notice_body(
            (
                "为便于公民、法人和其他组织获取政府信息，编制本指南。",
                "本机关每年1月31日前在本网站公布上一年度政府信息公开工作年度报告。",
            )
        )
        page = chrome.article(
            title="示范县人民政府信息公开指南",
            date="2022-03-01",
            source=f"{SITE_NAME}办公室",
            body=guide,
            column=columns[0],
            index_no="SF001/2022-00001",
        )
        site.add(columns[0][1], document(page.encode("utf-8"), HTML, date(2022, 3, 1)))
        self._plain_list(
            "zfxxgkzd",
            columns[1][0],
            (
                (801, date(2022, 6, 1), "示范县政府信息公开保密审查制度"),
                (802, date(2022, 6, 2), "示范县政府信息公开申请办理工作规范"),
            ),
            f"{SITE_NAME}办公室",
        )
        self._plain_list(
            "fdzdgknr",
            columns[2][0],
            ((901, date(2023, 2, 1), "示范县人民政府机构职能"), (902, date(2023, 2, 3), "示范县2023年财政预算公开")),
            f"{SITE_NAME}办公室",
        )
        self._build_trs()
        if self.table_picture:
            self._picture_report(2001)
        families.install_hanweb(site, self.ctx)
        families.install_gkmlpt(site, self.ctx)
        families.install_js_list(site, self.ctx)
        families.install_offsite(self.offsite, self.ctx)
        if self.long_list is not None:
            self.long_list.install(site)

    def expected(self) -> dict[str, Any]:
        """Machine-readable truth about the portal as it is now (see ``DemoPortal.expected``)."""
        with self._lock:
            reports, published, count = list(self.reports), list(self.published), self.count_page()
        return truth.expected(self, reports, published, count)

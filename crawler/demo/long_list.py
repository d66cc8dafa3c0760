"""A long report column of the demo portal: list pages chained only by "下一页" links.

Big cities' 年报 columns run to dozens of list pages, and many CMSs page them with a
plain next link (``list.html?page=N``) and nothing else: no page count, no script to
expand. Every item of the column is an annual report (departments and townships over
several years), except a short run of pages that hold only notices, the way a column
gets a batch of misfiled items: a crawler must walk through it to the reports after it.

``report_body="full"`` serves each report page as a complete 2021-template report (the
GBK fixture's body, agency and years rewritten); ``"stub"`` serves a short article that
only names the report, for benchmarks that measure the crawl rather than the parser.
Pages are rendered on first request and kept.
"""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from typing import TYPE_CHECKING

from crawler.demo.documents import ReportEntry
from crawler.demo.routing import HTML, Reply, Request, Site, document, error_page, html
from crawler.demo.templates import SITE_NAME, ListItem, notice_body

if TYPE_CHECKING:
    from crawler.demo.families import Context

PATH = "/zfxxgk/bmnbhb/"
COLUMN = ("部门和乡镇年报汇编", PATH + "list.html")
REPORT = "政府信息公开工作年度报告"
UNITS = (
    "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局",
    "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局",
    "统计局", "医疗保障局", "城市管理局", "林业局", "城关镇人民政府", "东城街道办事处", "西城街道办事处",
    "南湖镇人民政府", "北山乡人民政府", "河口镇人民政府",
)  # fmt: skip
FIRST_YEAR = 2019


def gap_pages(pages: int) -> range:
    """The run of notice-only pages (three, in the second half of a long enough column)."""
    start = pages // 2
    return range(start, start + 3) if pages >= 12 else range(0)


class LongList:
    """The column's routes and truth; ``pages`` list pages of ``per_page`` items each."""

    def __init__(self, ctx: Context, pages: int, per_page: int = 20, report_body: str = "full") -> None:
        if report_body not in {"full", "stub"}:
            raise ValueError(f"report_body must be full or stub, not {report_body!r}")
        self.ctx, self.pages, self.per_page, self.report_body = ctx, pages, per_page, report_body
        self.gap = gap_pages(pages)
        # notices are numbered after every item of the column, never colliding with a report's number
        self.notice_base = max(80000, 10 ** len(str(pages * per_page)))
        self._replies: dict[str, Reply] = {}
        self._lock = threading.Lock()

    def page_url(self, page: int) -> str:
        return PATH + ("list.html" if page == 0 else f"list.html?page={page + 1}")

    def item(self, page: int, k: int) -> tuple[ListItem, int | None]:
        """The k-th item of a page, and its report number (None for a notice)."""
        n = page * self.per_page + k
        day = date(2024, 3, 31) - timedelta(days=n % 700)
        if page in self.gap:
            return ListItem(
                f"./{day:%Y%m}/t{day:%Y%m%d}_{self.notice_base + n}.html", f"{SITE_NAME}第{n}号通知公告", day.isoformat()
            ), None
        return ListItem(f"./{day:%Y%m}/t{day:%Y%m%d}_{n}.html", self.title(n), day.isoformat()), n

    def identity(self, n: int) -> tuple[str, int]:
        unit, year = UNITS[n % len(UNITS)], FIRST_YEAR + (n // len(UNITS)) % 5
        batch = n // (len(UNITS) * 5)  # past 160 reports (benchmarks): the same units of other districts
        return (f"示范新区{unit}" if batch == 0 else f"示范新区第{batch + 1}片区{unit}"), year

    def title(self, n: int) -> str:
        agency, year = self.identity(n)
        return f"{agency}{year}年{REPORT}"

    def install(self, site: Site) -> None:
        site.route(re.escape(PATH) + r"list\.html", self._list)
        site.route(re.escape(PATH) + r"(\d{6})/t(\d{8})_(\d+)\.html", self._article)
        for page in range(self.pages):
            for k in range(self.per_page):
                item, n = self.item(page, k)
                if n is None:
                    continue
                agency, year = self.identity(n)
                day = date.fromisoformat(item.date)
                path = PATH + item.href.removeprefix("./")
                self.ctx.reports.append(ReportEntry(path, item.title, agency, year, day, "paged", "derived"))

    def _list(self, request: Request, _: re.Match[str]) -> Reply:
        raw = request.query.get("page", "1")
        page = int(raw) - 1 if raw.isdigit() else -1
        if not 0 <= page < self.pages:
            return error_page(404)
        rows = "\n".join(self.item(page, k)[0].html() for k in range(self.per_page))
        nav = []
        if page > 0:
            nav.append(f'<a href="{self.page_url(0).removeprefix(PATH)}">首页</a>')
            nav.append(f'<a href="{self.page_url(page - 1).removeprefix(PATH)}">上一页</a>')
        if page + 1 < self.pages:
            nav.append(f'<a href="{self.page_url(page + 1).removeprefix(PATH)}">下一页</a>')
        main = (
            f'<div class="list_right"><div class="lm_name">{COLUMN[0]}</div>\n<ul class="list">\n{rows}\n</ul>\n'
            f'<div class="page_box">第{page + 1}页 {" ".join(nav)}</div></div>'
        )
        crumbs = (("政府信息公开", "/zfxxgk/"), COLUMN)
        return html(self.ctx.chrome.page(f"{COLUMN[0]}_{SITE_NAME}", main, crumbs=crumbs, meta={"ColumnName": COLUMN[0]}))

    def _article(self, request: Request, match: re.Match[str]) -> Reply:
        with self._lock:
            cached = self._replies.get(request.path)
        if cached is not None:
            return cached
        n = int(match.group(3))
        notice = n >= self.notice_base
        index = n - self.notice_base if notice else n
        page, k = divmod(index, self.per_page)
        if not 0 <= page < self.pages or (page in self.gap) != notice:
            return error_page(404)
        item, _ = self.item(page, k)
        if PATH + item.href.removeprefix("./") != request.path:
            return error_page(404)
        day = date.fromisoformat(item.date)
        if notice:
            body = notice_body((f"{item.title}，现予以公布。", "特此公告。"))
            source = f"{SITE_NAME}办公室"
        else:
            source, year = self.identity(n)
            if self.report_body == "full":
                body = self.ctx.derived(source, year, day)
            else:
                body = notice_body((f"{item.title}已编制完成，现予公布。", "（全文略）"))
        page_html = self.ctx.chrome.article(
            title=item.title, date=item.date, source=source, body=body, column=COLUMN, index_no=f"SF009/{day.year}-{n:05d}"
        )
        reply = document(page_html.encode("utf-8"), HTML, day)
        with self._lock:
            return self._replies.setdefault(request.path, reply)

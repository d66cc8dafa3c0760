"""HTML → Document: trafilatura for metadata, the page's own markup for content and tables.

The report body is found in the content containers government CMSs use
(``.TRS_Editor``, ``#zoom``, ``ucapcontent`` …), scored by how report-like
their text is; paragraphs and ``<table>`` grids are then read in document
order, rowspan / colspan resolved.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml import etree

from crawler.core.document import Block, Document, Table, pad_rows
from crawler.core.errors import ExtractionError
from crawler.core.extract.chrome import strip_page
from crawler.core.extract.encoding import decode
from crawler.core.extract.pagemeta import CLOCK, PageMeta, meta_pairs

_CONTAINER_XPATH = (
    "//*[@id='ivs_content' or @id='webeditorview' or @id='zoom' or @id='Zoom' or @id='UCAP-CONTENT'"
    " or contains(@class,'TRS_Editor') or contains(@class,'trs_editor') or contains(@class,'Custom_UnionStyle')"
    " or contains(@class,'article-content') or contains(@class,'xxgk_content') or contains(@class,'zw-content')"
    " or contains(@class,'article') or contains(@class,'content') or starts-with(@id,'article')"
    " or starts-with(@id,'content')] | //ucapcontent"
)
_BLOCK_TAGS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "blockquote",
    "center",
    "dl",
    "dt",
    "dd",
    "pre",
    "tr",
    "br",
    "hr",
    "header",
    "footer",
    "form",
    "main",
    "ucapcontent",
}
_SKIP_TAGS = {"script", "style", "noscript", "head", "title", "select", "option", "button", "iframe"}
_REPORT_WORDS = ("年度报告", "年度報告", "政府信息公开", "政府信息公開", "申请", "申請")
_SECTION_MARK = re.compile(r"[一二三四五六七八九十][、，]")
_META_DATE = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "article:published_time")


def extract_html(body: bytes, content_type: str | None = None, url: str | None = None) -> Document:
    text, _charset = decode(body, content_type)
    if not text.strip():
        raise ExtractionError("empty HTML document", "extract/html/empty")
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unreadable HTML: {exc}", "extract/html/corrupt") from exc
    page = _page_meta(tree)
    title, date, publisher = _metadata(tree, url, page)
    container = _best_container(tree)
    blocks = _blocks(container)
    if not any(isinstance(b, Table) for b in blocks) and not any(_SECTION_MARK.search(b) for b in blocks if isinstance(b, str)):
        # No container found the report: let trafilatura find the main text.
        main = trafilatura.extract(tree, url=url, include_tables=False, favor_recall=True, fast=True)
        if main:
            blocks = [ln for ln in main.splitlines() if ln.strip()] + [
                b for b in _blocks(tree.body if tree.body is not None else tree) if isinstance(b, Table)
            ]
    blocks, inner = strip_page(blocks)
    if not blocks:
        raise ExtractionError("no text in HTML document", "extract/html/empty")
    return Document(
        blocks=blocks,
        source_format="html",
        title=title or inner.title or page.title,
        published_date=date,
        publisher=publisher or inner.publisher or page.publisher,
    )


def _meta(tree: lxml.html.HtmlElement, name: str) -> str | None:
    found = tree.xpath(
        f"//meta[translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')='{name.lower()}']/@content"
    )
    return str(found[0]).strip() if found and str(found[0]).strip() else None


def _page_meta(tree: lxml.html.HtmlElement) -> PageMeta:
    """The page's own labelled lines (发布日期：…, 来源：…), wherever the template puts them."""
    page = PageMeta()
    for block in _blocks(tree.body if tree.body is not None else tree):
        if isinstance(block, str) and len(block) <= 160:
            pairs = meta_pairs(block)
            if pairs:
                page.add(pairs)
    return page


def _metadata(tree: lxml.html.HtmlElement, url: str | None, page: PageMeta) -> tuple[str | None, str | None, str | None]:
    """Title, date and publisher: the standard 政府网站 meta tags, the page's labelled lines, then trafilatura.

    The date is the article's own (meta PubDate, a 发布日期 / 发布时间 / 成文日期 line), never the
    page clock in the header ("2025年12月30日 星期二": when the page was viewed).
    """
    title = _meta(tree, "ArticleTitle")
    date = next((d for d in (_meta(tree, n) for n in _META_DATE) if d), None)
    date = _iso(date) if date else page.date
    if title is None or date is None:
        # only the page's own date markup: a date searched out of the body is usually the
        # reporting period's ("统计期限自2021年1月1日起"), not the publication date
        md = trafilatura.extract_metadata(tree, default_url=url, date_config={"extensive_search": False})
        if md is not None:
            title = title or md.title
            found = _iso(md.date) if md.date else None
            if date is None and found and found not in _clock_dates(tree) and not _office_export(tree):
                date = found
    return title, date, _meta(tree, "ContentSource")


def _iso(date: str) -> str | None:
    m = re.search(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})", date)
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


_OFFICE = re.compile(r"LibreOffice|OpenOffice|Microsoft Word|Microsoft Office|WPS", re.IGNORECASE)


def _office_export(tree: lxml.html.HtmlElement) -> bool:
    """A page saved from Word, WPS or LibreOffice: its created/modified meta are when the file was
    written, not when the report was published, so only the signature can date it."""
    generator = _meta(tree, "generator") or ""
    return bool(_OFFICE.search(generator))


def _clock_dates(tree: lxml.html.HtmlElement) -> set[str]:
    """Dates the page prints with a weekday: its clock, not the article's date."""
    text = tree.body.text_content() if tree.body is not None else ""
    return {d for d in (_iso(m.group(0)) for m in CLOCK.finditer(text)) if d}


def _best_container(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    body = tree.body if tree.body is not None else tree
    best, best_score = body, _score(body) - 5.0
    for el in tree.xpath(_CONTAINER_XPATH):
        score = _score(el)
        if score > best_score:
            best, best_score = el, score
    return best


def _score(el: lxml.html.HtmlElement) -> float:
    text = el.text_content()
    if not text.strip():
        return -1e9
    link_text = sum(len(a.text_content()) for a in el.iter("a"))
    score = sum(3.0 for w in _REPORT_WORDS if w in text)
    score += min(len(_SECTION_MARK.findall(text)), 12)
    score += 2.0 * min(len(el.xpath(".//table")), 4)
    score -= 10.0 * link_text / max(len(text), 1)
    # Prefer the tightest container that still holds the report.
    return score - len(text) / 20000.0


def _blocks(root: lxml.html.HtmlElement) -> list[Block]:
    out: list[Block] = []
    buf: list[str] = []

    def flush() -> None:
        text = "".join(buf).strip()
        buf.clear()
        if text:
            out.extend(ln.strip() for ln in text.split("\n") if ln.strip())

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP_TAGS or _hidden(el):
            return
        if tag == "table" and not el.xpath(".//table"):
            flush()
            grid = table_grid(el)
            if grid:
                out.append(Table(rows=grid))
            return
        block = tag in _BLOCK_TAGS or tag in {"table", "td", "th"}
        if block and tag not in {"td", "th", "table"} and _link_bar(el):
            flush()
            return  # a menu of links (首页 政务公开 …): no line of the report
        if block:
            flush()
        if tag == "br":
            buf.append("\n")
        if el.text and tag:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return out


_LINK_SEPARATORS = re.compile(r"[\s|｜/>»›·•、,，\-—_]*")
_MENU_ITEM = 10  # a menu entry is a few words; a report's title or a list entry is longer


def _link_bar(el: etree._Element) -> bool:
    """A block made only of two or more short links: a site's menu, a breadcrumb, a link row.

    Its words would otherwise run into the report's title on the next line.
    """
    links = [a.text_content().strip() for a in el.iter("a")]
    links = [t for t in links if t]
    if len(links) < 2 or any(len(t) > _MENU_ITEM for t in links):
        return False
    rest = el.text_content()
    if len(rest) > 200:
        return False
    for text in links:
        rest = rest.replace(text, "", 1)
    return _LINK_SEPARATORS.fullmatch(rest) is not None


def _hidden(el: etree._Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower() if isinstance(el.tag, str) else ""
    return "display:none" in style


def table_grid(table: lxml.html.HtmlElement) -> list[list[str]]:
    """The cell grid of one ``<table>``, spans resolved once (text top-left, rest empty)."""
    grid: dict[tuple[int, int], str] = {}
    rows = [tr for tr in table.iter("tr")]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in {"td", "th"}:
                continue
            while (r, c) in grid:
                c += 1
            rowspan = _span(cell.get("rowspan"))
            colspan = _span(cell.get("colspan"))
            text = _cell_text(cell)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += colspan
    if not grid:
        return []
    height = len(rows)
    width = max(c for _, c in grid) + 1
    out = [[grid.get((r, c), "") for c in range(width)] for r in range(height)]
    return pad_rows(out)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip() or 1), 100))
    except ValueError:
        return 1


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS:
            return
        if tag in {"br", "p", "div"} and parts:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(cell)
    return "".join(parts).replace("\xa0", " ").strip()

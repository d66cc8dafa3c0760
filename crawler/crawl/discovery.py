"""Which links and pages matter: annual reports, their columns, their attachments.

Pure functions over titles, link texts and URLs, shared by the spider and the
tests. They decide generically, from the words and URL slugs portals use
(../shared/docs/domain-notes.md §3), never from a known site.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterator
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from w3lib.url import safe_url_string

from crawler.core.normalize import normalize_text

# what a report title is lives below the crawl and the parser (crawler/core/titles.py); the spider
# asks for it here, with the rest of what discovery decides
from crawler.core.titles import is_report_title as is_report_title  # noqa: PLC0414 - re-exported
from crawler.core.titles import report_year as report_year  # noqa: PLC0414 - re-exported

# columns (list pages) that lead to reports
_COLUMN_WORDS = re.compile(
    r"信息公开|政务公开|公开年报|年度报告|年报|工作报告|zfxxgk|xxgk|zwgk|gknb|xxgknb|zfxxgknb|ndbg|nb(?:_|/|\b)|gkml|gkmlpt"
)
_COLUMN_SLUG = re.compile(r"(?:zfxxgk|xxgk|zwgk|gknb|xxgknb|zfxxgknb|ndbg|bmnb|gkml|gkmlpt|/col/col\d+)", re.IGNORECASE)
ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".rtf", ".ofd")
_NEXT_WORDS = ("下一页", "下页", "后一页", "next", ">", "›", "»")


_ARTICLE = re.compile(
    r"(?:^t\d{8}_\w+|^art_\d+_\d+|^post_\d+|^content_\d+|^\d{6,}|^[0-9a-f]{32}|^i\d+|show|detail|content)[^/]*$", re.IGNORECASE
)


def is_article_url(url: str) -> bool:
    """An article (a notice, a report page), as CMSs name them, not a list."""
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return bool(last) and not last.startswith("index") and _ARTICLE.search(last) is not None


def is_column_link(text: str, url: str) -> bool:
    """A link to a disclosure column or an annual-report list worth following.

    Articles under a column's folder (…/zfxxgknb/202301/t20230116_1.html) are
    not columns: they are followed only when their title names a report.
    """
    if is_article_url(url):
        return False
    words = normalize_text(text)
    if _COLUMN_WORDS.search(words) and len(words) <= 20:
        return True
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return bool(_COLUMN_SLUG.search(path)) and (not last or last.startswith("index") or "/col/col" in path)


def is_attachment(url: str, text: str = "") -> bool:
    """A document file: by the URL's path, a query parameter naming the file, or the link's text.

    Download servlets name the file in the query (Hanweb ``/module/download/downfile.jsp?classid=0&filename=….pdf``).
    """
    parts = urlsplit(url)
    if parts.path.lower().endswith(ATTACHMENT_EXT):
        return True
    if parts.query and any(v.strip().lower().endswith(ATTACHMENT_EXT) for _, v in parse_qsl(parts.query)):
        return True
    return normalize_text(text).lower().endswith(ATTACHMENT_EXT)


def is_next_link(text: str) -> bool:
    t = normalize_text(text).strip().lower()
    return t in _NEXT_WORDS or t.startswith(("下一页", "下页"))


# two template forms: createPageHTML(count, current, "index", "html") with pages index_1 … index_{count-1};
# createPageHTML('page_div', count, current, 'list', 'shtml', records) with pages list_2 … list_{count}
_CONTAINER_FIRST = re.compile(r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*['\"]?(\d+)")
_PAGE_WORDS = re.compile(r"(?:首页|尾页|末页|最后一页|上一页|上页|前一页|第?\d{1,4}页?|\[\d{1,4}\])")


def is_page_link(text: str) -> bool:
    """A pager's other links ("1 2 3 … 尾页"): pages of the same list, like its next link."""
    return is_next_link(text) or _PAGE_WORDS.fullmatch(normalize_text(text).strip()) is not None


_COUNT_PAGE = re.compile(r"countPage\s*=\s*(\d+)|createPageHTML\(\s*['\"]?(\d+)")
_PAGE_NAME = re.compile(r"createPageHTML\([^)]*?['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]\s*(?:,\s*\d+\s*)?\)")


def trs_pages(page_url: str, html: str) -> list[str]:
    """The other pages of a TRS/WCM list, from its ``createPageHTML``/``countPage`` script.

    >>> trs_pages("http://x.gov.cn/a/index.html", 'var countPage = 3;createPageHTML(countPage, 0, "index", "html");')
    ['http://x.gov.cn/a/index_1.html', 'http://x.gov.cn/a/index_2.html']
    """
    found = trs_pagination(html)
    if found is None:
        return []
    count, name, ext = found
    first = 2 if _CONTAINER_FIRST.search(html) else 1  # the container form counts its pages from 1
    return [urljoin(page_url, f"{name}_{i}.{ext}") for i in range(first, min(count, 5000) + first - 1)]


def trs_pagination(html: str) -> tuple[int, str, str] | None:
    """(page count, file name, extension) from a TRS list's script, or None."""
    counts = [int(a or b) for a, b in _COUNT_PAGE.findall(html)] + [int(n) for n in _CONTAINER_FIRST.findall(html)]
    if not counts:
        return None
    m = _PAGE_NAME.search(html)
    return max(counts), (m.group(1) if m else "index"), (m.group(2) if m else "html")


def same_column(page_url: str, candidate: str) -> bool:
    """Pagination stays in the list's own folder (index_N of another column bleeds in)."""
    a, b = urlsplit(page_url), urlsplit(candidate)
    return a.netloc == b.netloc and a.path.rsplit("/", 1)[0] == b.path.rsplit("/", 1)[0]


def in_scope(url: str, hosts: set[str]) -> bool:
    """Only the portal's own hosts (host and port): never an off-site link."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and parts.netloc.lower() in hosts


def page_title(root: Any) -> str:
    """A page's title: the 政府网站 ``ArticleTitle`` meta, else <title> (site name cut), else <h1>."""
    if not hasattr(root, "iter"):
        return ""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle" and (meta.get("content") or "").strip():
            return str(meta.get("content")).strip()
    for tag in ("title", "h1"):
        for el in root.iter(tag):
            text = " ".join(el.text_content().split())
            if text:
                # "<report title>_<site name>"
                return re.split(r"\s*[_|｜]\s*|\s+-\s+", text)[0]
    return ""


@functools.lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """The one form of a URL that requests, items, records and WARCs carry.

    w3lib's ``safe_url_string`` (percent-encoding of spaces and Chinese, ``\\`` read as ``/``
    as browsers do), without the ``#fragment``: a fragment never reaches the server, so two
    links differing only in it are one document. Raises ValueError for a URL no client could
    request (``http://[::1/x``). The rebuild must key documents by this form too.

    >>> canonical_url("http://x.gov.cn/年报 2022.html#top")
    'http://x.gov.cn/%E5%B9%B4%E6%8A%A5%202022.html'
    """
    # cached: the navigation, footer and column links repeat on every page of a portal; a few
    # thousand entries hold them, a bigger cache only grows with the crawl's one-off report links
    return str(safe_url_string(urldefrag(url)[0]))


def resolve_link(base_url: str, href: str) -> str:
    r"""``href`` made absolute against ``base_url`` and canonical; ValueError for a malformed link.

    Backslashes are path separators in http(s) links, as browsers read them, before the
    join: ``..\files\a.pdf`` climbs a folder like ``../files/a.pdf``.

    >>> resolve_link("http://x.gov.cn/xxgk/index.html", "..\\files\\a.pdf")
    'http://x.gov.cn/files/a.pdf'
    """
    href = href.strip()
    if "\\" in href and urlsplit(urljoin(base_url, href.replace("\\", "/"))).scheme in {"http", "https"}:
        href = href.replace("\\", "/")
    return canonical_url(urljoin(base_url, href))


def checked_links(root: Any, base_url: str, skip: Container[str] = ()) -> Iterator[tuple[str, str, str | None]]:
    """(URL, link text, None) for every usable link; (raw href, text, reason) for a malformed one.

    One bad link never costs the page its other links: each is resolved on its own. Links
    to URLs in ``skip`` (followed already) are left out before their text is read.
    """
    if not hasattr(root, "iter"):
        return
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        try:
            url, error = resolve_link(base_url, href), None
        except ValueError as exc:
            url, error = href, f"malformed link: {exc}"
        if error is None and url in skip:
            continue
        text = " ".join(a.text_content().split())
        title = " ".join((a.get("title") or "").split())
        # lists truncate long titles ("…2022年政府信息…"), the ellipsis often taking the place of the cut text
        stem = text.rstrip("…. ")
        if len(title) > len(text) or (stem != text and stem and title.startswith(stem)):
            text = title
        yield url, text, error


def page_links(root: Any, base_url: str) -> Iterator[tuple[str, str]]:
    """(canonical absolute URL, link text) of every usable link; lxml directly, a list page may hold thousands."""
    for url, text, error in checked_links(root, base_url):
        if error is None:
            yield url, text


# Report tables published as pictures (domain-notes: obstacles). The rule: on a report page,
# every <img> outside the site chrome is a candidate, unless its own attributes say it is an
# icon, a logo or a QR code, or its declared size is too small to hold a table. Alt text and
# file names are not required: portals name pictures 1.png or W020230118….jpg and leave alt
# empty, and a picture that holds no table only costs one OCR pass (its parse adds nothing).
_CHROME_BLOCK = re.compile(
    r"(?:^|[\s_-])(?:head(?:er)?|nav(?:bar)?|menu|foot(?:er)?|sidebar|aside|crumbs?|breadcrumbs?|share|"
    r"banner|logo|qr|qrcode|ewm|erweima|jiucuo|wza)(?:$|[\s_-])",
    re.IGNORECASE,
)
_ICON_WORDS = re.compile(
    r"logo|icon|ico_|qr|ewm|erweima|二维码|banner|share|jiucuo|纠错|button|btn|arrow|bullet|spacer|blank|loading|print|打印|"
    r"close|关闭|weixin|weibo|wechat|微信|微博|gaba|beian|备案|conac|dzjg|党政机关"
)
_CHROME_TAGS = {"header", "nav", "footer", "aside", "button", "form"}
MIN_PICTURE_SIDE = 120  # px: below this a declared width or height holds no readable table
MAX_PAGE_PICTURES = 30  # a page of more pictures is a gallery, not a report: read the first ones only


def _declared_px(value: str | None) -> int | None:
    m = re.fullmatch(r"\s*(\d+)\s*(?:px)?\s*", value or "")
    return int(m.group(1)) if m else None


def _in_chrome(img: Any) -> bool:
    for el in img.iterancestors():
        if el.tag in _CHROME_TAGS:
            return True
        if _CHROME_BLOCK.search(f"{el.get('id') or ''} {el.get('class') or ''}"):
            return True
    return False


def is_table_picture(img: Any) -> bool:
    """An <img> of a report page that may hold a report table (not chrome, not an icon, not tiny)."""
    src = (img.get("src") or "").strip()
    if not src or src.lower().startswith(("data:", "javascript:")):
        return False  # inline pictures are in the page's own bytes already; no fetch to make
    own = " ".join(img.get(a) or "" for a in ("src", "alt", "title", "class", "id"))
    if _ICON_WORDS.search(own.lower()):
        return False
    sides = [_declared_px(img.get(a)) for a in ("width", "height")]
    if any(s is not None and s < MIN_PICTURE_SIDE for s in sides):
        return False
    return not _in_chrome(img)


def page_pictures(root: Any, base_url: str) -> list[str]:
    """Canonical URLs of a report page's table-picture candidates, in page order, each once."""
    if not hasattr(root, "iter"):
        return []
    found: list[str] = []
    for img in root.iter("img"):
        if not is_table_picture(img):
            continue
        try:
            url = resolve_link(base_url, img.get("src") or "")
        except ValueError:
            continue  # a malformed src is one lost picture, not a lost page
        if urlsplit(url).scheme in {"http", "https"} and url != base_url and url not in found:
            found.append(url)
        if len(found) >= MAX_PAGE_PICTURES:
            break
    return found

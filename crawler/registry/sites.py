"""What a government portal's page says about itself and the sites it lists (pure functions, no I/O).

* :func:`page_facts` -- the page title, the organ it names, the 政府网站标识码 (site ID, 10
  characters, from the footer or the ``SiteIDCode`` meta) and the ICP record.
* :func:`site_list_links` -- the portal's own lists of other government sites: ``<select>`` jump
  boxes (政府网站 / 部门网站 / 区县网站 …) and link blocks under such a heading, footers included.
* :func:`site_key` / :func:`canonical_root` -- one key per site whatever the link's spelling:
  http or https, ``www.`` or not, the Big5 mirror ``/gate/big5/<host>/…`` of the same site.
* :func:`host_kind` -- ``gov`` (a ``.gov.cn`` host), ``ip`` (an address: a government IP only
  if the site proves it with a site ID and an organ's name) or ``other`` (never a government
  site, whatever it copies: SEO-spam clones copy whole pages, footers included).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

# the footer label varies: 政府网站标识码, 网站标识码, 网站识别码; the code is 10 letters/digits (bm + 8 digits for departments)
_SITE_ID = re.compile(r"(?:政府)?网站(?:标识|识别)码\s*[:：]?\s*([0-9A-Za-z]{10})(?![0-9A-Za-z])")
_ICP = re.compile(r"([\u4e00-\u9fff]ICP备\s*\d{6,10}号(?:-\d+)?)")
# headings of a portal's site lists
_LIST_HEADING = re.compile(
    r"政府网站|网站群|部门网站|区县网站|县区网站|市县网站|地方政府|各地政府|省级政府|市级政府|国务院部门|部门链接|政府链接|相关网站|网站导航"
)
_ORGAN = re.compile(r"[\u4e00-\u9fff]{2,30}?(?:人民政府(?:办公厅|办公室)?|政府|委员会|管理局|局|厅|办公室|办|委|院|署|部)")
_SPLIT_TITLE = re.compile(r"\s*(?:[_|｜\-—–·]+)\s*")
_BIG5 = re.compile(r"^/gate/big5/([^/]+)(/.*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PageFacts:
    title: str
    organ: str | None
    site_id: str | None
    icp: str | None


@dataclass(frozen=True)
class ListedLink:
    url: str
    text: str
    heading: str  # the list it was found in (the select's first option, the block's heading)


def parse_html(html: str) -> etree._Element | None:
    try:
        return lxml.html.fromstring(html) if html.strip() else None
    except (etree.ParserError, ValueError):
        return None


def page_facts(html: str) -> PageFacts:
    tree = parse_html(html)
    if tree is None:
        return PageFacts("", None, None, None)
    title = " ".join("".join(tree.xpath("//title//text()")).split())
    text = " ".join(" ".join(tree.xpath("//body//text()")).split())
    meta_id = tree.xpath("string(//meta[translate(@name,'siteidcode','SITEIDCODE')='SITEIDCODE']/@content)").strip()
    found = _SITE_ID.search(text)
    site_id = found.group(1) if found else (meta_id if re.fullmatch(r"[0-9A-Za-z]{10}", meta_id) else None)
    icp = _ICP.search(text)
    return PageFacts(title, organ_name(title), site_id, icp.group(1).replace(" ", "") if icp else None)


def organ_name(title: str) -> str | None:
    """The organ a portal title names: the part of ``首页_淮安市人民政府`` that is an organ."""
    for part in _SPLIT_TITLE.split(title.strip()):
        m = _ORGAN.fullmatch(part.strip())
        if m:
            return m.group(0)
    for part in _SPLIT_TITLE.split(title.strip()):
        m = _ORGAN.search(part)
        if m and not part.startswith(("首页", "网站")):
            return m.group(0)
    return None


def site_list_links(html: str, base_url: str) -> list[ListedLink]:
    """Links to other sites in the page's site lists, in page order, each once."""
    tree = parse_html(html)
    if tree is None:
        return []
    found: dict[str, ListedLink] = {}
    base_key = site_key(base_url)

    def add(href: str | None, text: str, heading: str) -> None:
        if not href:
            return
        href = href.strip()
        if href.lower().startswith(("javascript:", "mailto:", "#")):
            return
        try:
            url = urljoin(base_url, href)
            parts = urlsplit(url)
        except ValueError:
            return
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return
        if site_key(url) == base_key and not _BIG5.match(parts.path):
            return  # a page of this site, not another site
        found.setdefault(url, ListedLink(url, " ".join(text.split()), heading))

    for select in tree.iter("select"):
        options = select.findall(".//option")
        heading = " ".join((options[0].text_content() if options else "").split())
        label = select.get("title") or select.get("aria-label") or select.get("name") or ""
        for option in options:
            value = option.get("value") or ""
            if re.match(r"https?://", value.strip(), re.IGNORECASE):
                add(value, option.text_content(), heading or label)
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag in ("select", "option", "script", "style", "a"):
            continue
        own = " ".join((node.text or "").split())
        if not own or len(own) > 24 or not _LIST_HEADING.search(own):
            continue
        block = node.getparent()
        # the heading's block: its parent, or the next sibling list under a heading element
        candidates = [node, block] if block is not None else [node]
        sibling = node.getnext()
        if sibling is not None:
            candidates.insert(0, sibling)
        for container in candidates:
            links = container.xpath(".//a[@href]")
            if links:
                for a in links:
                    add(a.get("href"), a.text_content(), own)
                break
    return list(found.values())


def unmirror(url: str) -> str:
    """The URL a Big5 mirror (``/gate/big5/<host>/<path>``) stands for; other URLs unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    m = _BIG5.match(parts.path)
    if not m:
        return url
    return f"{parts.scheme}://{m.group(1)}{m.group(2) or '/'}"


def site_key(url: str) -> str:
    """``host[:port]`` without ``www.``, lower case, after undoing a Big5 mirror: one key per site."""
    try:
        parts = urlsplit(unmirror(url.strip()))
        host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
        port = parts.port
    except ValueError:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if port in (None, default) else f"{host}:{port}"


def canonical_root(url: str) -> str:
    """The site's root as a registry URL: scheme and host as linked (Big5 mirror undone), path ``/``."""
    parts = urlsplit(unmirror(url.strip()))
    return f"{parts.scheme}://{parts.netloc}/"


def host_kind(url: str) -> str:
    """``gov`` for a .gov.cn host, ``ip`` for an address, ``other`` for anything else."""
    try:
        host = (urlsplit(unmirror(url)).hostname or "").lower().rstrip(".")
    except ValueError:
        return "other"
    if host == "gov.cn" or host.endswith(".gov.cn"):
        return "gov"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "other"
    return "ip"

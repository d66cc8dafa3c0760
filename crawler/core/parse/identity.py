"""What the report is: title, agency, year reported on, publication date, region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.core.normalize import normalize_text
from crawler.core.parse.agency import LABEL_ONLY, find_agency, strip_label
from crawler.core.parse.region import infer_region
from crawler.core.titles import REPORT_WORDS as _REPORT_WORDS
from crawler.core.titles import YEAR as _YEAR

_TEXT_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\d{1,2}月\d{1,2}日起)(?!修订|修正|颁布|施行|印发|出台|制定)")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_SITE_SUFFIX = re.compile(r"\s*[-_|｜—–]+\s*[^-_|｜—–]*(?:网|门户|政府网站|首页|人民政府|政府)[^-_|｜—–]*$")


@dataclass
class Identity:
    title: str
    agency: str | None
    year: int | None
    published_date: str | None
    region: dict[str, str | None]


def find_identity(
    paragraphs: list[str], meta_title: str | None, meta_date: str | None, max_year: int, publisher: str | None = None
) -> Identity:
    """Identity fields from the metadata and the opening and closing lines."""
    title = _title(paragraphs, meta_title)
    year = _year(title, paragraphs, max_year)
    agency = find_agency(title, paragraphs, publisher)
    published = _date(normalize_text(meta_date)) if meta_date else None
    if published and year and published < f"{year}-12-01":
        published = None  # before the reported year ended: not when the report was published
    if published is None:
        published = _signature_date(paragraphs, year)
    region = infer_region([agency or "", title, *paragraphs[:6]])
    return Identity(title=title, agency=agency, year=year, published_date=published, region=region)


def _title(paragraphs: list[str], meta_title: str | None) -> str:
    meta = strip_label(normalize_text(meta_title or ""))
    if meta:
        parts = [p for p in re.split(r"\s*[_|｜]\s*|\s+[-—]+\s+", meta) if _REPORT_WORDS.search(p)]
        meta = _SITE_SUFFIX.sub("", parts[0] if parts else meta)
    # label lines of text dumps ("正文", "标题：") are not part of a title wrapped over lines
    head = [strip_label(p) for p in paragraphs[:12] if not LABEL_ONLY.match(p)]
    for i in range(len(head)):
        # a title may be wrapped over up to three short lines
        for j in range(i, min(i + 3, len(head))):
            text = "".join(head[i : j + 1])
            if len(text) > 60 or "。" in text:
                break
            if _REPORT_WORDS.search(text) and (_YEAR.search(text) or "年度报告" in text):
                if (
                    meta
                    and _REPORT_WORDS.search(meta)
                    and len(meta) > len(text)
                    and not meta.startswith(text)
                    and _same_report(meta, text)
                ):
                    return meta  # the page's metadata names the report more fully than its body
                return text
    if meta:
        return meta
    return head[0][:60] if head else ""


def _same_report(a: str, b: str) -> bool:
    ya, yb = _YEAR.search(a), _YEAR.search(b)
    return ya is None or yb is None or ya.group(1) == yb.group(1)


def _year(title: str, paragraphs: list[str], max_year: int) -> int | None:
    m = _YEAR.search(title)
    if m and 2000 <= int(m.group(1)) <= max_year:
        return int(m.group(1))
    text = "".join(paragraphs[:40])
    span = re.search(r"自((?:19|20)\d{2})年1月1日起?至\s*((?:19|20)\d{2})年12月31日", text)
    if span:
        return int(span.group(2))
    # "根据2019年修订的《条例》" names the law, not the year reported on
    years = [int(y) for y in _TEXT_YEAR.findall(text) if 2000 <= int(y) <= max_year]
    if years:
        # the first year the text talks about, as in "2020年，我局…"
        return years[0]
    return None


def _date(text: str) -> str | None:
    m = _DATE.search(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _signature_date(paragraphs: list[str], year: int | None) -> str | None:
    """The date under the signature: a line that is only a date, near the end."""
    for line in reversed(paragraphs[-6:]):
        stripped = line.strip()
        # the date alone, or the signature and its date run into one line
        end = re.search(r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)$", stripped)
        if end and len(stripped) <= 40:
            stripped = end.group(1)
        if len(stripped) <= 16 and _DATE.fullmatch(stripped):
            date = _date(stripped)
            if date and (year is None or int(date[:4]) >= year):
                return date
    for line in paragraphs[:8]:
        m = re.search(r"(?:发布|公开|成文|印发)(?:时间|日期)[:：]\s*(.{8,20})", line)
        if m:
            return _date(m.group(1))
    return None

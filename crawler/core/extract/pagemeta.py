"""The label–value lines portals and archivers print around an article: 标题：…, 发布时间：…, 来源：….

A portal's article page heads its body with a line such as
``发布时间：2017-01-19 10:50:54  来源：县政府办  浏览次数：55``, or a metadata
table (索引号 / 发布机构 / 发布日期 / 文号); a web archiver's text dump heads it
with ``标题：…`` / ``发布时间：…`` / ``原文链接：…``. These lines describe the page,
not the report: the extractors read the title, the date and the publisher out
of them and leave them out of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# label → what it tells; the longest labels first so 发布日期 wins over 日期
_FIELDS = {
    "title": ("文章标题", "信息标题", "标题", "题名", "名称", "题目"),
    "date": (
        "发布日期",
        "发布时间",
        "成文日期",
        "公开日期",
        "公开时间",
        "印发日期",
        "发文日期",
        "生成日期",
        "上网日期",
        "日期",
        "时间",
    ),
    "publisher": ("发布机构", "发文机关", "发文单位", "发布单位", "公开主体", "发布部门", "公开机构", "制发机关"),
    "source": ("信息来源", "文章来源", "稿件来源", "来源"),
    "capture": (
        "采集时间",
        "抓取时间",
        "保存时间",
        "存档时间",
        "归档时间",
        "快照时间",
        "访问时间",
        "下载时间",
        "收录时间",
        "更新时间",
    ),
    "number": ("发文字号", "文号"),
    "other": (
        "原文链接",
        "原文地址",
        "原文网址",
        "原始链接",
        "链接",
        "网址",
        "URL",
        "索引号",
        "主题分类",
        "分类",
        "主题词",
        "关键词",
        "有效性",
        "时效",
        "作者",
        "责任编辑",
        "编辑",
        "点击数",
        "点击量",
        "点击率",
        "浏览次数",
        "浏览量",
        "阅读次数",
        "阅读量",
        "访问量",
        "访问次数",
        "字号",
        "字体",
    ),
}
_LABEL_FIELD = {label: name for name, labels in _FIELDS.items() for label in labels}
_LABEL = "|".join(sorted(map(re.escape, _LABEL_FIELD), key=len, reverse=True))
# a label then its colon (a space may stand in for it when a value follows)
_PAIR = re.compile(rf"[【\[（(]?\s*({_LABEL})\s*[】\]）)]?\s*[:：]\s*", re.IGNORECASE)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
# a page clock: the date the page was viewed, printed with its weekday
CLOCK = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*)?(?:星期|礼拜|周)[一二三四五六日天]"
)
_DATE_LABEL_RANK = {label: i for i, label in enumerate(_FIELDS["date"])}


@dataclass
class PageMeta:
    """What the page's metadata lines said about the article."""

    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    # rank of the label the date came from (0 = 发布日期 … ; 99 = a bare date in a 来源 line)
    date_rank: int = 100

    def add(self, pairs: list[tuple[str, str]]) -> None:
        for label, value in pairs:
            field = _LABEL_FIELD.get(label, _LABEL_FIELD.get(label.upper(), "other"))
            if field == "title" and value and self.title is None:
                self.title = value
            elif field in {"date", "source"}:
                rank = _DATE_LABEL_RANK.get(label, 99)
                date = article_date(value)
                if date and rank < self.date_rank:
                    self.date, self.date_rank = date, rank
                if field == "source" and value and not date and self.publisher is None and len(value) <= 30:
                    self.publisher = value
            elif field == "publisher" and value:
                self.publisher = value


def meta_pairs(line: str) -> list[tuple[str, str]] | None:
    """The (label, value) pairs of a line made only of them, else None.

    >>> meta_pairs("发布时间：2017-01-19 10:50:54  来源：县政府办")
    [('发布时间', '2017-01-19 10:50:54'), ('来源', '县政府办')]
    >>> meta_pairs("时间：一年来，我局主动公开信息。") is None
    True
    """
    text = line.strip()
    starts = list(_PAIR.finditer(text))
    if not starts or starts[0].start() != 0 or len(text) > 160:
        return None
    pairs = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        value = text[m.end() : end].strip(" \u3000|｜丨/【】[]")
        if "。" in value:
            return None  # a sentence: the report's own text, not page metadata
        pairs.append((m.group(1), value))
    return pairs


def article_date(value: str) -> str | None:
    """The first date in a value as YYYY-MM-DD, never a page clock (a date with its weekday)."""
    for m in _DATE.finditer(value):
        if CLOCK.match(value, m.start()):
            continue
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def table_pairs(rows: list[list[str]]) -> list[tuple[str, str]] | None:
    """A page's metadata table (索引号 | … | 发布机构 | … ) as pairs, or None for any other table."""
    pairs: list[tuple[str, str]] = []
    for row in rows:
        cells = [c.strip() for c in row if c.strip()]
        i = 0
        while i < len(cells):
            inline = meta_pairs(cells[i])
            if inline and inline[-1][1]:
                pairs.extend(inline)
                i += 1
                continue
            label = cells[i].strip(" ：:")
            if label in _LABEL_FIELD:
                nxt = cells[i + 1] if i + 1 < len(cells) else ""
                value = "" if nxt.strip(" ：:") in _LABEL_FIELD else nxt
                pairs.append((label, value))
                i += 2 if value else 1
                continue
            return None  # a cell that is neither a label nor a label's value
    return pairs if len(pairs) >= 2 else None

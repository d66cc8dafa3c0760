"""Page furniture around a report: counters, share bars, font switches, prev/next links, footers.

Portals print 点击数 / 分享到 / 打印本页 / 关闭窗口 / 【字体：大 中 小】 / 上一篇 / 扫一扫…
/ 网站地图 / 主办单位 … ICP备 around the article, often inside the very container
that holds it, and archivers flatten all of it into their text dumps. None of it
is the report: :func:`strip_page` drops it from the blocks (reading the page's
metadata lines on the way, see :mod:`crawler.core.extract.pagemeta`), so ``text`` and
``sections`` hold the report only.
"""

from __future__ import annotations

import re

from crawler.core.document import Block, Table
from crawler.core.extract.pagemeta import CLOCK, PageMeta, meta_pairs, table_pairs

# pieces of furniture that may share one line: a line made only of them is furniture
_TOKENS = re.compile(
    r"(?:点击数|点击量|点击率|浏览次数|浏览量|阅读次数|阅读量|访问量|访问次数|浏览)\s*[:：]?\s*\d*\s*次?"
    r"|(?:[【\[]\s*)?(?:字体|字号)\s*[:：]?\s*(?:[【\[]?\s*(?:大|中|小|默认|超大|标准)\s*[】\]]?\s*){2,4}(?:\s*[】\]])?"
    r"|分享到\s*[:：]?|(?:新浪|腾讯)?微博|微信(?:好友|朋友圈)?|朋友圈|QQ空间|QQ好友|QQ|人人网|豆瓣"
    r"|打印本页|打印此页|打印文章|打印正文|打印|关闭窗口|关闭本页|关闭|返回顶部|回到顶部|返回列表|返回|收藏本页|加入收藏|收藏"
    r"|设为首页|保存本页|我要纠错|纠错|复制链接|视力保护色|(?:[【\[]\s*)?[大中小]\s*[】\]]"
    r"|扫一扫在手机(?:上)?(?:打开|查看|浏览)(?:当前|本|此)页(?:面)?|(?:用)?手机扫描?(?:二维码|此码|本页)|扫一扫|分享"
    r"|网站地图|联系我们|网站声明|关于我们|隐私(?:声明|政策)|使用帮助|网站导航|无障碍(?:浏览|阅读)?|长者模式|适老化|English",
    re.IGNORECASE,
)
_FILLER = re.compile(r"[\s|｜丨/\\【】\[\]()（）:：>»·•,，、\-—_]*")
# whole lines of furniture whatever follows the marker: prev/next titles, breadcrumbs
_LINE_START = re.compile(
    r"^\s*[【\[]?\s*(?:上一篇|下一篇|上一条|下一条|上一页|下一页|上篇|下篇|当前位置|您现在的位置|您的位置|所在位置|首页\s*[>»›/])"
)
# footer markers: once one appears after the report, the rest of the page is footer
_FOOTER = re.compile(
    r"(?:主办|承办|协办)(?:单位)?\s*[:：]|ICP\s*备|ICP证|公网安备|网站标识码|版权所有|Copyright|©|技术支持\s*[:：]"
    r"|建议使用.{0,20}(?:浏览器|分辨率)|运维单位|维护单位",
    re.IGNORECASE,
)
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.，]")


def is_chrome(line: str) -> bool:
    """A line that is page furniture only."""
    text = line.strip()
    if not text:
        return False
    if len(text) <= 120 and (_LINE_START.search(text) or (_FOOTER.search(text) and "。" not in text)):
        return True  # (a sentence of the report may mention a 主办单位 or an ICP备案)
    if len(text) <= 40 and CLOCK.search(text) and "。" not in text:
        return True  # "今天是2025年12月30日 星期二": when the page was viewed
    rest = _TOKENS.sub("", text) if len(text) <= 200 else text
    return rest != text and not _FILLER.sub("", rest)


def strip_page(blocks: list[Block]) -> tuple[list[Block], PageMeta]:
    """The blocks without page furniture, and what the page's metadata lines said.

    Metadata lines and tables are taken from before and after the report's body only
    (a report's own "时间：…" line stays); furniture lines go wherever they are.
    """
    meta = PageMeta()
    first, last = _body_span(blocks)
    out: list[Block] = []
    for i, block in enumerate(blocks):
        outside = i < first or i > last
        if isinstance(block, Table):
            pairs = table_pairs(block.rows) if outside else None
            if pairs:
                meta.add(pairs)
            elif not (outside and _chrome_table(block)):
                out.append(block)
            continue
        if outside:
            pairs = meta_pairs(block)
            if pairs:
                meta.add(pairs)
                continue
            if i > last and _FOOTER.search(block):
                break  # the footer: addresses, phone numbers, licences follow
        if not is_chrome(block):
            out.append(block)
    return out, meta


def _body_span(blocks: list[Block]) -> tuple[int, int]:
    """Indexes of the first and last block of the report itself (tables, sentences, numbered parts)."""
    body = [i for i, b in enumerate(blocks) if _is_body(b)]
    return (body[0], body[-1]) if body else (len(blocks), -1)


def _is_body(block: Block) -> bool:
    if isinstance(block, Table):
        return table_pairs(block.rows) is None and not _chrome_table(block)
    text = block.strip()
    if is_chrome(text) or meta_pairs(text):
        return False
    return bool(_SECTION.match(text)) or ("。" in text and len(text) >= 20) or len(text) >= 80


def _chrome_table(table: Table) -> bool:
    cells = [c for row in table.rows for c in row if c.strip()]
    return bool(cells) and all(is_chrome(c) for c in cells)

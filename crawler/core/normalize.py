"""Text normalisation shared by every format: one canonical form for the parser.

* traditional → simplified (OpenCC ``t2s``);
* pinyin annotations some converters insert after characters removed
  (``政務(wù)`` → ``政务``);
* full-width digits, letters and spaces → ASCII; ASCII brackets, commas and
  colons next to Chinese text → their full-width forms;
* whitespace inside Chinese text and between Chinese and digits removed
  (``2021 年`` → ``2021年``, ``结 果 维 持`` → ``结果维持``);
* lines wrapped mid-sentence joined (:func:`join_wrapped_lines`).
"""

from __future__ import annotations

import functools
import re
import statistics

import opencc

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese punctuation and full-width forms that never take a space around them.
_CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
_TIGHT = f"{_CJK}{_CJK_PUNCT}"

_PINYIN = re.compile(rf"(?<=[{_CJK}])[(（]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{{1,6}})[)）]")
# Debris left when a converter's annotation lost its opening bracket: 總?cè)人
_PINYIN_DEBRIS = re.compile(rf"(?<=[{_CJK}])[?\ufffd]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{{1,6}})\)")
_STRAY_QMARK = re.compile(rf"(?:^[?\ufffd]+(?=[{_CJK}\d])|(?<=[{_CJK}])[?\ufffd]+$)", re.MULTILINE)
_SPACE_TIGHT = re.compile(rf"(?<=[{_TIGHT}])[ \t\u00a0\u3000]+(?=[{_TIGHT}\d])|(?<=[{_TIGHT}\d])[ \t\u00a0\u3000]+(?=[{_TIGHT}])")
# "12 3" inside Chinese text is two numbers; only join digit runs split next to CJK
_EXTRACT_NOISE = re.compile(r"\[(?:bookmark|image): [^\]]{0,1000}\]")  # bounded: an unclosed "[image: " must not scan to the end
# A bracket pair goes full-width when it follows Chinese or holds Chinese: the pair is matched
# once and the condition tested in code, as a pattern that looked for the Chinese inside the
# pair backtracked quadratically over a long unclosed "(".
_PAIR = re.compile(r"\(([^()]*)\)")
_HAS_CJK = re.compile(f"[{_CJK}]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_HALF_TO_FULL = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"}
_ASCII_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[(),:;]|[(),:;](?=[{_CJK}])")
_FULLWIDTH: dict[int, int | None] = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # digits
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # A-Z
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # a-z
_FULLWIDTH.update({0xFF0E: ord("."), 0xFF0B: ord("+"), 0xFF0D: ord("-"), 0xFF05: ord("%")})
_FULLWIDTH.update({0x3000: ord(" "), 0x00A0: ord(" "), 0x200B: None, 0xFEFF: None})


_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DATE = re.compile(
    r"([〇○零Ｏ一二三四五六七八九]{4})年(?:([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})日)?)?"
)


def chinese_number(text: str) -> int | None:
    """一 … 九十九 as a number; None for anything else.

    >>> chinese_number("三"), chinese_number("十二"), chinese_number("二十"), chinese_number("一二")
    (3, 12, 20, None)
    """
    tens, sep, ones = text.partition("十")
    try:
        if not sep:
            return _CN_DIGIT[text] if len(text) == 1 else None
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    except KeyError:
        return None


def _cn_date(m: re.Match[str]) -> str:
    year = "".join(str(_CN_DIGIT[c]) for c in m.group(1))
    out = f"{year}年"
    if m.group(2):
        out += f"{chinese_number(m.group(2))}月"
        if m.group(3):
            out += f"{chinese_number(m.group(3))}日"
    return out


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese; simplified text passes through unchanged."""
    return str(_converter().convert(text))


# labels, units and link texts repeat; 16,384 strings hold a report's and a portal's (~7 MB at most)
@functools.lru_cache(maxsize=16384)
def normalize_text(text: str) -> str:
    """Normalise one string (a paragraph, a cell) to the parser's canonical form.

    >>> normalize_text("政務(wù)信息 2021 年 結 果 維 持（１２）")
    '政务信息2021年结果维持（12）'
    """
    if not text:
        return ""
    if text.isascii() and "[" not in text:
        return re.sub(r"\s+", " ", text).strip()  # numbers and latin text: nothing else applies
    text = _EXTRACT_NOISE.sub("", text)
    text = _PINYIN.sub("", text)
    text = _PINYIN_DEBRIS.sub("", text)
    text = text.translate(_FULLWIDTH)
    text = to_simplified(text)
    text = _STRAY_QMARK.sub("", text)
    text = _SPACE_TIGHT.sub("", text)
    text = _PAIR.sub(_full_width_pair, text)
    text = _CN_DATE.sub(_cn_date, text)  # 二〇二二年一月十八日 → 2022年1月18日
    text = _ASCII_PUNCT_NEAR_CJK.sub(lambda m: _HALF_TO_FULL[m.group(0)], text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _full_width_pair(m: re.Match[str]) -> str:
    start = m.start()
    after_cjk = start > 0 and _HAS_CJK.match(m.string, start - 1) is not None
    return f"（{m.group(1)}）" if after_cjk or _HAS_CJK.search(m.group(1)) else m.group(0)


def normalize_cell(text: str) -> str:
    """A table cell: lines inside the cell are one label, wrapped or vertical."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    parts: list[str] = []
    for line in lines:
        # keep a space only between two latin/number tokens ("1 136" stays for the value parser);
        # the previous line's last character is enough: searching the whole joined text was quadratic
        if parts and _ASCII_ALNUM.match(parts[-1][-1]) and _ASCII_ALNUM.match(line):
            parts.append(" ")
        parts.append(line)
    return normalize_text("".join(parts))


_SENTENCE_END = tuple('。！？；：!?;:）)》”"')
_LIST_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、，,.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?!\d)|"
    r"[一二三四五六七八九十]是|第[一二三四五六七八九十]+[条部章]|附[件表])"
)


_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")  # a signature's date


def join_wrapped_lines(lines: list[str]) -> list[str]:
    """Join lines that a page or a text dump wrapped mid-sentence.

    A line is joined to the next when it does not end a sentence, the next does
    not open a heading or list item, and the line is about as long as the
    document's full lines (a short line ends a paragraph or is a title).
    """
    lines = [ln for ln in (x.strip() for x in lines) if ln]
    if len(lines) < 2:
        return lines
    full = _full_line_length(lines)
    out: list[str] = []
    # The paragraph being built is kept as its pieces and its running width: re-measuring and
    # re-copying the joined string for every line made run-on text quadratic. A width is a sum
    # over characters, so the running sum equals the width of the joined string.
    parts = [lines[0]]
    width = _width(lines[0])
    for line in lines[1:]:
        if not parts[-1].endswith(_SENTENCE_END) and not _LIST_START.match(line) and width >= 0.8 * full:
            parts.append(line)
            width += _width(line)
        else:
            out.append("".join(parts))
            parts, width = [line], _width(line)
    out.append("".join(parts))
    return out


def _width(line: str) -> float:
    # Latin characters and digits take about half the width of a Chinese one.
    return len(line) - 0.5 * len(line.encode("ascii", "ignore"))


def _full_line_length(lines: list[str]) -> float:
    widths = sorted(_width(ln) for ln in lines if _width(ln) >= 8)
    if not widths:
        return float("inf")
    # The upper quartile: most lines of wrapped prose are full lines.
    return statistics.quantiles(widths, n=4)[2] if len(widths) >= 4 else widths[-1]

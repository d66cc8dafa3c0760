"""What a sentence of a report's narrative is about: its part of the report, its year, its subject.

The figure finder (:mod:`crawler.core.parse.figures`) reads numbers out of sentences;
this module decides whether a sentence speaks about the report's own year, which
part of the report it sits in (主动公开, 依申请公开 …) and whose number it gives
("区政府办公室共收到申请17件" counts one office, not the whole district).
"""

from __future__ import annotations

import re

from crawler.core.parse.sections import RUN_IN

# A part's heading: "三、依申请公开政府信息情况" or "（二）依申请公开情况。2016年，…"
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、，,.．]|第[一二三四五六七八九十]{1,3}部分\s*[、，,.．：:]?|[（(][一二三四五六七八九十]{1,3}[)）]\s*[、，,.．]?)\s*"
    r"(?P<head>[^。；;：:！!？?]{2,40})"
    # "一是主动公开情况。" opens a part in reports that number their parts that way
    r"|^\s*[一二三四五六七八九十]是(?P<head2>[^。；;，,：:]{2,20}?(?:情况|工作))[。：:]"
)
# Order matters: "因政府信息公开申请行政复议…" is about review, not about requests.
_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("review", re.compile(r"行政复议|行政诉讼")),
    ("fees", re.compile(r"收费|费用|处理费")),
    ("requests", re.compile(r"依申请|申请公开|公开申请|收到和处理|不予公开")),
    ("proactive", re.compile(r"主动公开")),
)


def heading_topic(paragraph: str) -> tuple[bool, str | None, str]:
    """(is it a part's heading, the topic it opens, the text after the heading).

    The topic is proactive / requests / review / fees or None. The text after the
    heading is what follows its full stop or colon ("（一）主动公开情况。2016年，…"),
    or the whole line when it is a numbered sentence rather than a title.
    """
    m = _HEADING.match(paragraph)
    if not m:
        return False, None, paragraph
    rest = paragraph[m.start("head") if m.group("head") else m.start("head2") :]
    split = re.match(r"^([^。；;：:]{2,40}?)[。；;：:](.*)$", rest) or RUN_IN.match(rest)
    head, body = (split.group(1), split.group(2).strip()) if split else (rest, rest)
    for topic, pattern in _TOPICS:
        if pattern.search(head):
            return True, topic, body
    return True, None, body


# Comparisons name another year without putting the fact in it ("比上年增加", "与2015年相比");
# 上年结转 / 结转下年度 are this year's rows of the requests table.
_NOT_A_TIME = re.compile(
    r"《[^》]*》"
    r"|(?:比|较|与|同|相比|相较于?|对比)(?:(?:19|20)\d{2}\s*年度?|上一?年度?|去年|前一年)(?:同期)?(?:相比|相较|比较|一样|持平|相同)?"
    r"|上一?年度?(?:未办结)?结转|结转(?:至|到)?下一?年度?"
)
_TIME = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年"
    r"|(?P<other>上一?年度?|去年|前一年|上个年度)"
    r"|(?P<this>今年|本年度?|全年|年内|当年)"
)


def sentence_years(text: str) -> list[int]:
    """The explicit years a text puts facts in (document titles and comparisons left out)."""
    return [int(m.group("year")) for m in _TIME.finditer(_NOT_A_TIME.sub(" ", text)) if m.group("year")]


def is_other_year(prefix: str, year: int | None, carried: int | None) -> bool:
    """True when the text before a figure puts it in a year other than the report's.

    The last time word before the figure decides ("2015年未收到…，2016年收到…");
    with none, the year a paragraph opened with (``carried``) does.
    """
    last: re.Match[str] | None = None
    for m in _TIME.finditer(_NOT_A_TIME.sub(lambda x: " " * len(x.group(0)), prefix)):
        last = m
    if last is None:
        return year is not None and carried is not None and carried != year
    if last.group("other"):
        return True
    if last.group("year"):
        return year is not None and int(last.group("year")) != year
    return False


# Who did the counting: the clause's subject before its verb, when it names an organ or an area.
_LEADING = re.compile(r"^(?:(?:19|20)\d{2}年度?|今年|本年度?|全年|年内|当年|截至[^，,]*|其中|同时|另外|此外|共|累计|依法)+")
_TRAILING = re.compile(r"(?:共计|共|累计|总共|一共|依法|依申请|全年|本年度?|年内|已|先后|总计)+$")
# where the subject ends: "我局被申请行政复议", "我区在政府网站平台主动公开"
_VERB = re.compile(r"被|收到|受理|接到|接收|新收|办理|处理|发生|出现|未|没有|在|通过|主动|全年|年内")
_ORGAN = re.compile(
    r"(?:局|委|委员会|办|办公室|政府|部门|机关|中心|院|厅|署|处|所|站|队|单位|全区|全县|全市|全省|全州|全旗|全镇|全乡|"
    r"县|区|市|省|州|镇|乡|街道|我局|我委|我办|我区|我县|我市|本机关|本单位|本部门)$"
)


def clause_subject(clause_before_verb: str) -> str | None:
    """The organ or area a clause's figure counts, as the text names it ("区政府办公室"), else None."""
    s = _LEADING.sub("", clause_before_verb.strip())
    s = _TRAILING.sub("", _VERB.split(s, maxsplit=1)[0])
    head = re.split(r"代表|作为|牵头", s)[0]
    if not 2 <= len(s) <= 24 or not _ORGAN.search(head) or re.search(r"[\d《》“”\"]", s):
        return None
    return s

"""Numbers the narrative states plainly ("主动公开政府信息183条"), each with its sentence.

Pre-2019 reports have no fixed tables, so these figures are their numbers; on
newer reports they are cross-checked against the tables (TX-* in checks.py).

A report's text states many numbers that look alike: 行政审批 applications next
to disclosure requests, one project list's postings next to the year's total,
last year's counts next to this year's. So every statement found is a candidate
with a score, other years' statements are dropped, and the best candidate of
each figure wins (the first one on a tie). Rows of an old 附表 统计表 are
candidates too (crawler/core/parse/appendix.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.core.document import Block, Table
from crawler.core.parse.appendix import appendix_figures, to_yuan
from crawler.core.parse.narrative import clause_subject, heading_topic, is_other_year, sentence_years

Value = int | float

_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_N = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]{1,3})"
_ARABIC = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_GAP = r"[^，,。；;：:\d]"
_JOIN = r"(?:共计|共|合计|总计|累计|总数|数量|件数|数|均为|均|都为|都是|都|各|为|是|达到|达)*"
_DISCLOSURE = re.compile(r"信息公开|依申请公开|申请公开|公开申请")
# applications a report may count that are not disclosure requests
_NOT_DISCLOSURE = re.compile(r"审批|许可|办件|政务服务|服务事项|信访|12345|热线|便民|复议|诉讼|投诉|举报|求助|来信|来访")
_NOT_DISCLOSURE_LOOSE = re.compile(_NOT_DISCLOSURE.pattern + r"|咨询|提案|建议")
_TOTAL = re.compile(r"共|合计|总计|累计|全年|全县|全区|全市|全省|全州|全旗|总数")
_CHANNEL = re.compile(
    r"项目|专栏|专题|领域|栏目|板块|清单|微博|微信|公众号|网站|门户|政务网|公报|报刊|报纸|电视|广播|公开栏|平台|客户端"
)
_DELTA = re.compile(r"增加|减少|增长|下降|上升|提高|降低|同比")
# a clause about how cases ended, not how many there were
_NOT_A_COUNT = re.compile(r"纠错|纠正|败诉|撤销|被改变|未经|审结|办结|结案")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_CLAUSE_END = re.compile(r"[，,：:]")
_BARE_NONE = re.compile(r"^\s*(?:本年度?|全年|今年)?[，,]?\s*(?:无|没有|未发生|均无|暂无)\s*[。.]?\s*$")


@dataclass(frozen=True)
class Pattern:
    """One way a report states a figure; ``fixed`` is the value of a stated "none"."""

    name: str
    regex: re.Pattern[str]
    fixed: Value | None = None
    # the same statement gives another figure too ("未发生行政复议和行政诉讼")
    also: tuple[str, ...] = ()


_PROACTIVE = re.compile(
    rf"(?:主动公开|主动发布|公开发布|发布|公开|公布|推送|报送)(?P<gap>{_GAP}{{0,30}}?)信息{_JOIN}\s*{_ARABIC}\s*条"
)
_REQUEST_VERB = r"(?:收到|受理|新收|接收|接到|办理|处理)"
PATTERNS: tuple[Pattern, ...] = (
    Pattern("proactive_items", _PROACTIVE),
    Pattern(
        "requests_received",
        re.compile(
            rf"(?:(?P<verb>{_REQUEST_VERB})(?P<gap>{_GAP}{{0,30}}?)申请(?:件|事项)?|依申请公开(?:政府信息)?(?:事项|件|申请)?"
            rf"|申请公开政府信息(?:的申请)?|信息公开申请){_JOIN}\s*{_N}\s*(?:件|个|条|份)"
        ),
    ),
    Pattern(
        "requests_received",
        re.compile(
            rf"(?:未|没有|未曾)(?:收到|受理|接到|接收|发生|出现){_GAP}{{0,24}}?"
            r"(?:政府信息公开申请|信息公开申请|依申请公开|申请公开|申请)"
        ),
        fixed=0,
    ),
    # "没有公民、法人或其他组织提出政府信息公开申请": without a verb only the full name of a request counts
    Pattern(
        "requests_received",
        re.compile(rf"(?:没有|无)(?!论|需|法|正当){_GAP}{{0,14}}?(?:政府信息公开申请|依申请公开(?:事项|件)|申请公开政府信息)"),
        fixed=0,
    ),
    Pattern("requests_carried_over", re.compile(rf"上一?年度?(?:未办结)?结转{_GAP}{{0,16}}?{_JOIN}{_N}件")),
    Pattern("requests_carried_forward", re.compile(rf"结转(?:至|到)?下一?年度?{_GAP}{{0,16}}?{_JOIN}{_N}件")),
    Pattern(
        "review_cases",
        re.compile(
            rf"行政复议(?:和|、|及|与|或)(?:提起)?行政诉讼(?:案件)?{_JOIN}(?P<both>均|都|各)\s*{_JOIN}{_N}\s*(?:件|起|宗|个)?"
        ),
        also=("litigation_cases",),
    ),
    Pattern(
        "review_cases",
        re.compile(rf"行政复议(?:和|、|及|与|或)(?:提起)?行政诉讼(?:案件|情况)?{_JOIN}(?:为)?(?P<n>0|零)(?!\d)"),
        also=("litigation_cases",),
    ),
    Pattern("review_cases", re.compile(rf"行政复议(?:案件|申请)?{_JOIN}\s*{_N}\s*(?:件|起|宗|个)")),
    Pattern(
        "review_cases",
        re.compile(rf"(?:未|没有|无|未曾|不存在)(?!论|经)(?:发生|收到|出现|涉及|接到|产生|受理)?{_GAP}{{0,30}}?行政复议"),
        fixed=0,
    ),
    Pattern("litigation_cases", re.compile(rf"行政诉讼(?:案件)?{_JOIN}\s*{_N}\s*(?:件|起|宗|个)")),
    Pattern(
        "litigation_cases",
        re.compile(rf"(?:未|没有|无|未曾|不存在)(?!论|经)(?:发生|收到|出现|涉及|接到|产生|受理)?{_GAP}{{0,30}}?行政诉讼"),
        fixed=0,
    ),
    Pattern("fees_yuan", re.compile(rf"收取{_GAP}{{0,20}}?(?:费|费用){_JOIN}\s*{_ARABIC}\s*(?P<unit>万元|元)")),
    Pattern("fees_yuan", re.compile(rf"(?:未|没有|不|无|免)(?:收取|收)(?:任何)?{_GAP}{{0,20}}?(?:费|费用)"), fixed=0),
)
# the part of the report each figure belongs in
_TOPIC_OF = {
    "proactive_items": "proactive",
    "requests_received": "requests",
    "requests_carried_over": "requests",
    "requests_carried_forward": "requests",
    "review_cases": "review",
    "litigation_cases": "review",
    "fees_yuan": "fees",
}
_TABLE_SCORE = 6  # a 附表 row names its indicator exactly


@dataclass(frozen=True)
class Figure:
    """One figure with the sentence (or 附表 row) it came from."""

    name: str
    value: Value
    sentence: str
    source: str  # "text" or "table"
    score: int
    part: str | None = None  # proactive / requests / review / fees: the report part it was read in
    scope: str | None = None  # the organ or area the text says the number counts


@dataclass
class Figures:
    """The figures of one report, best statement of each."""

    found: dict[str, Figure] = field(default_factory=dict)

    def values(self) -> dict[str, Value]:
        return {k: f.value for k, f in self.found.items()}

    def sources(self) -> dict[str, str]:
        return {k: f.sentence for k, f in self.found.items()}

    def scopes(self) -> dict[str, str]:
        return {k: f.scope for k, f in self.found.items() if f.scope}

    def evidence(self) -> dict[str, dict[str, Any]]:
        """The record's ``figure_evidence``: value, sentence, where it was read and whose number it is."""
        return {
            k: {"value": f.value, "sentence": f.sentence, "source": f.source, "part": f.part, "scope": f.scope}
            for k, f in self.found.items()
        }

    def offer(self, figure: Figure) -> None:
        best = self.found.get(figure.name)
        if best is None or figure.score > best.score:
            self.found[figure.name] = figure


def find_figures(blocks: Sequence[Block] | str, year: int | None = None) -> Figures:
    """The figures a report states, for the report's ``year`` (None: any year but 上年/去年)."""
    if isinstance(blocks, str):
        blocks = blocks.split("\n")
    out = Figures()
    topic: str | None = None
    for block in blocks:
        if isinstance(block, Table):
            for name, value, row in appendix_figures(block, year):
                out.offer(Figure(name, value, row, "table", _TABLE_SCORE))
            continue
        is_heading, new_topic, body = heading_topic(block)
        if is_heading:
            topic = new_topic
        _read_paragraph(body, topic, year, out)
    return out


def _read_paragraph(paragraph: str, topic: str | None, year: int | None, out: Figures) -> None:
    carried: int | None = None  # the year a paragraph opens with holds for its later sentences
    for sentence in _SENTENCE.findall(paragraph):
        text = sentence.strip()
        if _BARE_NONE.match(text) and topic in ("requests", "review"):
            # a part that says only "无。"
            names = ("requests_received",) if topic == "requests" else ("review_cases", "litigation_cases")
            for name in names:
                out.offer(Figure(name, 0, text, "text", 0, topic))
        for pattern in PATTERNS:
            for m in pattern.regex.finditer(sentence):
                _consider(pattern, m, sentence, topic, year, carried, out)
        years = sentence_years(sentence)
        if years:
            carried = years[-1]


def _consider(
    pattern: Pattern, m: re.Match[str], sentence: str, topic: str | None, year: int | None, carried: int | None, out: Figures
) -> None:
    name = pattern.name
    clause_start = max((c.end() for c in _CLAUSE_END.finditer(sentence, 0, m.start())), default=0)
    clause_end = _CLAUSE_END.search(sentence, m.end())
    clause = sentence[clause_start : clause_end.start() if clause_end else len(sentence)]
    before = sentence[clause_start : m.start()]
    if is_other_year(sentence[: m.end()], year, carried) or "同比" in sentence[clause_start : m.end()]:
        return
    value = _value(pattern, m)
    if value is None:
        return
    relevant = _RELEVANCE[name](m, clause, sentence[: m.end()], topic)
    if relevant is None:
        return
    score = relevant
    part = _TOPIC_OF.get(name)
    if topic == part:
        score += 2
    elif topic is not None and part is not None:
        score -= 1
    if _TOTAL.search(before + m.group(0)):
        score += 2
    if "其中" in sentence[: m.start()]:
        score -= 3  # a breakdown of a total stated before
    scope = clause_subject(before)
    text = sentence.strip()
    for figure in (name, *pattern.also):
        out.offer(Figure(figure, value, text, "text", score, topic, scope))


def _value(pattern: Pattern, m: re.Match[str]) -> Value | None:
    if pattern.fixed is not None:
        return pattern.fixed
    # (an approximate "1200余条" never matches: the unit must follow the number)
    raw = m.group("n").replace(",", "")
    if raw[0].isdigit():
        value: Value = float(raw) if "." in raw else int(raw)
    else:
        value_cn = _cn_count(raw)
        if value_cn is None:
            return None
        value = value_cn
    if m.groupdict().get("unit") == "万元":
        value = to_yuan(value)
    return value


def _cn_count(text: str) -> int | None:
    """一 … 九十九 (and 零, 两) as a number."""
    tens, sep, ones = text.partition("十")
    if not sep:
        return _CN.get(text) if len(text) == 1 else None
    if len(ones) > 1 or len(tens) > 1:
        return None
    t = _CN.get(tens, -1) if tens else 1
    o = _CN.get(ones, -1) if ones else 0
    return None if t < 0 or o < 0 else t * 10 + o


# Is the statement about the figure at all? None: no; else a score to start from.
def _proactive(m: re.Match[str], clause: str, prefix: str, topic: str | None) -> int | None:
    score = 0
    if "主动" in m.group(0):
        score += 2
    if "政府信息" in m.group(0):
        score += 1
    if _CHANNEL.search(prefix):
        # one channel's or one list's postings: the year's total only when it says 主动公开 or 共/全年
        if "主动" not in m.group(0) and not _TOTAL.search(clause):
            return None
        score -= 2
    if _DELTA.search(m.group("gap")) or "申请" in m.group("gap"):
        return None
    return score


def _requests(m: re.Match[str], clause: str, prefix: str, topic: str | None) -> int | None:
    stated = m.group(0)
    if _DISCLOSURE.search(clause):
        # said of disclosure requests in so many words; a clause that mixes in 审批 applications is not,
        # nor one about review applications ("未收到因政府信息公开申请行政复议")
        return None if _NOT_DISCLOSURE.search(stated) or re.search("复议|诉讼", clause) else 2
    if topic == "requests" and not _NOT_DISCLOSURE_LOOSE.search(prefix):
        return 0
    return None


def _review(m: re.Match[str], clause: str, prefix: str, topic: str | None) -> int | None:
    if _NOT_A_COUNT.search(clause):
        return None  # "未发生行政复议被纠错" says nothing about how many cases there were
    if topic == "review":
        return 0
    return 1 if _DISCLOSURE.search(prefix) or "信息公开" in clause else None


def _carried(m: re.Match[str], clause: str, prefix: str, topic: str | None) -> int | None:
    return 0 if topic == "requests" or "申请" in prefix or _DISCLOSURE.search(clause) else None


def _fees(m: re.Match[str], clause: str, prefix: str, topic: str | None) -> int | None:
    return 0 if topic == "fees" or "信息" in clause or "公开" in clause else None


_RELEVANCE: dict[str, Callable[[re.Match[str], str, str, str | None], int | None]] = {
    "proactive_items": _proactive,
    "requests_received": _requests,
    "requests_carried_over": _carried,
    "requests_carried_forward": _carried,
    "review_cases": _review,
    "litigation_cases": _review,
    "fees_yuan": _fees,
}

"""What is not an annual report though it sits in a report column: 函, 通知, 工作要点, 自查报告 ….

Portals file letters and notices about the reports (报送…年度报告的函, 关于做好…
年度报告编制工作的通知), the year's 政务公开工作要点, self-inspection and
法治政府建设 reports in the same columns as the reports. They talk about
信息公开 throughout, so the word does not tell them apart; what does is what
they are: the kind their title names (…的函, …的通知), the form of an official
document in the body (a 文号 line such as "X政办函〔2015〕12号", an addressee
line "各乡镇人民政府：", a closing "特此函告"), and the absence of a report's
structure (its tables, its parts on 行政复议 and 其他需要报告的事项). A genuine
report that merely cites a 通知 or the 工作要点 keeps its structure and passes.
"""

from __future__ import annotations

import re

from crawler.core.titles import OTHER_KINDS

# "关于印发《XX县2016年政府信息公开工作年度报告》的通知": a report issued under a cover
_PUBLISHES = re.compile(r"(?:印发|公布|发布|转发)[^，。]*?(?:年度报告|年报)》?的(?:通知|函|公告)")
_TRAILING = re.compile(r"[\s（(【\[][^（(【\[]*[）)】\]]\s*$|[\s。.!！]+$")
# a document number on a line of its own: "X政办函〔2015〕12号"
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,14}\s*[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*(?:第\s*)?\d{1,4}\s*号$")
# "各乡镇人民政府、县直各单位：" — whom an official document is addressed to
_ADDRESSEE = re.compile(r"^[^。；;]{2,60}[:：]$")
_ORGAN = re.compile(r"各|人民政府|政府|局|委|办|厅|部门|单位|街道|乡镇|同志|公司|中心")
_CLOSINGS = (
    ("函", re.compile(r"特此函[告复达]|此函|专此函")),
    ("通知", re.compile(r"特此通知")),
    ("公告", re.compile(r"特此(?:公告|通告)")),
    ("批复", re.compile(r"此复[。]?$|特此批复")),
    ("请示", re.compile(r"妥否.{0,4}请(?:批示|批复|示)|以上请示")),
)
# the parts of an information-disclosure report (2008 to today), as numbered headings
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.，]|[（(]\s*[一二三四五六七八九十]+\s*[）)])")
_PARTS = {
    "overview": re.compile(r"总体情况|概述|基本情况"),
    "proactive": re.compile(r"主动公开"),
    "requests": re.compile(r"依申请公开|收到和处理.*申请|申请公开"),
    "fees": re.compile(r"收费|减免"),
    "review": re.compile(r"行政复议|行政诉讼"),
    "problems": re.compile(r"存在的?(?:主要)?问题|改进"),
    "other": re.compile(r"其他需要报告|需要说明的事项"),
}


def refusal(title: str, paragraphs: list[str], has_report_tables: bool, is_report_title: bool) -> str | None:
    """Why the document is not an annual report, or None when it may be one.

    Args:
        title: the document's title as identity found it.
        paragraphs: its normalised prose paragraphs in order.
        has_report_tables: whether tables 二, 三 or 四 were found.
        is_report_title: whether the title names an annual report (``crawler.core.titles``).
    """
    if has_report_tables:
        return None
    # a report's title is trusted unless it names another kind itself (一图读懂…年度报告)
    kind, why = _title_kind(title, [] if is_report_title else paragraphs)
    if kind is None and is_report_title:
        return None
    # a notice on compiling reports may list the report's parts; one that publishes a report holds them
    parts_suffice = kind is None or _PUBLISHES.search(title) is not None
    if kind is None:
        kind, why = _document_form(paragraphs)
    if kind is None or (parts_suffice and _has_report_parts(paragraphs)):
        return None
    return f"a {kind}, not an annual report ({why}; no report tables or parts)"


def _title_kind(title: str, paragraphs: list[str]) -> tuple[str | None, str]:
    # the title, then the short heading lines a dump puts before the body
    heads = [title] + [p for p in paragraphs[:6] if len(p) <= 60 and "。" not in p and not _DOC_NUMBER.match(p)]
    for head in heads:
        text = _TRAILING.sub("", head.strip())
        for kind, pattern in OTHER_KINDS:
            if pattern.search(text):
                return kind, f"titled {text[-30:]}"
    return None, ""


def _document_form(paragraphs: list[str]) -> tuple[str | None, str]:
    """The form of an official document: 文号, addressee and closing formula."""
    head = [p.strip() for p in paragraphs[:10]]
    number = next((p for p in head if _DOC_NUMBER.match(p)), None)
    addressee = next((p for p in head if _ADDRESSEE.match(p) and _ORGAN.search(p)), None)
    tail = " ".join(paragraphs[-8:])
    closing = next((kind for kind, pattern in _CLOSINGS if pattern.search(tail)), None)
    if sum(x is not None for x in (number, addressee, closing)) < 2:
        return None, ""
    kind = closing or ("函" if number and "函" in number else "公文")
    evidence = [f"文号 {number}" if number else "", f"addressed to {addressee}" if addressee else ""]
    return kind, ", ".join(e for e in evidence if e) or "closing formula"


def _has_report_parts(paragraphs: list[str]) -> bool:
    """Numbered parts of a disclosure report: three kinds, one of them 行政复议 or 其他需要报告的事项."""
    found: set[str] = set()
    for para in paragraphs:
        if len(para) <= 50 and _HEADING.match(para):
            found.update(name for name, pattern in _PARTS.items() if pattern.search(para))
    return len(found) >= 3 and bool(found & {"review", "other"})

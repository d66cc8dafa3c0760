"""What a report title is: the one home of the patterns that name a 政府信息公开工作年度报告.

The crawl (``crawler.crawl.discovery``: which pages and links are reports), the parser's
identity (``crawler.core.parse.identity``: which line of a document is its title) and its
kind check (``crawler.core.parse.kind``: what else a document says it is) all read titles;
they take their patterns from here so they cannot drift apart. Nothing here imports the
crawl or the parser: only text normalisation.

Two strengths of "names a report", on purpose:

* :data:`REPORT_NAME` (strict) — the report's own name, ``…信息公开(工作)年度报告``,
  ``信息公开年报``, ``政务公开年报``. A link or a page is a report only if its title has it
  (:func:`is_report_title`): a bare ``2023年年度报告`` link may be a company's or a
  statistics bureau's.
* :data:`REPORT_WORDS` (loose) — the strict name or a bare ``年度报告``: inside a document
  already taken for a report, a heading line ``XX局2023年年度报告`` is its title.

Titles are compared after :func:`crawler.core.normalize.normalize_text`, which makes
traditional characters simplified (公開 → 公开, 報告 → 报告) and Chinese-numeral years
Arabic (二〇二三年 → 2023年).
"""

from __future__ import annotations

import re

from crawler.core.normalize import normalize_text

#: the report's name: "…2022年(度)政府信息公开(工作)年度报告" and its variants
REPORT_NAME = re.compile(
    r"(?:政府|政务)?信息公开(?:工作)?(?:的)?(?:年度)?(?:工作)?(?:报告|年报)|信息公开年报|公开年报|政务公开年报"
)
#: the name, or a bare 年度报告 (for a document already taken for a report)
REPORT_WORDS = re.compile(REPORT_NAME.pattern + r"|年度报告")
#: the year a title names: "2023年", "2023年度", "2023 年" (after normalising, also 二〇二三年)
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# a cheap first look, before normalising: a report title names 公开 (公開) or 年报 (年報)
_MAYBE_REPORT = re.compile(r"公[开開]|年[报報]")

#: what else a title may say it is, by its ending or its subject; the first that matches wins.
#: A genuine report's title names none of them; the parser's kind check reads them
#: (``crawler.core.parse.kind``) on titles and on a document's heading lines.
OTHER_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("函", re.compile(r"(?:函|函告|复函)$")),
    ("通知", re.compile(r"通知$")),
    ("公告", re.compile(r"(?:公告|通告|公示)$")),
    ("批复", re.compile(r"批复$")),
    ("请示", re.compile(r"请示$")),
    ("通报", re.compile(r"通报$")),
    ("会议纪要", re.compile(r"纪要$")),
    ("意见", re.compile(r"(?:实施|指导)?意见$")),
    ("方案", re.compile(r"方案$")),
    ("决定", re.compile(r"决定$")),
    ("自查报告", re.compile(r"自查(?:自纠)?(?:工作)?(?:情况)?(?:的)?(?:报告|总结)")),
    ("法治政府建设报告", re.compile(r"法治政府建设|依法行政(?:工作)?(?:情况|年度)?报告")),
    ("工作要点", re.compile(r"工作要点")),
    ("解读", re.compile(r"解读$|^图解|一图(?:读懂|看懂|了解)|^图说")),
    ("评估报告", re.compile(r"(?:第三方)?评估(?:报告|结果)$|测评(?:报告|结果)$")),
    ("政府工作报告", re.compile(r"^(?:.{0,20})政府工作报告$")),
)

# look-alikes in a link list that mention the report but are not one: notices about compiling
# or sending it, its 解读 (also as a picture: 一图读懂, 图解), 工作要点, 法治政府建设 reports,
# assessments, catalogues and rules. Wider than OTHER_KINDS (anywhere in the title, not only
# at its end) because a link text has no body to rescue a report that merely cites one.
_DECOY = re.compile(
    r"工作要点|法治政府|依法行政|通知|编制|发布工作|报送|关于做好|关于开展|关于印发|考核|测评|检查|培训|会议|解读"
    r"|一图(?:读懂|看懂|了解)|^图解|^图说|督查|评估|指南|目录|制度|规定|办法|意见|方案"
)


def report_year(title: str) -> int | None:
    """The first year the title names (2023 for "XX局2023年度…", "二〇二三年…"), or None."""
    m = YEAR.search(normalize_text(title))
    return int(m.group(1)) if m else None


def is_report_title(title: str) -> bool:
    """True for the title of an annual report, False for look-alikes (工作要点, 通知, 自查报告 …).

    The title names the report (:data:`REPORT_NAME`), no look-alike, and a year or 年度报告.
    """
    if not _MAYBE_REPORT.search(title):
        return False  # most links of a page: no need to normalise them
    text = normalize_text(title)
    if not REPORT_NAME.search(text) or _DECOY.search(text):
        return False
    return report_year(text) is not None or "年度报告" in text


def names_report(text: str) -> bool:
    """A heading line that names a report (loosely: a bare 年度报告 counts) and its year or 年度报告."""
    text = normalize_text(text)
    return REPORT_WORDS.search(text) is not None and (YEAR.search(text) is not None or "年度报告" in text)


def other_kind(title: str) -> str | None:
    """The other kind of document a (trimmed) title names (函, 通知, 自查报告 …), or None."""
    return next((kind for kind, pattern in OTHER_KINDS if pattern.search(title)), None)

"""Numbers the narrative states plainly ("主动公开政府信息183条"), each with its sentence.

Pre-2019 reports have no fixed tables, so these figures are their numbers;
on newer reports they are cross-checked against the tables.
"""

from __future__ import annotations

import re

_N = r"(\d+(?:\.\d+)?)"
_GAP = r"[^。；;，,]{0,16}?"
# (figure, pattern, value when the pattern has no number: a stated "none")
PATTERNS: tuple[tuple[str, re.Pattern[str], int | None], ...] = (
    (
        "proactive_items",
        re.compile(rf"(?:主动公开|主动发布|公开发布|发布)(?:各类)?(?:政府)?信息(?:共计|共|合计|总计|累计)?{_N}条"),
        None,
    ),
    ("requests_received", re.compile(rf"(?:收到|受理|新收|接收|接到){_GAP}申请(?:共计|共|合计|总计)?{_N}件"), None),
    ("requests_received", re.compile(r"(?:未收到|没有收到|未受理|无)(?:[^。；;，,]{0,12}?)(?:政府信息公开|依申请公开)?申请"), 0),
    ("requests_carried_over", re.compile(rf"上年(?:度)?结转{_GAP}{_N}件"), None),
    ("requests_carried_forward", re.compile(rf"结转(?:至)?下(?:一)?年度{_GAP}{_N}件"), None),
    ("review_cases", re.compile(rf"行政复议(?:案件|申请)?(?:共计|共)?{_N}(?:件|起)"), None),
    ("review_cases", re.compile(r"(?:未|没有|无)(?:发生|收到|出现|涉及)?[^。；;，,]{0,10}?行政复议"), 0),
    ("litigation_cases", re.compile(rf"行政诉讼(?:案件)?(?:共计|共)?{_N}(?:件|起)"), None),
    ("litigation_cases", re.compile(r"(?:未|没有|无)(?:发生|收到|出现|涉及)?[^。；;，,]{0,10}?行政诉讼"), 0),
    ("fees_yuan", re.compile(rf"收取[^。；;]{{0,20}}?(?:费|费用){_N}元"), None),
    ("fees_yuan", re.compile(r"未收取[^。；;]{0,20}?(?:处理费|费用)"), 0),
)
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


def find_figures(text: str) -> tuple[dict[str, int | float], dict[str, str]]:
    """Return (figures, the sentence each came from); the first statement wins."""
    figures: dict[str, int | float] = {}
    sources: dict[str, str] = {}
    for sentence in _SENTENCE.findall(text):
        for name, pattern, fixed in PATTERNS:
            if name in figures:
                continue
            m = pattern.search(sentence)
            if not m:
                continue
            if fixed is not None:
                value: int | float = fixed
            else:
                raw = m.group(1)
                value = float(raw) if "." in raw else int(raw)
            figures[name] = value
            sources[name] = sentence.strip()
    return figures, sources

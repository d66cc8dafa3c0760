"""The report's numbered parts (一、总体情况 … 六、其他需要报告的事项).

A heading is a short line opening with the next Chinese numeral in sequence,
so list items inside a part ("一是…", "（一）…") and tables' own numbering
(一、本年新收…, also with its row's numbers run onto it) never start a part.
"""

from __future__ import annotations

import re

from crawler.core.normalize import chinese_number
from crawler.core.parse.values import run_together

_STANDARD = re.compile(
    r"总体情况|概述|主动公开政府信息|收到和处理|申请情况|依申请公开|收费及减免|行政复议|行政诉讼|存在的主要问题|改进情况|其他需要报告"
)
# a heading with its first sentence glued on: "四、…的情况2015年，我局…" (shared with narrative.py)
RUN_IN = re.compile(
    r"^([^。；;：:，,]{2,40}?(?:情况|措施|事项|概述|问题|工作))((?:(?:19|20)\d{2}年度?|本年度?|全年|今年)[，,].*)$"
)
# "三、依申请公开政府信息情况"; older reports also write "第三部分 依申请公开政府信息情况"
_HEADING = re.compile(
    r"^(?:([一二三四五六七八九十]{1,2})\s*[、，,.．]|第([一二三四五六七八九十]{1,2})部分\s*[、，,.．：:]?)\s*(.+)$"
)


# table 三's row labels keep their numerals (一、本年新收… 四、结转下年度继续办理); a PDF whose table came
# out as text lines gives them a line each, and "四、结转下年度继续办理" must not take part 四's place
_TABLE_ROW = re.compile(r"^(?:本年新收|上年结转|本年度办理结果|结转下年度)")


def numeral_value(text: str) -> int:
    return chinese_number(text) or 0


def split_sections(paragraphs: list[str]) -> list[dict[str, str]]:
    """``[{"number", "heading", "text"}]`` in report order; prose only, tables excluded."""
    sections: list[dict[str, str]] = []
    body: list[str] = []
    expected = 1
    for line in paragraphs:
        m = _HEADING.match(line)
        numeral = (m.group(1) or m.group(2)) if m else ""
        number = numeral_value(numeral) if m else 0
        # the next part in sequence; or a standard part further on when the ones between sit in a table
        if (
            m
            and (number == expected or (expected < number <= expected + 3 and _STANDARD.search(m.group(3))))
            and _looks_like_heading(m.group(3))
        ):
            if sections:
                sections[-1]["text"] = "\n".join(body)
            heading, rest = _split_heading(m.group(3))
            sections.append({"number": numeral, "heading": heading, "text": ""})
            body = [rest] if rest else []
            expected = number + 1
        elif sections:
            body.append(line)
    if sections:
        sections[-1]["text"] = "\n".join(body)
    return sections


def _looks_like_heading(rest: str) -> bool:
    if run_together(rest) is not None or _TABLE_ROW.match(rest):
        return False  # a table row, flattened with its numbers ("四、结转下年度继续办理61111111") or not
    head, _ = _split_heading(rest)
    return 2 <= len(head) <= 40 and not head.endswith(("，", ","))


def _split_heading(rest: str) -> tuple[str, str]:
    """A heading may run into its first sentence: "一、总体情况。2021年，…"."""
    m = re.match(r"^([^。；;：:]{2,40}?)(?:[。；;：:]|$)(.*)$", rest)
    if m and len(rest) > 40:
        return m.group(1).strip(), m.group(2).strip()
    # a wrapped-line joiner may glue the first sentence on without punctuation: "…的情况2015年，我局…"
    m = RUN_IN.match(rest)
    if m:
        return m.group(1), m.group(2)
    return rest.strip().rstrip("。："), ""

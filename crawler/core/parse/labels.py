"""The official labels of the report tables, and loose matching against them.

Labels are compared after :func:`label_core` strips numbering, brackets,
punctuation and spaces, so "（三）不予公开", "(三)不予公开" and "三、不予公开"
are the same label, and a typo in the numbering ("12." for "2.") is ignored.
The official lists come from the 2019 (国办公开办函〔2019〕60号) and 2021
(国办公开办函〔2021〕30号) templates; see ../shared/docs/domain-notes.md §1.2–1.4.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import get_args

from crawler.core.record_types import RequestColumn

# table 三's columns in the templates' order: one list, the record type's
REQUEST_COLUMNS: tuple[RequestColumn, ...] = get_args(RequestColumn)
COLUMN_LABELS = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}


@dataclass(frozen=True)
class RowLabel:
    key: str
    label: str  # the official label without its numbering
    category: str | None = None  # the 办理结果 category a sub-item belongs to


# Categories of 三、本年度办理结果 that hold numbered sub-items.
CATEGORIES = {
    "withheld": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
}

REQUEST_ROWS: tuple[RowLabel, ...] = (
    RowLabel("new", "本年新收政府信息公开申请数量"),
    RowLabel("carried_over", "上年结转政府信息公开申请数量"),
    RowLabel("disclosed", "予以公开"),
    RowLabel("partially_disclosed", "部分公开（区分处理的，只计这一情形，不计其他情形）"),
    RowLabel("withheld.state_secret", "属于国家秘密", "withheld"),
    RowLabel("withheld.prohibited_by_law", "其他法律行政法规禁止公开", "withheld"),
    RowLabel("withheld.three_safeties", "危及三安全一稳定", "withheld"),
    RowLabel("withheld.third_party", "保护第三方合法权益", "withheld"),
    RowLabel("withheld.internal_affairs", "属于三类内部事务信息", "withheld"),
    RowLabel("withheld.process_info", "属于四类过程性信息", "withheld"),
    RowLabel("withheld.enforcement_files", "属于行政执法案卷", "withheld"),
    RowLabel("withheld.admin_query", "属于行政查询事项", "withheld"),
    RowLabel("unavailable.not_held", "本机关不掌握相关政府信息", "unavailable"),
    RowLabel("unavailable.needs_creation", "没有现成信息需要另行制作", "unavailable"),
    RowLabel("unavailable.unclear", "补正后申请内容仍不明确", "unavailable"),
    RowLabel("not_processed.petition", "信访举报投诉类申请", "not_processed"),
    RowLabel("not_processed.duplicate", "重复申请", "not_processed"),
    RowLabel("not_processed.publication", "要求提供公开出版物", "not_processed"),
    RowLabel("not_processed.excessive", "无正当理由大量反复申请", "not_processed"),
    RowLabel("not_processed.confirmation", "要求行政机关确认或重新出具已获取信息", "not_processed"),
    RowLabel("other.overdue_correction", "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请", "other"),
    RowLabel("other.overdue_fee", "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请", "other"),
    RowLabel("other.other", "其他", "other"),
    RowLabel("result_total", "总计"),
    RowLabel("carried_forward", "结转下年度继续办理"),
)

REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_GROUP_LABELS = {"review": "行政复议", "litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}
REVIEW_FIELDS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_FIELD_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}

_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、，,.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[.、．,，](?!\d)|\d{1,2}(?=[\u4e00-\u9fff]))"
)
_NOTE = re.compile(r"(?<=.)[（(][^（）()]{2,}[)）]")
_NOISE = re.compile(r"[\s\u3000、，,.．。:：;；\"“”'‘’「」『』()（）\[\]【】<>《》/／\-—_·*]+")


def strip_numbering(text: str) -> str:
    """Remove leading list numbering, repeatedly ("三、（一）1." → "")."""
    prev = None
    text = text.strip()
    while prev != text:
        prev = text
        text = _NUMBERING.sub("", text, count=1).strip()
    return text


@functools.lru_cache(maxsize=65536)
def label_core(text: str) -> str:
    """The comparable core of a label: no numbering, punctuation, brackets or spaces.

    >>> label_core("（三）不予公开")
    '不予公开'
    >>> label_core("12.没有现成信息需要另行制作")
    '没有现成信息需要另行制作'
    >>> label_core("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    '部分公开'
    >>> label_core("3.危及\\"三安全一稳定\\"")
    '危及三安全一稳定'
    """
    # a note in brackets is not part of the label: "部分公开（区分处理的，只计这一情形…）" is 部分公开
    return _NOISE.sub("", _NOTE.sub("", strip_numbering(text)))


def similarity(a: str, b: str) -> float:
    """How alike two label cores are, 0..1 (difflib ratio, with containment counted)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and long_.startswith(short):
        return 0.9  # the official label printed with a note after it, or cut where the row broke
    if len(a) >= 4 and len(b) >= 4 and (a in b or b in a):
        return 0.9 * min(len(a), len(b)) / max(len(a), len(b)) + 0.1
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# Words only one template prints as a column or row label (domain notes §1.2, §1.3): the 2021
# template's 制发/废止/现行有效 columns, its 收费金额 column and its （六）其他处理 sub-rows; the 2019
# template's 新制作/新公开/对外公开总数 columns, its 上一年项目数量 and 采购 columns.
TEMPLATE_WORDS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期不补正", "逾期未按收费通知"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量", "采购总金额"),
}
# Row labels only one template prints; counted only where a line is that row (label, then numbers).
TEMPLATE_ROWS = {"2021": ("行政规范性文件",), "2019": ("其他对外管理服务事项", "政府集中采购")}


_INNER_NUMBERING = re.compile(
    r"(?<=[\u4e00-\u9fff）)”\"])"
    r"(?=[（(][一二三四五六七八九十]{1,2}[)）]|\d{1,2}[.、．][\u4e00-\u9fff]|[一二三四五六七八九十]、[\u4e00-\u9fff])"
)


def split_numbered(label: str) -> list[str]:
    """A label cell that holds several numbered labels, split before each numbering.

    Flattened tables run a row's cells together, the 办理结果 category with its item:

    >>> split_numbered("三、本年度办理结果（一）予以公开")
    ['三、本年度办理结果', '（一）予以公开']
    >>> split_numbered("（六）其他处理1.申请人无正当理由逾期不补正")
    ['（六）其他处理', '1.申请人无正当理由逾期不补正']
    >>> split_numbered("法律服务机构其他一、本年新收政府信息公开申请数量")
    ['法律服务机构其他', '一、本年新收政府信息公开申请数量']
    >>> split_numbered("（二）部分公开（区分处理的，只计这一情形）")
    ['（二）部分公开（区分处理的，只计这一情形）']
    """
    return [part for part in _INNER_NUMBERING.split(label) if part]

"""Which organ reports: from the title in any word order, else from the body.

Titles put the agency before the year ("平潭县人民政府2019年…"), after it
("2019年上海市人民政府办公厅政府信息公开工作年度报告") or before the report's name
with the year in brackets ("…局政府信息公开工作年度报告（2019年度）"); text dumps
prefix them with labels (标题：, 正文). When the title does not name the organ,
the body does: the signature above the date at the end, the "本报告由…编制"
sentence, or the first paragraph's "现将XX局2019年…报告公布如下".
"""

from __future__ import annotations

import re

# labels text dumps and page templates print before a title or a value
LABEL = re.compile(
    r"^\s*[【\[]?\s*(?:文章标题|信息标题|标题|题名|题目|名称|正文|索引号|发布机构|发文机关|来源|信息来源)\s*[】\]]?\s*[:：]\s*"
    r"|^\s*(?:标题|题名|正文)\s+"
)
LABEL_ONLY = re.compile(r"^\s*[【\[]?\s*(?:文章标题|信息标题|标题|题名|题目|名称|正文|内容|全文)\s*[】\]]?\s*[:：]?\s*$")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年)?")
_REPORT_NAME = re.compile(
    r"(?:(?:政府|政务)?信息公开|政务公开)(?:工作)?(?:的)?(?:年度)?(?:工作)?(?:情况)?(?:报告|年报)|年度报告|公开年报|年报"
)
_SPLIT = re.compile(r"[\s—–_《》〈〉“”\"'（）()\[\]【】,，、：:;；。]+")
_FILLER = re.compile(r"^(?:关于|公开|发布|公布|印发|全文|度)+|(?:关于|发布|公布|的|度|本级)+$")
AGENCY_END = re.compile(
    r"(?:人民政府(?:办公室|办公厅)?|政府|委员会|办公室|办公厅|局|厅|委|办|院|会|室|中心|所|处|署|站|队|部|馆|社|公司"
    r"|街道|乡|镇|区|县|市|州|盟|旗|省)$"
)
_SIGNATURE_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}")
_BY = re.compile(r"本(?:年度)?报告(?:是)?由(.{2,30}?)(?:根据|依据|依照|按照|编制|制作|负责|汇总)")
# the words that open the report's name in a sentence: "现将…", "向社会公布…"
_LEAD = re.compile(r".*(?:现将|特将|向社会公布|予以公布|现予公布|公布|发布|编制了?|形成了?)")


def strip_label(line: str) -> str:
    """A line without the label a dump or a template put before it (标题：…, 正文 …)."""
    return LABEL.sub("", line, count=1).strip()


def find_agency(title: str, paragraphs: list[str], publisher: str | None = None) -> str | None:
    """The reporting organ, from the title, else the signature, the body, the page's publisher."""
    return (
        agency_in_name(title)
        or _from_signature(paragraphs)
        or _from_by_sentence(paragraphs)
        or _from_first_paragraphs(paragraphs)
        or _agency_like(strip_label(publisher or ""))
    )


def agency_in_name(name: str) -> str | None:
    """The organ in a report's name, whatever the order of organ, year and report words.

    >>> agency_in_name("2019年上海市人民政府办公厅政府信息公开工作年度报告")
    '上海市人民政府办公厅'
    >>> agency_in_name("标题： 平潭县人民政府2019年政府信息公开工作年度报告")
    '平潭县人民政府'
    >>> agency_in_name("2019年度政府信息公开工作年度报告") is None
    True
    """
    text = strip_label(name)
    if not (_YEAR.search(text) or _REPORT_NAME.search(text)):
        return None
    marked = _REPORT_NAME.sub("\x00", _YEAR.sub("\x00", text))
    chunks = [_FILLER.sub("", c) for part in marked.split("\x00") for c in _SPLIT.split(part)]
    chunks = [c for c in chunks if len(c) >= 2]
    for chunk in chunks:
        if _agency_like(chunk):
            return chunk
    # an organ whose name ends unusually, when it opens the title before the year
    year = _YEAR.search(text)
    before = _FILLER.sub("", text[: year.start()].strip(" ：:（(")) if year else ""
    return before if 2 <= len(before) <= 30 and not _REPORT_NAME.search(before) else None


def _agency_like(text: str) -> str | None:
    text = text.strip()
    ok = 2 <= len(text) <= 30 and AGENCY_END.search(text) and not re.search(r"[。，；：:\d]|报告|年报", text)
    return text if ok else None


def _from_signature(paragraphs: list[str]) -> str | None:
    """The organ signed above (or beside) the date at the end of the report."""
    tail = paragraphs[-6:]
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i].strip()
        m = _SIGNATURE_DATE.search(line)
        if not m or len(line) > 45 or m.end() < len(line) - 1:
            continue
        beside = line[: m.start()].strip(" ，,")
        if beside:
            return _agency_like(beside)  # "平潭县人民政府  2020年1月20日"
        if m.start() == 0 and i > 0:
            return _agency_like(tail[i - 1])
    return None


def _from_by_sentence(paragraphs: list[str]) -> str | None:
    m = _BY.search("".join(paragraphs[:10]))
    return _agency_like(m.group(1)) if m else None


def _from_first_paragraphs(paragraphs: list[str]) -> str | None:
    """ "现将XX局2019年政府信息公开工作年度报告公布如下": the organ in the report's name in the text."""
    for para in paragraphs[:5]:
        for m in _REPORT_NAME.finditer(para):
            clause = re.split(r"[，。；：:,;]", para[max(0, m.start() - 40) : m.start()])[-1]
            clause = _LEAD.sub("", clause)
            found = agency_in_name(clause + m.group(0))
            if found:
                return found
    return None

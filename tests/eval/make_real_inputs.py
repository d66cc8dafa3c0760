"""Generate evaluation documents shaped like the text real tools and portals hand the parser.

Run from the project root::

    .venv/bin/python tests/eval/make_real_inputs.py

It (re)writes every file under ``tests/eval/real_inputs/`` and
``tests/eval/real_inputs/annotations.json``. The shapes are the ones the team's own
fixtures do not cover and that real crawls meet (../shared/docs/domain-notes.md §3–4):

* ``md_2021_pdf2md.md`` -- a PDF converted to markdown (marker / MinerU / pdfplumber→md):
  ``#`` headings, pipe tables, the multi-row headers of tables 三 and 四 shifted and merged,
  table 四 as one row of fifteen numbers, page numbers and "— 3 —" between table halves;
* ``ocr_2019_phone.txt`` -- an OCR transcription of a photographed 2019-template report:
  prose hard-wrapped at the printed line width, tab-separated table rows with empty
  placeholder columns for merged cells, long labels split over two lines;
* ``page_2021_archived.txt`` -- an archiver's text dump of a portal page: 标题/发布时间/来源/原文链接
  header, page chrome (点击数, 【字体：大 中 小】, 打印本页 关闭窗口, 分享到), tables as
  browser innerText (tabs), footer (主办单位, 网站标识码, ICP备);
* ``flat_2021_runtogether.txt`` -- a 2021 report whose table cells ran together
  ("规章000", "行政规范性文件21533"); the template follows from the labels and the cited
  国办公开办函〔2021〕30号; cells that cannot be split unambiguously are annotated null;
* ``html_2019_city_office.html`` -- a city office's page whose title starts with the year,
  a header clock "2025年12月30日 星期二" and the article's own PubDate meta;
* ``html_notice_han.html`` / ``html_notice_tongzhi.html`` -- a 函 and a 通知 filed in a
  report column: annotated ``refused: not a report``;
* ``pre2019_text_jinan.txt`` / ``pre2019_html_qibin.html`` -- free-form reports whose prose
  mentions other kinds of applications, project lists, other years' figures and review /
  litigation counts; annotated ``figures``;
* ``html_2019_blank_other.html`` -- a 2019 report with the all-blank （六）其他处理 row and a
  table 二 row printed with fewer cells than the grid.

Every document is written from one structured truth (``Truth``) that is also written as its
annotation: the parser is never run here. The numbers of tables 三 and 四 are drawn from a
seeded generator so that the report's own rules (T3-1…T3-3, T4-1) hold; the documents are
fictional, the place names real so that region inference sees realistic names.
"""

from __future__ import annotations

import html
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "real_inputs"
REL_DIR = "tests/eval/real_inputs"

Num = int | float | None

APPLICANTS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
]
COLUMNS = [*APPLICANTS, "total"]
REVIEW_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_FIELDS = ["upheld", "corrected", "other", "pending", "total"]
SECTIONS_2019 = [
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
]
NUMERALS = "一二三四五六七八九十"

# --------------------------------------------------------------------------------------
# Table 三: row keys and printed labels (official wording, ../shared/docs/domain-notes.md §1.3)

WITHHELD = [
    ("state_secret", "属于国家秘密"),
    ("prohibited_by_law", "其他法律行政法规禁止公开"),
    ("three_safeties", "危及“三安全一稳定”"),
    ("third_party", "保护第三方合法权益"),
    ("internal_affairs", "属于三类内部事务信息"),
    ("process_info", "属于四类过程性信息"),
    ("enforcement_files", "属于行政执法案卷"),
    ("admin_query", "属于行政查询事项"),
]
UNAVAILABLE = [
    ("not_held", "本机关不掌握相关政府信息"),
    ("needs_creation", "没有现成信息需要另行制作"),
    ("unclear", "补正后申请内容仍不明确"),
]
NOT_PROCESSED = [
    ("petition", "信访举报投诉类申请"),
    ("duplicate", "重复申请"),
    ("publication", "要求提供公开出版物"),
    ("excessive", "无正当理由大量反复申请"),
    ("confirmation", "要求行政机关确认或重新出具已获取信息"),
]
OTHER_2021 = [
    ("overdue_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("overdue_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "其他"),
]
CATEGORIES = [
    ("withheld", "（三）不予公开", WITHHELD),
    ("unavailable", "（四）无法提供", UNAVAILABLE),
    ("not_processed", "（五）不予处理", NOT_PROCESSED),
]


@dataclass(frozen=True)
class T3Row:
    """One data row of table 三 as printed: outer label (一、/三、), category (（三）…), item (1．…)."""

    key: str
    outer: str
    category: str
    item: str


def t3_rows(template: str, dot: str = "．") -> list[T3Row]:
    rows = [
        T3Row("new", "一、本年新收政府信息公开申请数量", "", ""),
        T3Row("carried_over", "二、上年结转政府信息公开申请数量", "", ""),
        T3Row("disclosed", "三、本年度办理结果", "（一）予以公开", ""),
        T3Row("partially_disclosed", "三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ""),
    ]
    for cat, cat_label, items in CATEGORIES:
        rows += [
            T3Row(f"{cat}.{k}", "三、本年度办理结果", cat_label, f"{i}{dot}{label}") for i, (k, label) in enumerate(items, 1)
        ]
    if template == "2019":
        rows.append(T3Row("other", "三、本年度办理结果", "（六）其他处理", ""))
    else:
        rows += [
            T3Row(f"other.{k}", "三、本年度办理结果", "（六）其他处理", f"{i}{dot}{label}")
            for i, (k, label) in enumerate(OTHER_2021, 1)
        ]
    rows.append(T3Row("result_total", "三、本年度办理结果", "（七）总计", ""))
    rows.append(T3Row("carried_forward", "四、结转下年度继续办理", "", ""))
    return rows


# --------------------------------------------------------------------------------------
# The truth of one document


@dataclass
class Truth:
    """What a document says, from which both the file and its annotation are written."""

    name: str
    fmt: str  # the gate's format key: one per input shape
    notes: str
    title: str = ""
    agency: str = ""
    year: int = 0
    published_date: str | None = None
    template: str = ""
    region: dict[str, str] = field(default_factory=dict)
    sections: list[str] | None = None
    proactive: dict[str, dict[str, Num]] = field(default_factory=dict)
    requests: dict[str, list[Num]] = field(default_factory=dict)
    review: dict[str, dict[str, Num]] = field(default_factory=dict)
    figures: dict[str, int | float] = field(default_factory=dict)
    refused: str | None = None
    failed_checks: list[str] | None = None
    # cells printed but not recoverable from the bytes (cells run together): annotated null
    unreadable: set[str] = field(default_factory=set)
    url: str | None = None

    def annotation(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": f"{REL_DIR}/{self.name}", "format": self.fmt, "notes": self.notes}
        if self.url:
            doc["url"] = self.url
        if self.refused:
            doc["refused"] = self.refused
            doc["fields"] = {}
            return doc
        doc["fields"] = {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published_date": self.published_date,
            "template": self.template,
            "region": self.region,
        }
        if self.sections is not None:
            doc["sections"] = self.sections
        if self.failed_checks is not None:
            doc["failed_checks"] = self.failed_checks
        if self.figures:
            doc["figures"] = self.figures
        cells: dict[str, Num] = {}
        for item, values in self.proactive.items():
            for col, v in values.items():
                cells[f"proactive/{item}/{col}"] = v
        for key, row in self.requests.items():
            for col, v in zip(COLUMNS, row):
                cells[f"requests/{key}/{col}"] = v
        for group, values in self.review.items():
            for col, v in values.items():
                cells[f"review_litigation/{group}/{col}"] = v
        for path in self.unreadable:
            cells[path] = None
        if cells:
            doc["cells"] = cells
        return doc


# --------------------------------------------------------------------------------------
# Numbers: drawn so that the report's own rules hold (T3-1, T3-2, T3-3, T4-1)


def draw_requests(rng: random.Random, template: str, scale: int, blank_rows: tuple[str, ...] = ()) -> dict[str, list[Num]]:
    """Table 三 values: most applicants are natural persons, most outcome rows small or zero."""
    keys = [r.key for r in t3_rows(template)]
    outcomes = [k for k in keys if k not in ("new", "carried_over", "result_total", "carried_forward")]
    weights = [1.0, 0.35, 0.05, 0.05, 0.1, 0.15]
    rows: dict[str, list[Num]] = {}
    for k in outcomes:
        if k in blank_rows:
            rows[k] = [None] * 7
            continue
        busy = k in ("disclosed", "partially_disclosed", "unavailable.not_held") or rng.random() < 0.55
        cells: list[Num] = [
            rng.randint(0, max(1, int(scale * w))) if busy and rng.random() < 0.8 * w + 0.2 else 0 for w in weights
        ]
        rows[k] = cells
    result = [sum(int(rows[k][c] or 0) for k in outcomes) for c in range(6)]
    forward = [rng.randint(0, max(1, result[c] // 6)) if result[c] else 0 for c in range(6)]
    over = [rng.randint(0, forward[c] + 1) if result[c] else 0 for c in range(6)]
    over = [min(o, result[c] + forward[c]) for c, o in enumerate(over)]
    new = [result[c] + forward[c] - over[c] for c in range(6)]
    out: dict[str, list[Num]] = {"new": list(new), "carried_over": list(over)}
    for k in outcomes:
        out[k] = rows[k]
    out["result_total"] = list(result)
    out["carried_forward"] = list(forward)
    for k, cells in out.items():
        if k not in blank_rows:
            cells.append(sum(int(v or 0) for v in cells))
    return {k: out[k] for k in keys}


def review(*groups: tuple[int, int, int, int]) -> dict[str, dict[str, Num]]:
    return {g: dict(zip(REVIEW_FIELDS, [*parts, sum(parts)])) for g, parts in zip(REVIEW_GROUPS, groups)}


def verify(t: Truth) -> None:
    """The truths must obey the report rules the documents claim (failed_checks == [])."""
    if not t.requests:
        return
    rows = t.requests
    for key, row in rows.items():
        if all(v is not None for v in row):
            assert row[6] == sum(int(v or 0) for v in row[:6]), (t.name, key)  # T3-3
    outcome = [k for k in rows if k not in ("new", "carried_over", "result_total", "carried_forward")]
    for c in range(7):
        assert rows["result_total"][c] == sum(int(rows[k][c] or 0) for k in outcome), (t.name, c)  # T3-2
        assert rows["new"][c] + rows["carried_over"][c] == rows["result_total"][c] + rows["carried_forward"][c]  # type: ignore[operator]
    for group in t.review.values():
        assert group["total"] == sum(int(group[f] or 0) for f in REVIEW_FIELDS[:4])  # T4-1


def fmt(v: Num) -> str:
    return "" if v is None else str(v)


def tot(t: Truth, key: str) -> int:
    return int(t.requests[key][6] or 0)


# --------------------------------------------------------------------------------------
# Prose shared by the 2019/2021 documents (what real reports say, in their words)


@dataclass(frozen=True)
class Extra:
    """Narrative numbers that are not table cells."""

    proactive_items: int
    policy_docs: int
    readings: int


def body_2021(t: Truth, extra: Extra, *, with_circular: bool = True) -> dict[str, list[str]]:
    """Paragraphs per section, the opening sentence first; figures agree with the tables."""
    y = t.year
    circular = "和国务院办公厅政府信息与政务公开办公室《关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）"
    intro = (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）{circular if with_circular else ''}要求编制，"
        f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
    )
    received = tot(t, "new")
    rv = t.review.get("review", {}).get("total") or 0
    return {
        "intro": [intro],
        "总体情况": [
            f"{y}年，{t.agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，"
            f"严格执行《条例》，围绕中心工作，不断提升政务公开质量和实效。",
            f"（一）主动公开。全年通过政府门户网站、政务新媒体等渠道主动公开政府信息{extra.proactive_items}条，"
            f"其中政策文件{extra.policy_docs}件，政策解读{extra.readings}篇。",
            f"（二）依申请公开。{y}年共收到政府信息公开申请{received}件，均在法定期限内予以答复。"
            f"全年发生政府信息公开行政复议{rv}件。",
            "（三）政府信息管理。严格落实公开前保密审查制度，动态更新政府信息公开指南和目录。",
            "（四）平台建设。优化政府信息公开专栏栏目设置，及时更新法定主动公开内容。",
            "（五）监督保障。将政务公开工作纳入年度绩效考核，全年组织业务培训2次，未发生责任追究情况。",
        ],
        "存在的主要问题及改进情况": [
            "一是政策解读形式较为单一，图解、视频等解读方式运用不多；二是基层工作人员业务能力有待提升。",
            f"{y + 1}年，我们将进一步丰富解读形式，加强业务培训，不断提高政务公开工作水平。",
        ],
        "其他需要报告的事项": [f"{y}年度本机关未收取信息处理费。无其他需要报告的事项。"],
    }


def prose(t: Truth, extra: Extra) -> dict[str, list[str]]:
    return body_2021(t, extra)


# --------------------------------------------------------------------------------------
# 1. PDF → markdown (marker / MinerU / pdfplumber→md)


def md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def md_table(rows: list[list[str]], width: int) -> list[str]:
    out = [md_row(rows[0] + [""] * (width - len(rows[0]))), md_row(["---"] * width)]
    out += [md_row(r + [""] * (width - len(r))) for r in rows[1:]]
    return out


def doc_markdown() -> tuple[Truth, str]:
    rng = random.Random(2023_1)
    t = Truth(
        name="md_2021_pdf2md.md",
        fmt="markdown",
        notes=(
            "PDF report converted to markdown as marker/MinerU emit it: '#' title, '##' section headings, pipe tables with '|---|' "
            "rows; table 三's two header rows scrambled (申请人情况 shifted right, 自然人 and 法人或其他组织 merged into one cell, "
            "the sub-headers shifted one column left); table 三 broken by a page footer '— 3 —' and restarted as a new pipe table "
            "without header; table 四's three header rows shifted (行政诉讼 over the wrong columns) and its data one row of 15 "
            "numbers; 规章 '/' -> null; a stray page number '2' between paragraphs."
        ),
        title="宜宾市翠屏区卫生健康局2023年政府信息公开工作年度报告",
        agency="宜宾市翠屏区卫生健康局",
        year=2023,
        published_date="2024-01-19",
        template="2021",
        region={"province": "四川省", "city": "宜宾市", "county": "翠屏区"},
        sections=SECTIONS_2019,
        failed_checks=[],
    )
    t.proactive = {
        "regulations": {"made": None, "repealed": None, "in_force": None},
        "normative_documents": {"made": 2, "repealed": 1, "in_force": 14},
        "licensing": {"decisions": 1364},
        "penalty": {"decisions": 217},
        "enforcement": {"decisions": 9},
        "fees": {"amount_10k_yuan": 3.62},
    }
    t.requests = draw_requests(rng, "2021", 14)
    t.review = review((2, 1, 0, 1), (1, 0, 0, 0), (0, 0, 1, 0))
    verify(t)
    p = prose(t, Extra(1873, 26, 11))
    lines = [f"# {t.title}", "", *p["intro"], ""]
    lines += ["## 一、总体情况", ""]
    for i, para in enumerate(p["总体情况"]):
        lines += [para, ""]
        if i == 2:
            lines += ["2", ""]  # the page number of page 2, kept as a paragraph
    lines += ["## 二、主动公开政府信息情况", ""]
    pr = t.proactive
    lines += md_table(
        [
            ["第二十条第（一）项", "", "", ""],
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "/", "/", "/"],
            ["行政规范性文件", *(fmt(pr["normative_documents"][c]) for c in ("made", "repealed", "in_force"))],
        ],
        4,
    )
    lines += [""]
    lines += md_table(
        [
            ["第二十条第（五）项", "", ""],
            ["信息内容", "本年处理决定数量", ""],
            ["行政许可", fmt(pr["licensing"]["decisions"]), ""],
        ],
        3,
    )
    lines += [""]
    lines += md_table(
        [
            ["第二十条第（六）项", ""],
            ["信息内容", "本年处理决定数量"],
            ["行政处罚", fmt(pr["penalty"]["decisions"])],
            ["行政强制", fmt(pr["enforcement"]["decisions"])],
        ],
        2,
    )
    lines += [""]
    lines += md_table(
        [
            ["第二十条第（八）项", ""],
            ["信息内容", "本年收费金额（单位：万元）"],
            ["行政事业性收费", fmt(pr["fees"]["amount_10k_yuan"])],
        ],
        2,
    )
    lines += ["", "## 三、收到和处理政府信息公开申请情况", ""]
    head = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况", "", "", "", "", ""],
        ["", "", "自然人 法人或其他组织", "", "", "", "", "总计", ""],
        ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "", "", ""],
    ]
    body: list[list[str]] = []
    last_cat = ""
    for r in t3_rows("2021"):
        v = [fmt(x) for x in t.requests[r.key]]
        if r.key in ("new", "carried_over", "carried_forward"):
            body.append([r.outer, "", "", *v])
        elif r.item:
            body.append(["", r.category if r.category != last_cat else "", r.item, *v])
        else:
            body.append(["三、本年度办理结果" if r.key == "disclosed" else "", r.category, "", *v])
        last_cat = r.category
    # the data rows keep their ten columns (spans left blank); only the header rows came back shifted
    width = 10
    first, second = body[:12], body[12:]
    lines += md_table(head + first, width)
    lines += ["", "— 3 —", ""]
    lines += md_table(second, width)
    lines += ["", "## 四、政府信息公开行政复议、行政诉讼情况", ""]
    rv = [fmt(t.review[g][f]) for g in REVIEW_GROUPS for f in REVIEW_FIELDS]
    lines += md_table(
        [
            ["行政复议", "", "", "", "", "", "", "行政诉讼", "", "", "", "", "", "", ""],
            [
                "结果维持",
                "结果纠正",
                "其他结果",
                "尚未审结",
                "总计",
                "未经复议直接起诉",
                "",
                "",
                "",
                "",
                "复议后起诉",
                "",
                "",
                "",
                "",
            ],
            [
                "",
                "",
                "",
                "",
                "",
                "结果维持",
                "结果纠正",
                "其他结果",
                "尚未审结",
                "总计",
                "结果维持",
                "结果纠正",
                "其他结果",
                "尚未审结",
                "总计",
            ],
            rv,
        ],
        15,
    )
    for i, heading in ((5, "存在的主要问题及改进情况"), (6, "其他需要报告的事项")):
        lines += ["", f"## {NUMERALS[i - 1]}、{heading}", ""]
        for para in p[heading]:
            lines += [para, ""]
    lines += ["宜宾市翠屏区卫生健康局", "", "2024年1月19日", "", "— 4 —", ""]
    return t, "\n".join(lines)


# --------------------------------------------------------------------------------------
# 2. OCR transcription (phone OCR app / PaddleOCR table dump), 2019 template


_NO_LINE_START = set("，。、；：？！）》」』”’〉〕")


def hard_wrap(text: str, width: int) -> list[str]:
    """OCR keeps the printed line breaks: a paragraph comes back cut about every ``width`` characters.

    The typesetter's rules hold: a number is never cut, closing punctuation never opens a line.
    """
    lines: list[str] = []
    while len(text) > width:
        cut = width
        while cut < len(text) and text[cut] in _NO_LINE_START:
            cut += 1
        while (
            0 < cut < len(text)
            and text[cut].isascii()
            and text[cut].isalnum()
            and text[cut - 1].isascii()
            and text[cut - 1].isalnum()
        ):
            cut -= 1
        lines.append(text[:cut])
        text = text[cut:]
    return [*lines, text] if text else lines


def doc_ocr() -> tuple[Truth, str]:
    rng = random.Random(2020_2)
    t = Truth(
        name="ocr_2019_phone.txt",
        fmt="ocr",
        notes=(
            "OCR of a photographed printed 2019-template report: prose hard-wrapped every 31 characters (the printed line); "
            "tables as tab-separated rows where merged cells leave empty placeholder columns; the vertical category cell "
            "三、本年度办理结果 comes back one character per row in column 0; long labels (（二）部分公开…, "
            "2．其他法律行政法规禁止公开 …) split over two lines, the numbers on the second; 规章 row '/' -> null; "
            "本年增/减 negative (-3)."
        ),
        title="邵阳市大祥区民政局2020年政府信息公开工作年度报告",
        agency="邵阳市大祥区民政局",
        year=2020,
        published_date="2021-01-28",
        template="2019",
        region={"province": "湖南省", "city": "邵阳市", "county": "大祥区"},
        sections=SECTIONS_2019,
        failed_checks=[],
    )
    t.proactive = {
        "regulations": {"made": None, "published": None, "total": None},
        "normative_documents": {"made": 3, "published": 3, "total": 21},
        "licensing": {"previous": 12, "change": -3, "decisions": 86},
        "other_services": {"previous": 7, "change": 0, "decisions": 412},
        "penalty": {"previous": 4, "change": 1, "decisions": 2},
        "enforcement": {"previous": 0, "change": 0, "decisions": 0},
        "fees": {"previous": 0, "change": 0},
        "procurement": {"items": 5, "amount": 86.4},
    }
    t.requests = draw_requests(rng, "2019", 9)
    t.review = review((1, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0))
    verify(t)
    p = body_2019(t, Extra(764, 18, 6))
    out: list[str] = [t.agency, t.title.removeprefix(t.agency), ""]
    for para in p["intro"]:
        out += hard_wrap(para, 31)
    headings = iter(f"{NUMERALS[i]}、{h}" for i, h in enumerate(SECTIONS_2019))
    out.append(next(headings))
    for para in p["总体情况"]:
        out += hard_wrap(para, 31)
    out.append(next(headings))
    pr = t.proactive

    def tabs(*cells: Any) -> str:
        return "\t".join(fmt(c) if not isinstance(c, str) else c for c in cells)

    out += [
        tabs("第二十条第（一）项", "", "", ""),
        tabs("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
        tabs("规章", "/", "/", "/"),
        tabs("规范性文件", *pr["normative_documents"].values()),
        tabs("第二十条第（五）项", "", "", ""),
        tabs("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
        tabs("行政许可", *pr["licensing"].values()),
        tabs("其他对外管理服务", "", "", ""),
        tabs("事项", *pr["other_services"].values()),
        tabs("第二十条第（六）项", "", "", ""),
        tabs("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
        tabs("行政处罚", *pr["penalty"].values()),
        tabs("行政强制", *pr["enforcement"].values()),
        tabs("第二十条第（八）项", "", "", ""),
        tabs("信息内容", "上一年项目数量", "本年增/减", ""),
        tabs("行政事业性收费", *pr["fees"].values(), ""),
        tabs("第二十条第（九）项", "", "", ""),
        tabs("信息内容", "采购项目数量", "采购总金额", ""),
        tabs("政府集中采购", pr["procurement"]["items"], "86.4万元", ""),
    ]
    out.append(next(headings))
    out += [
        tabs("（本列数据的勾稽关系为：第一项加第二", "", "申请人情况", "", "", "", "", "", ""),
        tabs("项之和，等于第三项加第四项之和）", "", "", "", "", "", "", "", ""),
        tabs("", "", "自然人", "法人或其他组织", "", "", "", "", "总计"),
        tabs("", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""),
    ]
    vertical = iter("三、本年度办理结果")
    for r in t3_rows("2019"):
        v = t.requests[r.key]
        if r.key in ("new", "carried_over", "carried_forward"):
            out.append(tabs(r.outer, "", *v))
            continue
        col0 = next(vertical, "")
        if r.key == "partially_disclosed":
            out.append(tabs(col0, "（二）部分公开（区分处理的，只计", "", *([""] * 7)))
            out.append(tabs("", "这一情形，不计其他情形）", "", *v))
        elif r.key == "withheld.prohibited_by_law":
            out.append(tabs(col0, "", "2．其他法律行政法规禁止", *([""] * 7)))
            out.append(tabs("", "", "公开", *v))
        elif r.key == "not_processed.confirmation":
            out.append(tabs(col0, "", "5．要求行政机关确认或重新", *([""] * 7)))
            out.append(tabs("", "", "出具已获取信息", *v))
        elif r.item:
            category = r.category if r.item.startswith("1") else ""
            out.append(tabs(col0, category, r.item, *v))
        else:
            out.append(tabs(col0, r.category, "", *v))
    out.append(next(headings))
    out += [
        tabs("行政复议", "", "", "", "", "行政诉讼", "", "", "", "", "", "", "", "", ""),
        tabs("结果", "结果", "其他", "尚未", "总计", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""),
        tabs(
            "维持",
            "纠正",
            "结果",
            "审结",
            "",
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
            "结果维持",
            "结果纠正",
            "其他结果",
            "尚未审结",
            "总计",
        ),
        tabs(*[t.review[g][f] for g in REVIEW_GROUPS for f in REVIEW_FIELDS]),
    ]
    for heading in SECTIONS_2019[4:]:
        out.append(next(headings))
        for para in p[heading]:
            out += hard_wrap(para, 31)
    out += ["邵阳市大祥区民政局", "2021年1月28日", ""]
    return t, "\n".join(out)


# --------------------------------------------------------------------------------------
# 3. An archiver's text dump of a portal page (header, chrome, innerText tables, footer)


def doc_archived() -> tuple[Truth, str]:
    rng = random.Random(2022_3)
    url = "http://www.lingcheng.gov.cn/n46497043/n46497072/c71835920/content.html"
    t = Truth(
        name="page_2021_archived.txt",
        fmt="flattened",
        notes=(
            "Text an archiving tool saved from a portal page: 标题：/发布时间：/来源：/原文链接： header lines, page chrome "
            "(当前位置, 点击数：, 【字体：大 中 小】, 打印本页 关闭窗口, 分享到：), tables as a browser's innerText (tab-separated "
            "cells, rowspan cells only on their first row, so rows start at different columns); the zero applicant cells of the "
            "不予公开 and 无法提供 rows printed blank (two tabs in a row, trailing tabs) while their 总计 is printed -> null, "
            "T3-2/T3-3 not assessable there, not failed; footer (主办单位, 网站标识码, 鲁ICP备, 公网安备). "
            "The published date is the 发布时间 line (2023-01-30 10:21), not the archive date in the footer."
        ),
        title="德州市陵城区自然资源局2022年政府信息公开工作年度报告",
        agency="德州市陵城区自然资源局",
        year=2022,
        published_date="2023-01-30",
        template="2021",
        region={"province": "山东省", "city": "德州市", "county": "陵城区"},
        sections=SECTIONS_2019,
        failed_checks=[],
    )
    t.proactive = {
        "regulations": {"made": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"made": 1, "repealed": 2, "in_force": 7},
        "licensing": {"decisions": 358},
        "penalty": {"decisions": 46},
        "enforcement": {"decisions": 0},
        "fees": {"amount_10k_yuan": 0},
    }
    t.requests = draw_requests(rng, "2021", 22)
    # as some real reports do: zero applicant cells of the 不予公开 and 无法提供 rows left blank, 总计 printed
    for key, row in t.requests.items():
        if key.startswith(("withheld.", "unavailable.")):
            row[:6] = [None if v == 0 else v for v in row[:6]]
    t.review = review((3, 1, 0, 2), (1, 0, 1, 1), (1, 0, 0, 0))
    verify(t)
    p = prose(t, Extra(512, 9, 4))

    def tabs(*cells: Any) -> str:
        return "\t".join(fmt(c) if not isinstance(c, str) else c for c in cells)

    out = [
        f"标题：{t.title}",
        "发布时间：2023-01-30 10:21",
        "来源：德州市陵城区自然资源局",
        f"原文链接：{url}",
        "",
        "首页 | 走进陵城 | 政务公开 | 政务服务 | 互动交流",
        "当前位置：首页 > 政府信息公开 > 政府信息公开年报 > 区政府部门",
        t.title,
        "发布日期：2023-01-30    信息来源：德州市陵城区自然资源局    点击数：123",
        "【字体：大 中 小】",
        "",
    ]
    out += p["intro"]
    headings = iter(f"{NUMERALS[i]}、{h}" for i, h in enumerate(SECTIONS_2019))
    out.append(next(headings))
    out += p["总体情况"]
    out.append(next(headings))
    pr = t.proactive
    out += [
        tabs("第二十条第（一）项"),
        tabs("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        tabs("规章", *pr["regulations"].values()),
        tabs("行政规范性文件", *pr["normative_documents"].values()),
        tabs("第二十条第（五）项"),
        tabs("信息内容", "本年处理决定数量"),
        tabs("行政许可", pr["licensing"]["decisions"]),
        tabs("第二十条第（六）项"),
        tabs("信息内容", "本年处理决定数量"),
        tabs("行政处罚", pr["penalty"]["decisions"]),
        tabs("行政强制", pr["enforcement"]["decisions"]),
        tabs("第二十条第（八）项"),
        tabs("信息内容", "本年收费金额（单位：万元）"),
        tabs("行政事业性收费", pr["fees"]["amount_10k_yuan"]),
    ]
    out.append(next(headings))
    out += [
        tabs("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"),
        tabs("自然人", "法人或其他组织", "总计"),
        tabs("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"),
    ]
    seen: set[str] = set()
    for r in t3_rows("2021", dot="."):
        v = t.requests[r.key]
        lead = [x for x in (r.outer, r.category) if x and x not in seen]
        seen.update(lead)
        out.append(tabs(*lead, *([r.item] if r.item else []), *v))
    out.append(next(headings))
    out += [
        tabs("行政复议", "行政诉讼"),
        tabs("结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"),
        tabs(*(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)),
        tabs(*[t.review[g][f] for g in REVIEW_GROUPS for f in REVIEW_FIELDS]),
    ]
    for heading in SECTIONS_2019[4:]:
        out.append(next(headings))
        out += p[heading]
    out += [
        "德州市陵城区自然资源局",
        "2023年1月30日",
        "",
        "【打印本页】 【关闭窗口】",
        "分享到：",
        "相关链接：德州市陵城区自然资源局2021年政府信息公开工作年度报告",
        "",
        "主办单位：德州市陵城区人民政府办公室    承办单位：德州市陵城区大数据中心",
        "网站标识码：3714210001    鲁ICP备05012345号    鲁公网安备 37142102000123号",
        "本页面存档于 2025-12-30 08:14:05",
        "",
    ]
    t.url = None  # the dump is a local file; its URL is only printed in the header
    return t, "\n".join(out)


# --------------------------------------------------------------------------------------
# 4. A 2021 report whose table cells ran together (naive flattening of a PDF)


def run_together(label: str, values: list[Num], rule: str = "none") -> tuple[str, bool]:
    """A row flattened without separators, and whether a reader can split it back without a guess.

    Only a row whose printed values are all one digit has the one-digit-per-cell reading, and
    even then a blank cell (no digit) or a two-digit value could have left the same run. The
    run is split only when those other readings are ruled out: by the digits alone ("000": no
    number opens with 0) for a row with no arithmetic (table 二, ``rule="none"``); for a row of
    table 三 (``rule="row_sum"``) when the one-digit reading is the only reading whose last
    number (总计) is the sum of the others; table 四's groups (``rule="groups"``) when each
    group's 总计 is the sum of its results, which the drawn numbers always satisfy.
    """
    printed = [fmt(v) for v in values]
    run = "".join(printed)
    if not all(len(p) == 1 and p.isdigit() for p in printed):
        return label + run, False
    if rule == "row_sum":
        return label + run, _sum_readings(run, len(printed)) == 1
    if rule == "groups":
        return label + run, True
    return label + run, len(printed) == 1 or set(run[:-1]) <= {"0"}


def _sum_readings(run: str, most: int) -> int:
    """How many ways the digits read as at most ``most`` numbers (no leading 0) whose last is the sum of the rest."""
    count = 0
    stack: list[tuple[int, list[int]]] = [(0, [])]
    while stack:
        start, parts = stack.pop()
        for end in range(start + 1, len(run) + 1):
            piece = run[start:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            if end == len(run):
                count += bool(parts) and sum(parts) == int(piece)
            elif len(parts) + 1 < most:
                stack.append((end, [*parts, int(piece)]))
    return count


def doc_flattened() -> tuple[Truth, str]:
    rng = random.Random(2021_4)
    t = Truth(
        name="flat_2021_runtogether.txt",
        fmt="flattened",
        notes=(
            "A 2021-template report flattened by a naive extractor: every table row became one line with its cells run together "
            "('规章000', '行政规范性文件21533', '一、本年新收政府信息公开申请数量213001227'). The template is 2021 by the labels "
            "(本年制发件数, 行政规范性文件, 逾期未按收费通知要求缴纳费用) and by the cited 国办公开办函〔2021〕30号. A row whose "
            "printed values are all single digits can be split (as many digits as columns) and is annotated with its numbers "
            "when nothing else fits: in table 三 the one-digit reading must be the only one whose 总计 is the sum of the six "
            "parts, in table 二 (no arithmetic) the digits must allow no other reading ('000'); "
            "a row with a multi-digit value cannot be split unambiguously and every cell of it is annotated null."
        ),
        title="玉溪市红塔区财政局2021年政府信息公开工作年度报告",
        agency="玉溪市红塔区财政局",
        year=2021,
        published_date="2022-01-24",
        template="2021",
        region={"province": "云南省", "city": "玉溪市", "county": "红塔区"},
        sections=SECTIONS_2019,
    )
    t.proactive = {
        "regulations": {"made": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"made": 2, "repealed": 15, "in_force": 33},
        "licensing": {"decisions": 0},
        "penalty": {"decisions": 3},
        "enforcement": {"decisions": 0},
        "fees": {"amount_10k_yuan": 0},
    }
    t.requests = draw_requests(rng, "2021", 6)
    t.review = review((0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0))
    verify(t)
    p = prose(t, Extra(425, 15, 16))
    out = [t.title, ""]
    out += p["intro"]
    headings = iter(f"{NUMERALS[i]}、{h}" for i, h in enumerate(SECTIONS_2019))
    out.append(next(headings))
    out += p["总体情况"]
    out.append(next(headings))
    pr = t.proactive
    unreadable: set[str] = set()

    def emit(label: str, values: list[Num], paths: list[str], rule: str = "none") -> None:
        line, ok = run_together(label, values, rule)
        out.append(line)
        if not ok:
            unreadable.update(paths)

    out += ["第二十条第（一）项", "信息内容本年制发件数本年废止件数现行有效件数"]
    for item, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        cols = ["made", "repealed", "in_force"]
        emit(label, [pr[item][c] for c in cols], [f"proactive/{item}/{c}" for c in cols])
    out += ["第二十条第（五）项", "信息内容本年处理决定数量"]
    emit("行政许可", [pr["licensing"]["decisions"]], ["proactive/licensing/decisions"])
    out += ["第二十条第（六）项", "信息内容本年处理决定数量"]
    emit("行政处罚", [pr["penalty"]["decisions"]], ["proactive/penalty/decisions"])
    emit("行政强制", [pr["enforcement"]["decisions"]], ["proactive/enforcement/decisions"])
    out += ["第二十条第（八）项", "信息内容本年收费金额（单位：万元）"]
    emit("行政事业性收费", [pr["fees"]["amount_10k_yuan"]], ["proactive/fees/amount_10k_yuan"])
    out.append(next(headings))
    out += [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况",
        "自然人法人或其他组织总计",
        "商业企业科研机构社会公益组织法律服务机构其他",
    ]
    seen: set[str] = set()
    for r in t3_rows("2021", dot="."):
        lead = "".join(x for x in (r.outer, r.category) if x and x not in seen)
        seen.update(x for x in (r.outer, r.category) if x)
        emit(lead + r.item, t.requests[r.key], [f"requests/{r.key}/{c}" for c in COLUMNS], "row_sum")
    out.append(next(headings))
    out += ["行政复议行政诉讼", "结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"]
    out.append("结果维持结果纠正其他结果尚未审结总计" * 2)
    rv = [t.review[g][f] for g in REVIEW_GROUPS for f in REVIEW_FIELDS]
    line, ok = run_together("", rv, "groups")
    out.append(line)
    assert ok
    for heading in SECTIONS_2019[4:]:
        out.append(next(headings))
        out += p[heading]
    out += ["玉溪市红塔区财政局", "2022年1月24日", ""]
    # a cell that cannot be recovered is expected null: never a guess
    for path in unreadable:
        table, key, col = path.split("/")
        if table == "proactive":
            t.proactive[key][col] = None
        else:
            t.requests[key][COLUMNS.index(col)] = None
    t.unreadable = unreadable
    return t, "\n".join(out)


# --------------------------------------------------------------------------------------
# HTML helpers


def html_table(rows: list[list[tuple[str, int, int] | str]]) -> str:
    """Rows of cells; a cell is text or (text, colspan, rowspan). Blank cells print &nbsp; as Word does."""
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">']
    for row in rows:
        out.append("<tr>")
        for cell in row:
            text, cs, rs = (cell, 1, 1) if isinstance(cell, str) else cell
            attrs = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "")
            out.append(f"<td{attrs}><p>{html.escape(text) if text else '&nbsp;'}</p></td>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def t3_html(t: Truth, template: str) -> str:
    rows: list[list[tuple[str, int, int] | str]] = [
        [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 7, 1)],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
    ]
    spec = t3_rows(template)
    n_results = sum(1 for r in spec if r.outer.startswith("三"))
    cat_sizes: dict[str, int] = {}
    for r in spec:
        cat_sizes[r.category] = cat_sizes.get(r.category, 0) + 1
    started: set[str] = set()
    for r in spec:
        v = [fmt(x) for x in t.requests[r.key]]
        cells: list[tuple[str, int, int] | str] = []
        if r.key in ("new", "carried_over", "carried_forward"):
            cells.append((r.outer, 3, 1))
        else:
            if r.outer not in started:
                cells.append((r.outer, 1, n_results))
                started.add(r.outer)
            if r.item:
                if r.category not in started:
                    cells.append((r.category, 1, cat_sizes[r.category]))
                    started.add(r.category)
                cells.append(r.item)
            else:
                cells.append((r.category, 2, 1))
        rows.append([*cells, *v])
    return html_table(rows)


def t4_html(t: Truth) -> str:
    fields = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return html_table(
        [
            [("行政复议", 5, 1), ("行政诉讼", 10, 1)],
            [*((f, 1, 2) for f in fields), ("未经复议直接起诉", 5, 1), ("复议后起诉", 5, 1)],
            [*fields, *fields],
            [fmt(t.review[g][f]) for g in REVIEW_GROUPS for f in REVIEW_FIELDS],
        ]
    )


def t2_2019_html(pr: dict[str, dict[str, Num]], short_procurement: bool = False) -> str:
    def r(label: str, item: str) -> list[tuple[str, int, int] | str]:
        return [label, *(fmt(v) for v in pr[item].values())]

    procurement: list[tuple[str, int, int] | str] = ["政府集中采购", fmt(pr["procurement"]["items"])]
    if not short_procurement:
        procurement.append(fmt(pr["procurement"]["amount"]))
    return html_table(
        [
            [("第二十条第（一）项", 4, 1)],
            ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
            r("规章", "regulations"),
            r("规范性文件", "normative_documents"),
            [("第二十条第（五）项", 4, 1)],
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            r("行政许可", "licensing"),
            r("其他对外管理服务事项", "other_services"),
            [("第二十条第（六）项", 4, 1)],
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            r("行政处罚", "penalty"),
            r("行政强制", "enforcement"),
            [("第二十条第（八）项", 4, 1)],
            ["信息内容", "上一年项目数量", ("本年增/减", 2, 1)],
            [*r("行政事业性收费", "fees")[:2], (fmt(pr["fees"]["change"]), 2, 1)],
            [("第二十条第（九）项", 4, 1)],
            ["信息内容", "采购项目数量", ("采购总金额", 2, 1)],
            procurement,
        ]
    )


def paras(texts: list[str], indent: bool = True) -> str:
    style = ' style="text-indent:2em"' if indent else ""
    return "\n".join(f"<p{style}>{html.escape(x)}</p>" for x in texts)


def body_2019(t: Truth, extra: Extra) -> dict[str, list[str]]:
    p = prose(t, extra)
    p["intro"] = [
        f"本年度报告根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发"
        f"〈中华人民共和国政府信息公开工作年度报告格式（试行）〉的通知》（国办公开办函〔2019〕60号）要求编制。本年度报告中所列数据的统计期限自"
        f"{t.year}年1月1日起至{t.year}年12月31日止。如对本报告有疑问，请与{t.agency}联系。"
    ]
    return p


# --------------------------------------------------------------------------------------
# 5. A city office's HTML page: title starting with the year, a header clock, PubDate meta


def doc_city_office() -> tuple[Truth, str]:
    rng = random.Random(2019_5)
    t = Truth(
        name="html_2019_city_office.html",
        fmt="webpage",
        notes=(
            "City government office page, 2019 template: the title starts with the year ('2019年大连市人民政府办公厅…') and the "
            "expected title is as printed; the site header shows today's clock '2025年12月30日 星期二' (not the publication date); "
            'the article\'s own <meta name="PubDate"> and the visible 发布时间 give 2020-01-20; a right-column list of other '
            "reports (2018年…); tables with rowspan/colspan and &nbsp; cells; 规章 0 0 0 -> 0."
        ),
        title="2019年大连市人民政府办公厅政府信息公开工作年度报告",
        agency="大连市人民政府办公厅",
        year=2019,
        published_date="2020-01-20",
        template="2019",
        region={"province": "辽宁省", "city": "大连市"},
        sections=SECTIONS_2019,
        failed_checks=[],
        url="https://www.dl.gov.cn/art/2020/1/20/art_4443_1924817.html",
    )
    t.proactive = {
        "regulations": {"made": 0, "published": 0, "total": 0},
        "normative_documents": {"made": 11, "published": 11, "total": 146},
        "licensing": {"previous": 38, "change": -6, "decisions": 2417},
        "other_services": {"previous": 15, "change": 2, "decisions": 8325},
        "penalty": {"previous": 9, "change": 0, "decisions": 0},
        "enforcement": {"previous": 2, "change": 0, "decisions": 0},
        "fees": {"previous": 0, "change": 0},
        "procurement": {"items": 31, "amount": 1268.57},
    }
    t.requests = draw_requests(rng, "2019", 60)
    t.review = review((4, 1, 0, 1), (2, 0, 1, 1), (1, 0, 0, 1))
    verify(t)
    p = body_2019(t, Extra(6280, 112, 47))
    heads = [f"{NUMERALS[i]}、{h}" for i, h in enumerate(SECTIONS_2019)]
    body = "\n".join(
        [
            paras(p["intro"]),
            f"<p><strong>{heads[0]}</strong></p>",
            paras(p["总体情况"]),
            f"<p><strong>{heads[1]}</strong></p>",
            t2_2019_html(t.proactive),
            f"<p><strong>{heads[2]}</strong></p>",
            t3_html(t, "2019"),
            f"<p><strong>{heads[3]}</strong></p>",
            t4_html(t),
            f"<p><strong>{heads[4]}</strong></p>",
            paras(p["存在的主要问题及改进情况"]),
            f"<p><strong>{heads[5]}</strong></p>",
            paras(p["其他需要报告的事项"]),
            '<p style="text-align:right">大连市人民政府办公厅</p>',
            '<p style="text-align:right">2020年1月20日</p>',
        ]
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{t.title} - 大连市人民政府</title>
<meta name="SiteName" content="大连市人民政府">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{t.title}">
<meta name="PubDate" content="2020-01-20 16:42">
<meta name="ContentSource" content="大连市人民政府办公厅">
</head>
<body>
<div class="top-bar"><span id="today">2025年12月30日 星期二</span> <a href="/">无障碍</a> <a href="/">长者模式</a> <a href="/">English</a></div>
<div class="nav"><a href="/">首页</a> <a href="/">政务公开</a> <a href="/">政务服务</a> <a href="/">互动交流</a> <a href="/">走进大连</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/">政府信息公开</a> &gt; <a href="/">政府信息公开年报</a></div>
<div class="article">
<h1 class="title">{t.title}</h1>
<div class="info">发布时间：2020-01-20 16:42 来源：大连市人民政府办公厅 浏览次数：3821 【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
<div id="zoom" class="TRS_Editor">
{body}
</div>
<div class="tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="side"><h3>相关阅读</h3><ul>
<li><a href="/art/2019/3/28/art_4443_1721107.html">2018年大连市人民政府办公厅政府信息公开工作年度报告</a></li>
<li><a href="/art/2019/3/28/art_4443_1721106.html">2018年大连市人民政府政府信息公开工作年度报告</a></li>
</ul></div>
<div class="footer">主办单位：大连市人民政府办公厅 网站标识码：2102000001 辽ICP备05001357号 辽公网安备 21020302000107号</div>
</body>
</html>
"""
    return t, page


# --------------------------------------------------------------------------------------
# 6./7. A 函 and a 通知 filed in a report column (must be refused)


def portal_page(title: str, date: str, source: str, body: str, column: str) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{html.escape(title)}</title>
<meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="PubDate" content="{date}">
<meta name="ColumnName" content="{column}">
<meta name="ContentSource" content="{source}">
</head>
<body>
<div class="head"><a href="/">首页</a> <a href="/">政府信息公开</a> <a href="/">{column}</a></div>
<div class="crumb">您当前所在位置：首页 &gt; 政府信息公开 &gt; {column}</div>
<table class="xxgk-meta">
<tr><td>索引号：</td><td>11321311014163000X/2023-00017</td><td>发布机构：</td><td>{source}</td></tr>
<tr><td>名称：</td><td>{html.escape(title)}</td><td>发文日期：</td><td>{date[:10]}</td></tr>
</table>
<div class="article"><h1>{html.escape(title)}</h1>
<div class="TRS_Editor">
{body}
</div></div>
<div class="foot">主办单位：{source} 网站标识码：3213110001 苏ICP备10215263号</div>
</body>
</html>
"""


def doc_han() -> tuple[Truth, str]:
    t = Truth(
        name="html_notice_han.html",
        fmt="webpage",
        notes=(
            "A 函 from a district office to its departments about compiling the annual reports, filed in the 政府信息公开年报 column: "
            "it names the report title pattern, the 2021 format circular, the six parts, 表三 and 表四, a deadline and a year, and "
            "has numbered parts (一、二、三、) — but it is not a report. Expected: refused as not a report."
        ),
        refused="not a report",
    )
    title = "宿豫区人民政府办公室关于做好2023年度政府信息公开工作年度报告编制和发布工作的函"
    body = paras(
        [
            "区各部门、各乡镇（街道）：",
            "根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室《关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
            "（国办公开办函〔2021〕30号）要求，现就做好2023年度政府信息公开工作年度报告编制和发布工作有关事项函告如下：",
        ],
        indent=False,
    ) + paras(
        [
            "一、编制要求",
            "各单位年度报告应严格按照格式要求，包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议行政诉讼情况、"
            "存在的主要问题及改进情况、其他需要报告的事项六部分内容。表三“收到和处理政府信息公开申请情况”中，第一项加第二项之和应等于第三项加第四项之和；"
            "表四应如实填报行政复议、行政诉讼数量。",
            "二、发布时间",
            "各单位应于2024年1月31日前，在宿豫区人民政府门户网站本单位“政府信息公开年报”栏目发布，标题统一为“××（单位全称）2023年政府信息公开工作年度报告”。",
            "三、报送要求",
            "年度报告发布前，请将电子版报送区政务公开办公室审核。联系人：王某某，电话：0527-84412345。",
            "宿豫区人民政府办公室",
            "2023年12月18日",
        ]
    )
    return t, portal_page(title, "2023-12-18 15:04", "宿豫区人民政府办公室", body, "政府信息公开年报")


def doc_tongzhi() -> tuple[Truth, str]:
    t = Truth(
        name="html_notice_tongzhi.html",
        fmt="webpage",
        notes=(
            "A 通知 issuing the year's 政务公开工作要点, filed in a county's 信息公开年报 column: numbered parts, 政府信息公开, "
            "主动公开 and 依申请公开, a year; not a report. Expected: refused as not a report."
        ),
        refused="not a report",
    )
    title = "政和县人民政府办公室关于印发2024年政务公开工作要点的通知"
    body = paras(
        [
            "各乡（镇）人民政府、街道办事处，县直各单位：",
            "经县政府同意，现将《政和县2024年政务公开工作要点》印发给你们，请认真贯彻落实。",
            "政和县人民政府办公室",
            "2024年4月26日",
            "（此件主动公开）",
            "政和县2024年政务公开工作要点",
            "一、围绕稳住经济大盘加强政策发布解读",
            "（一）加大政策信息主动公开力度。各单位要在政府信息公开专栏及时发布涉及市场主体的政策文件，全年主动公开政策文件原则上不少于20条。",
            "二、持续提升依申请公开办理质量",
            "（二）规范依申请公开办理。严格按照《中华人民共和国政府信息公开条例》规定的时限和程序办理政府信息公开申请，降低行政复议纠错率。",
            "三、抓好政务公开工作年度报告",
            "（三）各单位应于2025年1月31日前发布本单位2024年政府信息公开工作年度报告，确保表格数据准确、勾稽关系正确。",
        ]
    )
    return t, portal_page(title, "2024-04-26 09:12", "政和县人民政府办公室", body, "信息公开年报")


# --------------------------------------------------------------------------------------
# 8./9. Pre-2019 free-form reports with traps in their prose


def doc_pre2019_text() -> tuple[Truth, str]:
    t = Truth(
        name="pre2019_text_jinan.txt",
        fmt="flattened",
        notes=(
            "Free-form 2016 report of a district government (text saved from the page): the prose first mentions other kinds of "
            "applications (区政务服务中心受理行政审批申请121510件), a project list ('重点项目专栏发布信息166条'), last year's "
            "figure (2015年主动公开信息2650条) and only then the report's own figures (主动公开政府信息3217条; 受理政府信息公开申请14件); "
            "one review case and no litigation, in prose; no fee. figures are the report's own, not the first number a pattern meets."
        ),
        title="六安市金安区人民政府2016年政府信息公开工作年度报告",
        agency="六安市金安区人民政府",
        year=2016,
        published_date="2017-03-29",
        template="pre2019",
        region={"province": "安徽省", "city": "六安市", "county": "金安区"},
        sections=[
            "概述",
            "主动公开政府信息情况",
            "依申请公开政府信息情况",
            "政府信息公开的收费及减免情况",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
            "存在的主要问题及改进措施",
            "其他需要报告的事项",
        ],
        figures={"proactive_items": 3217, "requests_received": 14, "review_cases": 1, "litigation_cases": 0},
    )
    out = [
        t.title,
        "发布时间：2017-03-29",
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由六安市金安区人民政府办公室编制。全文包括概述，主动公开政府信息情况，"
        "依申请公开政府信息情况，政府信息公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼的情况，存在的主要问题及改进措施，"
        "其他需要报告的事项。本报告中所列数据的统计期限自2016年1月1日起至2016年12月31日止。",
        "一、概述",
        "2016年，金安区深入贯彻落实《条例》，以推进行政权力运行公开为重点，深化重点领域信息公开。区政务服务中心全年受理行政审批申请121510件，"
        "办结121487件，按时办结率99.98%。",
        "二、主动公开政府信息情况",
        "（一）重点领域信息公开。在区政府门户网站开设重点项目专栏，发布信息166条，公开重大建设项目批准和实施信息；公开财政预决算、“三公”经费等信息58条。",
        "（二）公开总体情况。全年共主动公开政府信息3217条，较2015年的2650条增长21.4%。其中，规范性文件12件，政府信息公开目录更新信息2904条。",
        "（三）公开载体。通过政府网站公开信息3105条，通过政务微博、微信公开信息1076条，通过报刊、广播、电视公开信息214条。",
        "三、依申请公开政府信息情况",
        "2016年，全区共受理政府信息公开申请14件，其中当面申请3件、网络申请9件、信函申请2件。已答复14件，其中同意公开9件，同意部分公开2件，"
        "不属于本行政机关公开范围3件。2015年受理的11件申请均已办结。",
        "四、政府信息公开的收费及减免情况",
        "2016年，我区在政府信息公开工作中未收取任何费用。",
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "2016年，因政府信息公开申请行政复议1件，经复议维持原答复；未发生因政府信息公开提起行政诉讼的情况。",
        "六、存在的主要问题及改进措施",
        "一是部分单位信息更新不够及时；二是政策解读工作有待加强。2017年，我区将进一步完善制度，加强考核，推动政府信息公开工作再上新台阶。",
        "七、其他需要报告的事项",
        "无。",
        "六安市金安区人民政府办公室",
        "2017年3月29日",
        "",
    ]
    return t, "\n".join(out)


def doc_pre2019_html() -> tuple[Truth, str]:
    t = Truth(
        name="pre2019_html_qibin.html",
        fmt="webpage",
        notes=(
            "Free-form 2015 report of a district government page: the prose counts 人大代表建议和政协提案 (56件), a 2014 comparison "
            "(2014年主动公开信息1210条), a list of channels each with its own 发布信息N条 before the total, 依申请公开 9件 "
            "(new only; 2 carried from 2014 mentioned separately), 行政复议案件2起 and no litigation; visible '发布日期：2016-03-30'."
        ),
        title="鹤壁市淇滨区人民政府2015年政府信息公开工作年度报告",
        agency="鹤壁市淇滨区人民政府",
        year=2015,
        published_date="2016-03-30",
        template="pre2019",
        region={"province": "河南省", "city": "鹤壁市", "county": "淇滨区"},
        sections=[
            "概述",
            "主动公开政府信息情况",
            "依申请公开政府信息情况",
            "政府信息公开的收费及减免情况",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
            "政府信息公开工作存在的主要问题及改进情况",
        ],
        figures={"proactive_items": 1468, "requests_received": 9, "review_cases": 2, "litigation_cases": 0},
    )
    body = paras(
        [
            "根据《中华人民共和国政府信息公开条例》规定，现将淇滨区人民政府2015年政府信息公开工作情况报告如下。",
            "一、概述",
            "2015年，淇滨区坚持“以公开为原则、不公开为例外”，全年办理人大代表建议和政协提案共56件，办复率100%。",
            "二、主动公开政府信息情况",
            "全年在区政府门户网站“政务动态”栏目发布信息412条，在“通知公告”栏目发布信息96条，在“人事信息”栏目发布信息37条。"
            "全年共主动公开政府信息1468条，比2014年主动公开信息1210条增加258条。",
            "三、依申请公开政府信息情况",
            "2015年，区政府及各部门共收到政府信息公开申请9件，另有2014年结转申请2件，均已按期答复。",
            "四、政府信息公开的收费及减免情况",
            "2015年，未收取政府信息公开检索、复制、邮寄等费用。",
            "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
            "全年发生涉及政府信息公开的行政复议案件2起，其中维持1起、撤销1起；未发生涉及政府信息公开的行政诉讼案件。",
            "六、政府信息公开工作存在的主要问题及改进情况",
            "我区政府信息公开工作虽然取得了一定成效，但仍存在公开内容不够全面、更新不够及时等问题。2016年，我们将进一步拓宽公开渠道，提升公开实效。",
            "鹤壁市淇滨区人民政府办公室",
            "2016年3月30日",
        ]
    )
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{t.title}_鹤壁市淇滨区人民政府</title>
</head>
<body>
<div class="top">欢迎访问鹤壁市淇滨区人民政府网站 <a href="/">设为首页</a> <a href="/">加入收藏</a></div>
<div class="position">您现在的位置：首页 &gt; 信息公开 &gt; 政府信息公开年报</div>
<div class="content">
<h2>{t.title}</h2>
<div class="info">发布日期：2016-03-30 来源：区政府办 点击：【<span>1025</span>】</div>
<div class="zw">
{body}
</div>
</div>
<div class="footer">版权所有：鹤壁市淇滨区人民政府 豫ICP备12014587号 网站标识码：4106110002</div>
</body>
</html>
"""
    return t, page


# --------------------------------------------------------------------------------------
# 10. A 2019 report with the all-blank （六）其他处理 row and a short table 二 row


def doc_blank_other() -> tuple[Truth, str]:
    rng = random.Random(2020_10)
    t = Truth(
        name="html_2019_blank_other.html",
        fmt="webpage",
        notes=(
            "2019 template, 23 data rows in table 三; the single （六）其他处理 row is printed with every cell blank (&nbsp;) -> "
            "null in all seven columns (T3-2 not assessable, not failed); table 二's 政府集中采购 row has only two cells in a "
            "four-column grid (the amount cell is missing -> null); 本年增/减 '-2'; Word-pasted page, published date from the "
            "visible 发布时间 only."
        ),
        title="遵义市汇川区交通运输局2020年政府信息公开工作年度报告",
        agency="遵义市汇川区交通运输局",
        year=2020,
        published_date="2021-01-26",
        template="2019",
        region={"province": "贵州省", "city": "遵义市", "county": "汇川区"},
        sections=SECTIONS_2019,
        failed_checks=[],
    )
    t.proactive = {
        "regulations": {"made": 0, "published": 0, "total": 0},
        "normative_documents": {"made": 1, "published": 1, "total": 6},
        "licensing": {"previous": 23, "change": -2, "decisions": 1187},
        "other_services": {"previous": 4, "change": 0, "decisions": 53},
        "penalty": {"previous": 31, "change": 5, "decisions": 642},
        "enforcement": {"previous": 6, "change": 0, "decisions": 17},
        "fees": {"previous": 0, "change": 0},
        "procurement": {"items": 3, "amount": None},
    }
    t.requests = draw_requests(rng, "2019", 8, blank_rows=("other",))
    t.review = review((0, 0, 0, 0), (1, 0, 0, 0), (0, 0, 0, 0))
    verify(t)
    p = body_2019(t, Extra(937, 14, 5))
    heads = [f"{NUMERALS[i]}、{h}" for i, h in enumerate(SECTIONS_2019)]
    parts = [paras(p["intro"]), f"<p><b>{heads[0]}</b></p>", paras(p["总体情况"]), f"<p><b>{heads[1]}</b></p>"]
    parts += [t2_2019_html(t.proactive, short_procurement=True), f"<p><b>{heads[2]}</b></p>", t3_html(t, "2019")]
    parts += [f"<p><b>{heads[3]}</b></p>", t4_html(t), f"<p><b>{heads[4]}</b></p>", paras(p["存在的主要问题及改进情况"])]
    parts += [
        f"<p><b>{heads[5]}</b></p>",
        paras(p["其他需要报告的事项"]),
        "<p>遵义市汇川区交通运输局</p>",
        "<p>2021年1月26日</p>",
    ]
    body = "\n".join(parts)
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{t.title}-遵义市汇川区人民政府</title>
</head>
<body>
<div class="nav"><a href="/">首页</a> <a href="/">政务公开</a> <a href="/">政务服务</a></div>
<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报 &gt; 部门年报</div>
<div class="detail">
<div class="title">{t.title}</div>
<div class="sub">发布时间：2021-01-26 17:35 &nbsp; 信息来源：区交通运输局 &nbsp; 字号：[大 中 小]</div>
<div class="view TRS_UEDITOR">
{body}
</div>
<div class="print">【打印本页】【关闭窗口】</div>
</div>
<div class="foot">主办：遵义市汇川区人民政府办公室 网站标识码：5203030001 黔ICP备13003124号-1</div>
</body>
</html>
"""
    return t, page


# --------------------------------------------------------------------------------------

BUILDERS: list[Callable[[], tuple[Truth, str]]] = [
    doc_markdown,
    doc_ocr,
    doc_archived,
    doc_flattened,
    doc_city_office,
    doc_han,
    doc_tongzhi,
    doc_pre2019_text,
    doc_pre2019_html,
    doc_blank_other,
]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    annotations = []
    for build in BUILDERS:
        truth, text = build()
        (OUT / truth.name).write_text(text if text.endswith("\n") else text + "\n", "utf-8")
        annotations.append(truth.annotation())
    (OUT / "annotations.json").write_text(json.dumps(annotations, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {len(annotations)} documents and annotations.json to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

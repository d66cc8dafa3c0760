"""Generate the parser evaluation documents and their annotations.

Run from the project root::

    .venv/bin/python tests/eval/make_fixtures.py

It (re)writes every file under ``tests/eval/fixtures/``:

* ``gov2021_merged.docx`` / ``.pdf`` -- 2021 template, real merged cells, PDF printed by LibreOffice;
* ``gov2019_merged.docx`` / ``.pdf`` -- 2019 template with a local extra row in table 三;
* ``gov2021_gbk.html`` -- Word-pasted portal page, GBK bytes, charset only in ``<meta http-equiv>``;
* ``gov2019_big5style.html`` -- 2019 template in traditional characters (a ``/gate/big5/`` mirror);
* ``pre2019_report.html`` -- free-form 2017 report;
* ``gov2021_inconsistent.docx`` -- the report's own arithmetic errors in tables 三 and 四;
* ``annotations.json`` -- the expected record fields for each document.

Each document is one Python structure (``Doc``) from which both the document and its
annotation are written, so they cannot disagree. Cell values are ``Cell(value, text)``:
``text`` is what the document prints, ``value`` what the parser must report (``None`` for
blank, "/", "——").  The consistency rules T3-1, T3-2, T3-3 and T4-1 are computed here on the
expected values and compared with each document's declared ``expect_failed``.

The output is deterministic: DOCX zip entries and core properties carry fixed dates, and the
creation dates / IDs LibreOffice writes into the PDFs are replaced by fixed values of the same
length.  The PDF step is skipped, with a message, when ``soffice`` is not installed (the
committed PDFs are then left as they are).  The documents are fictional; the place names are
real so that region extraction sees realistic names.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import opencc
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REL_DIR = "tests/eval/fixtures"
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)

# --------------------------------------------------------------------------------------
# Cells and keys (RECORD.md)


@dataclass(frozen=True)
class Cell:
    """A printed table cell: ``value`` expected from the parser, ``text`` as printed."""

    value: int | float | None
    text: str
    html: str | None = None  # raw HTML to print instead of ``text`` (Word-split runs)


def num(v: float) -> Cell:
    return Cell(v, str(v))


BLANK = Cell(None, "")
SLASH = Cell(None, "/")
DASHES = Cell(None, "——")

APPLICANTS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
]
COLUMNS = APPLICANTS + ["total"]
WITHHELD = [
    "state_secret",
    "prohibited_by_law",
    "three_safeties",
    "third_party",
    "internal_affairs",
    "process_info",
    "enforcement_files",
    "admin_query",
]
UNAVAILABLE = ["not_held", "needs_creation", "unclear"]
NOT_PROCESSED = ["petition", "duplicate", "publication", "excessive", "confirmation"]
OTHER_2021 = ["overdue_correction", "overdue_fee", "other"]
REVIEW_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_FIELDS = ["upheld", "corrected", "other", "pending", "total"]


def outcome_keys(template: str) -> list[str]:
    keys = ["disclosed", "partially_disclosed"]
    keys += [f"withheld.{k}" for k in WITHHELD]
    keys += [f"unavailable.{k}" for k in UNAVAILABLE]
    keys += [f"not_processed.{k}" for k in NOT_PROCESSED]
    keys += ["other"] if template == "2019" else [f"other.{k}" for k in OTHER_2021]
    return keys


def row_keys(template: str) -> list[str]:
    return ["new", "carried_over"] + outcome_keys(template) + ["result_total", "carried_forward"]


# --------------------------------------------------------------------------------------
# Label styles (punctuation varies between documents, as it does between real reports)


@dataclass
class Labels:
    paren: str = "（）"  # （一）予以公开 / (一)予以公开
    art_paren: str = "（）"  # 第二十条第（一）项
    quote: str = "“”"
    sep6: str = "、"  # inside the （六）其他处理 sub-labels
    dot: str = "."  # 1.属于国家秘密 / 1、 / 1．
    vertical: bool = False  # 三、本年度办理结果 printed one character per line
    note: str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    fee_head: str = "本年收费金额（单位：万元）"
    wrap: dict[str, str] = field(default_factory=dict)  # row key -> label with "\n"


def t3_structure(template: str, lb: Labels) -> tuple[list, list, list]:
    """(top rows, outcome block, bottom rows) of table 三 with printed labels."""
    o, c = lb.paren
    q1, q2 = lb.quote

    def items(prefix: str, names: list[str], keys: list[str]) -> list[tuple[str, str]]:
        return [(f"{prefix}.{k}", f"{i}{lb.dot}{n}") for i, (k, n) in enumerate(zip(keys, names, strict=True), 1)]

    block: list[tuple] = [
        ("single", "disclosed", f"{o}一{c}予以公开"),
        ("single", "partially_disclosed", f"{o}二{c}部分公开{o}区分处理的，只计这一情形，不计其他情形{c}"),
        (
            "cat",
            f"{o}三{c}不予公开",
            items(
                "withheld",
                [
                    "属于国家秘密",
                    "其他法律行政法规禁止公开",
                    f"危及{q1}三安全一稳定{q2}",
                    "保护第三方合法权益",
                    "属于三类内部事务信息",
                    "属于四类过程性信息",
                    "属于行政执法案卷",
                    "属于行政查询事项",
                ],
                WITHHELD,
            ),
        ),
        (
            "cat",
            f"{o}四{c}无法提供",
            items("unavailable", ["本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"], UNAVAILABLE),
        ),
        (
            "cat",
            f"{o}五{c}不予处理",
            items(
                "not_processed",
                [
                    "信访举报投诉类申请",
                    "重复申请",
                    "要求提供公开出版物",
                    "无正当理由大量反复申请",
                    "要求行政机关确认或重新出具已获取信息",
                ],
                NOT_PROCESSED,
            ),
        ),
    ]
    if template == "2019":
        block.append(("single", "other", f"{o}六{c}其他处理"))
    else:
        block.append(
            (
                "cat",
                f"{o}六{c}其他处理",
                items(
                    "other",
                    [
                        f"申请人无正当理由逾期不补正{lb.sep6}行政机关不再处理其政府信息公开申请",
                        f"申请人逾期未按收费通知要求缴纳费用{lb.sep6}行政机关不再处理其政府信息公开申请",
                        "其他",
                    ],
                    OTHER_2021,
                ),
            )
        )
    block.append(("single", "result_total", f"{o}七{c}总计"))
    top = [("new", "一、本年新收政府信息公开申请数量"), ("carried_over", "二、上年结转政府信息公开申请数量")]
    bottom = [("carried_forward", "四、结转下年度继续办理")]

    def wrapped(key: str, label: str) -> str:
        return lb.wrap.get(key, label)

    top = [(k, wrapped(k, t)) for k, t in top]
    bottom = [(k, wrapped(k, t)) for k, t in bottom]
    block = [
        (b[0], b[1], wrapped(b[1], b[2])) if b[0] == "single" else (b[0], b[1], [(k, wrapped(k, t)) for k, t in b[2]])
        for b in block
    ]
    return top, block, bottom


# --------------------------------------------------------------------------------------
# Table 三 data


@dataclass
class Requests:
    cells: dict[str, list[Cell]]  # row key -> 7 cells
    extras: list[tuple[str, str, str, list[Cell]]]  # (after key, printed label, expected label, cells)


def build_requests(
    template: str,
    outcomes: dict[str, list[int]],
    carried_over: list[int],
    carried_forward: list[int],
    overrides: dict[tuple[str, str], Cell] | None = None,
    extras: tuple[tuple[str, str, str, list[int]], ...] = (),
) -> Requests:
    """Consistent table 三 from the six applicant columns, then printed overrides."""
    okeys = outcome_keys(template)
    assert set(outcomes) <= set(okeys), set(outcomes) - set(okeys)
    vals = {k: list(outcomes.get(k, [0] * 6)) for k in okeys}
    extra_vals = [list(e[3]) for e in extras]
    rt = [sum(vals[k][i] for k in okeys) + sum(e[i] for e in extra_vals) for i in range(6)]
    new = [rt[i] + carried_forward[i] - carried_over[i] for i in range(6)]
    assert min(new) >= 0, new
    table = {"new": new, "carried_over": carried_over, **vals, "result_total": rt, "carried_forward": carried_forward}
    cells = {k: [num(x) for x in v] + [num(sum(v))] for k, v in table.items()}
    for (key, col), cell in (overrides or {}).items():
        cells[key][COLUMNS.index(col)] = cell
    ext = [(a, p, e, [num(x) for x in v] + [num(sum(v))]) for (a, p, e, _), v in zip(extras, extra_vals, strict=True)]
    return Requests(cells, ext)


def total_only(*keys: str) -> dict[tuple[str, str], Cell]:
    """Rows whose six applicant cells are left blank (only 总计 filled)."""
    return {(k, c): BLANK for k in keys for c in APPLICANTS}


def review(*groups: tuple[int, int, int, int], totals: dict[str, Cell] | None = None) -> dict:
    out = {}
    for g, parts in zip(REVIEW_GROUPS, groups, strict=True):
        out[g] = {f: num(v) for f, v in zip(REVIEW_FIELDS[:4], parts, strict=True)}
        out[g]["total"] = (totals or {}).get(g, num(sum(parts)))
    return out


# --------------------------------------------------------------------------------------
# Consistency rules, evaluated on expected values (None -> the instance is not assessable)


def run_checks(template: str, req: Requests, rl: dict) -> dict[str, list[bool | None]]:
    res: dict[str, list[bool | None]] = {"T3-1": [], "T3-2": [], "T3-3": [], "T4-1": []}

    def eq(parts: list, total: Any) -> bool | None:
        if total is None or any(p is None for p in parts):
            return None
        return abs(sum(parts) - total) < 1e-9

    cells = req.cells
    for i in range(7):
        v = {k: cells[k][i].value for k in cells}
        a = [v["new"], v["carried_over"]]
        b = [v["result_total"], v["carried_forward"]]
        res["T3-1"].append(None if None in a + b else sum(a) == sum(b))
        # Extra rows of this generator all sit inside the 本年度办理结果 block, so they count.
        outs = [v[k] for k in outcome_keys(template)] + [e[3][i].value for e in req.extras]
        res["T3-2"].append(eq(outs, v["result_total"]))
    for row in list(cells.values()) + [e[3] for e in req.extras]:
        res["T3-3"].append(eq([c.value for c in row[:6]], row[6].value))
    for g in REVIEW_GROUPS:
        res["T4-1"].append(eq([rl[g][f].value for f in REVIEW_FIELDS[:4]], rl[g]["total"].value))
    return res


def failed_rules(checks: dict[str, list[bool | None]]) -> list[str]:
    return sorted(rule for rule, results in checks.items() if False in results)


# --------------------------------------------------------------------------------------
# Table layouts: rows of TC cells with HTML-like colspan/rowspan, rendered to DOCX and HTML


@dataclass(frozen=True)
class TC:
    text: str
    cs: int = 1
    rs: int = 1
    cell: Cell | None = None  # data cell (None for a label/header)


def H(text: str, cs: int = 1, rs: int = 1) -> TC:
    return TC(text, cs, rs)


def D(cell: Cell, cs: int = 1) -> TC:
    return TC(cell.text, cs, 1, cell)


def place(spec: list[list[TC]]) -> tuple[list[tuple[int, int, TC]], int, int]:
    """Grid positions of the cells, like an HTML table layout; checks the grid is full."""
    occupied: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(spec):
        c = 0
        for tc in row:
            while (r, c) in occupied:
                c += 1
            placed.append((r, c, tc))
            occupied |= {(r + dr, c + dc) for dr in range(tc.rs) for dc in range(tc.cs)}
            c += tc.cs
    nrows = len(spec)
    ncols = max(c for _, c in occupied) + 1
    assert len(occupied) == nrows * ncols, "table spec leaves holes"
    return placed, nrows, ncols


def art(lb: Labels, n: str) -> str:
    return f"第二十条第{lb.art_paren[0]}{n}{lb.art_paren[1]}项"


def t2_2021(p: dict, lb: Labels) -> list[list[TC]]:
    w = lb.wrap
    return [
        [H(art(lb, "一"), 4)],
        [H("信息内容"), H("本年制发件数"), H("本年废止件数"), H("现行有效件数")],
        [H("规章")] + [D(p["regulations"][f]) for f in ("made", "repealed", "in_force")],
        [H(w.get("t2.normative", "行政规范性文件"))] + [D(p["normative_documents"][f]) for f in ("made", "repealed", "in_force")],
        [H(art(lb, "五"), 4)],
        [H("信息内容"), H("本年处理决定数量", 3)],
        [H("行政许可"), D(p["licensing"]["decisions"], 3)],
        [H(art(lb, "六"), 4)],
        [H("信息内容"), H("本年处理决定数量", 3)],
        [H("行政处罚"), D(p["penalty"]["decisions"], 3)],
        [H("行政强制"), D(p["enforcement"]["decisions"], 3)],
        [H(art(lb, "八"), 4)],
        [H("信息内容"), H(lb.fee_head, 3)],
        [H("行政事业性收费"), D(p["fees"]["amount_10k_yuan"], 3)],
    ]


def t2_2019(p: dict, lb: Labels) -> list[list[TC]]:
    w = lb.wrap
    pcd = [H("信息内容"), H("上一年项目数量"), H("本年增/减"), H("处理决定数量")]

    def row3(label: str, item: str) -> list[TC]:
        return [H(label)] + [D(p[item][f]) for f in ("previous", "change", "decisions")]

    return [
        [H(art(lb, "一"), 4)],
        [H("信息内容"), H("本年新制作数量"), H("本年新公开数量"), H("对外公开总数量")],
        [H("规章")] + [D(p["regulations"][f]) for f in ("made", "published", "total")],
        [H("规范性文件")] + [D(p["normative_documents"][f]) for f in ("made", "published", "total")],
        [H(art(lb, "五"), 4)],
        list(pcd),
        row3("行政许可", "licensing"),
        row3(w.get("t2.other_services", "其他对外管理服务事项"), "other_services"),
        [H(art(lb, "六"), 4)],
        list(pcd),
        row3("行政处罚", "penalty"),
        row3("行政强制", "enforcement"),
        [H(art(lb, "八"), 4)],
        [H("信息内容"), H("上一年项目数量"), H("本年增/减", 2)],
        [H("行政事业性收费"), D(p["fees"]["previous"]), D(p["fees"]["change"], 2)],
        [H(art(lb, "九"), 4)],
        [H("信息内容"), H("采购项目数量"), H("采购总金额", 2)],
        [H("政府集中采购"), D(p["procurement"]["items"]), D(p["procurement"]["amount"], 2)],
    ]


def t3(template: str, req: Requests, lb: Labels) -> list[list[TC]]:
    top, block, bottom = t3_structure(template, lb)
    extras_after: dict[str, list] = {}
    for after, printed, _expected, cells in req.extras:
        extras_after.setdefault(after, []).append((printed, cells))

    def data(cells: list[Cell]) -> list[TC]:
        return [D(c) for c in cells]

    rows: list[list[TC]] = [
        [H(lb.note, 3, 3), H("申请人情况", 7)],
        [H("自然人", 1, 2), H("法人或其他组织", 5), H("总计", 1, 2)],
        [H("商业企业"), H("科研机构"), H("社会公益组织"), H("法律服务机构"), H("其他")],
    ]
    rows += [[H(label, 3)] + data(req.cells[k]) for k, label in top]
    block_rows: list[list[TC]] = []
    for kind, a, b in block:
        if kind == "single":
            block_rows.append([H(b, 2)] + data(req.cells[a]))
            continue
        sub = []
        for key, label in b:
            sub.append((label, req.cells[key]))
            sub += extras_after.get(key, [])
        for i, (label, cells) in enumerate(sub):
            head = [H(a, 1, len(sub))] if i == 0 else []
            block_rows.append(head + [H(label)] + data(cells))
    block_label = "\n".join("三、本年度办理结果") if lb.vertical else "三、本年度办理结果"
    block_rows[0] = [H(block_label, 1, len(block_rows))] + block_rows[0]
    rows += block_rows
    rows += [[H(label, 3)] + data(req.cells[k]) for k, label in bottom]
    return rows


def t4(rl: dict) -> list[list[TC]]:
    five = [H("结果维持"), H("结果纠正"), H("其他结果"), H("尚未审结"), H("总计")]
    return [
        [H("行政复议", 5), H("行政诉讼", 10)],
        [H(t.text, 1, 2) for t in five] + [H("未经复议直接起诉", 5), H("复议后起诉", 5)],
        five[:] + five[:],
        [D(rl[g][f]) for g in REVIEW_GROUPS for f in REVIEW_FIELDS],
    ]


# --------------------------------------------------------------------------------------
# Documents


@dataclass
class Doc:
    slug: str
    fmt: str  # "docx" or "html"
    template: str
    agency: str
    year: int
    published_date: str | None
    region: dict[str, str | None]  # only the keys given are scored
    front: list[tuple]  # blocks before the sections (title, intro)
    sections: list[tuple[str, str, list[tuple]]]  # (number, heading, blocks)
    back: list[tuple] = field(default_factory=list)  # signature blocks
    proactive: dict | None = None
    requests: Requests | None = None
    review: dict | None = None
    expect_failed: list[str] = field(default_factory=list)
    figures: dict[str, int] | None = None
    pdf: bool = False
    page: str = ""  # HTML page kind: "trs_gbk", "big5_gate", "plain"
    notes: str = ""

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def blocks(self) -> list[tuple]:
        out = list(self.front)
        for number, heading, body in self.sections:
            out.append(("h", f"{number}、{heading}"))
            out += body
        return out + self.back


def tot(req: Requests, key: str) -> int | float | None:
    return req.cells[key][6].value


def cat_total(req: Requests, prefix: str) -> int:
    return sum(c[6].value for k, c in req.cells.items() if k.startswith(prefix + ".")) + sum(
        e[3][6].value for e in req.extras if e[0].startswith(prefix + ".")
    )


def intro_2021(agency: str, year: int, where: str, address: str = "") -> str:
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发"
        f"〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，由{agency}编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        f"存在的主要问题及改进情况、其他需要报告的事项。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"本报告电子版可在{where}查阅或下载。如对本报告有疑问，请与{agency}办公室联系{address}。"
    )


def doc_haimen() -> Doc:
    agency, year = "南通市海门区市场监督管理局", 2022
    lb = Labels(vertical=True, wrap={"partially_disclosed": "（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）"})
    proactive = {
        "regulations": {"made": SLASH, "repealed": SLASH, "in_force": SLASH},
        "normative_documents": {"made": num(3), "repealed": num(1), "in_force": num(12)},
        "licensing": {"decisions": num(2846)},
        "penalty": {"decisions": num(187)},
        "enforcement": {"decisions": num(23)},
        "fees": {"amount_10k_yuan": num(1.35)},
    }
    req = build_requests(
        "2021",
        {
            "disclosed": [14, 5, 0, 0, 1, 0],
            "partially_disclosed": [6, 2, 0, 0, 0, 1],
            "withheld.state_secret": [1, 0, 0, 0, 0, 0],
            "withheld.third_party": [2, 1, 0, 0, 0, 0],
            "withheld.internal_affairs": [1, 0, 0, 0, 0, 0],
            "withheld.process_info": [0, 1, 0, 0, 0, 0],
            "withheld.enforcement_files": [1, 0, 0, 0, 0, 0],
            "unavailable.not_held": [7, 2, 0, 1, 0, 0],
            "unavailable.needs_creation": [2, 0, 0, 0, 0, 0],
            "unavailable.unclear": [1, 0, 0, 0, 0, 0],
            "not_processed.petition": [3, 0, 0, 0, 0, 0],
            "not_processed.duplicate": [2, 0, 0, 0, 0, 0],
            "not_processed.publication": [1, 0, 0, 0, 0, 0],
            "not_processed.confirmation": [1, 0, 0, 0, 0, 0],
            "other.overdue_correction": [2, 0, 0, 0, 0, 0],
            "other.other": [1, 0, 0, 0, 0, 0],
        },
        carried_over=[2, 0, 0, 0, 0, 0],
        carried_forward=[1, 1, 0, 0, 0, 0],
    )
    rl = review((3, 1, 0, 1), (1, 0, 0, 0), (1, 0, 0, 1))
    nd = proactive["normative_documents"]
    lit = rl["litigation_direct"]["total"].value + rl["litigation_after_review"]["total"].value
    sections = [
        (
            "一",
            "总体情况",
            [
                (
                    "p",
                    f"{year}年，区市场监管局认真贯彻落实《条例》，围绕市场监管中心工作，持续深化政务公开，"
                    "不断提升政府信息公开的规范化、标准化水平。",
                ),
                ("sub", "（一）主动公开"),
                (
                    "p",
                    f"全年通过区政府门户网站信息公开专栏主动公开政府信息1426条。本年制发行政规范性文件{nd['made'].value}件，"
                    f"废止{nd['repealed'].value}件，现行有效{nd['in_force'].value}件；公开行政许可决定"
                    f"{proactive['licensing']['decisions'].value}件、行政处罚决定{proactive['penalty']['decisions'].value}件。",
                ),
                ("sub", "（二）依申请公开"),
                (
                    "p",
                    f"本年度新收政府信息公开申请{tot(req, 'new')}件，上年结转{tot(req, 'carried_over')}件，"
                    f"办结{tot(req, 'result_total')}件，结转下年度继续办理{tot(req, 'carried_forward')}件。"
                    f"其中予以公开{tot(req, 'disclosed')}件，部分公开{tot(req, 'partially_disclosed')}件，"
                    f"不予公开{cat_total(req, 'withheld')}件，无法提供{cat_total(req, 'unavailable')}件，"
                    f"不予处理{cat_total(req, 'not_processed')}件，其他处理{cat_total(req, 'other')}件。",
                ),
                ("sub", "（三）政府信息管理"),
                ("p", "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”，全年未发生泄密事件。"),
                ("sub", "（四）政府信息公开平台建设"),
                ("p", "加强“海门市场监管”政务新媒体建设管理，及时发布食品安全抽检、消费警示等信息。"),
                ("sub", "（五）监督保障"),
                (
                    "p",
                    f"全年组织政务公开专题培训2次。本年度发生政府信息公开行政复议{rl['review']['total'].value}件，"
                    f"行政诉讼{lit}件。",
                ),
            ],
        ),
        # Page break so that LibreOffice does not split table 三 inside its header row.
        ("二", "主动公开政府信息情况", [("table", t2_2021(proactive, lb)), ("pagebreak",)]),
        ("三", "收到和处理政府信息公开申请情况", [("table", t3("2021", req, lb))]),
        ("四", "政府信息公开行政复议、行政诉讼情况", [("table", t4(rl))]),
        (
            "五",
            "存在的主要问题及改进情况",
            [
                ("sub", "（一）上年度问题整改情况"),
                ("p", "针对上年度信息发布不够及时的问题，建立了信息发布提醒台账，按月通报。"),
                ("sub", "（二）本年度存在的主要问题及改进措施"),
                (
                    "p",
                    "一是政策解读形式较为单一；二是基层所信息公开业务能力有待提高。下一步，我局将丰富图解、视频等解读形式，"
                    "加强业务培训。",
                ),
            ],
        ),
        (
            "六",
            "其他需要报告的事项",
            [
                ("p", "本年度本机关未收取信息处理费。"),
                ("p", "本年度无人大代表建议和政协提案办理结果公开事项需要说明。"),
            ],
        ),
    ]
    return Doc(
        slug="gov2021_merged",
        fmt="docx",
        template="2021",
        agency=agency,
        year=year,
        published_date="2023-01-18",
        region={"province": "江苏省", "city": "南通市", "county": "海门区"},  # province: stated in the address
        front=[
            ("title", f"{agency}{year}年政府信息公开工作年度报告"),
            (
                "p",
                intro_2021(agency, year, "海门区人民政府门户网站“政府信息公开”专栏", "（地址：江苏省南通市海门区人民中路88号）"),
            ),
        ],
        sections=sections,
        back=[("sign", agency), ("sign", "2023年1月18日")],
        proactive=proactive,
        requests=req,
        review=rl,
        pdf=True,
        notes=(
            "Real merged cells (gridSpan/vMerge) as in the official 2021 template; 三、本年度办理结果 printed "
            "one character per line; （二）部分公开 label wrapped with a line break; 规章 row '/' (no rule-making "
            "power) -> null; fee amount 1.35 万元; published after the reported year; intro lists the six "
            "section names inline."
        ),
    )


def doc_wuhou() -> Doc:
    agency, year = "成都市武侯区教育局", 2020
    lb = Labels(
        paren="()",
        art_paren="()",
        quote='""',
        dot="、",
        note="(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)",
        wrap={"t2.other_services": "其他对外管理\n服务事项"},
    )
    proactive = {
        "regulations": {"made": DASHES, "published": DASHES, "total": DASHES},
        "normative_documents": {"made": num(5), "published": num(5), "total": num(38)},
        "licensing": {"previous": num(12), "change": num(-3), "decisions": num(486)},
        "other_services": {"previous": num(27), "change": num(2), "decisions": num(1350)},
        "penalty": {"previous": num(8), "change": num(0), "decisions": num(6)},
        "enforcement": {"previous": num(2), "change": num(0), "decisions": num(1)},
        "fees": {"previous": num(3), "change": num(-1)},
        "procurement": {"items": num(46), "amount": Cell(1523.6, "1523.6万元")},
    }
    req = build_requests(
        "2019",
        {
            "disclosed": [18, 2, 0, 0, 0, 1],
            "partially_disclosed": [4, 0, 0, 0, 1, 0],
            "withheld.prohibited_by_law": [1, 0, 0, 0, 0, 0],
            "withheld.third_party": [2, 0, 0, 0, 0, 0],
            "withheld.internal_affairs": [1, 0, 0, 0, 0, 0],
            "withheld.process_info": [2, 1, 0, 0, 0, 0],
            "unavailable.not_held": [9, 1, 0, 0, 0, 0],
            "unavailable.needs_creation": [3, 0, 0, 0, 0, 0],
            "unavailable.unclear": [2, 0, 0, 0, 0, 0],
            "not_processed.petition": [4, 0, 0, 0, 0, 0],
            "not_processed.duplicate": [3, 0, 0, 0, 0, 0],
            "not_processed.publication": [1, 0, 0, 0, 0, 0],
            "other": [1, 0, 0, 0, 0, 0],
        },
        carried_over=[1, 0, 0, 0, 0, 0],
        carried_forward=[2, 0, 0, 0, 0, 0],
        extras=(("not_processed.confirmation", "6、其他原因", "其他原因", [2, 0, 0, 0, 0, 0]),),
    )
    rl = review((2, 0, 1, 0), (0, 1, 0, 1), (1, 0, 0, 0))
    p = proactive
    sections = [
        (
            "一",
            "总体情况",
            [
                (
                    "p",
                    f"{year}年，武侯区教育局按照《中华人民共和国政府信息公开条例》和上级部署，扎实推进教育领域政府信息公开，"
                    "重点做好招生入学、教育收费、疫情防控等信息公开工作。",
                ),
                ("sub", "(一)主动公开情况"),
                (
                    "p",
                    f"全年主动公开政府信息2,316条，较2019年增长12.4%。制作并公开规范性文件{p['normative_documents']['made'].value}件；"
                    f"行政许可事项较上年减少{-p['licensing']['change'].value}项，作出行政许可决定{p['licensing']['decisions'].value}件；"
                    f"政府集中采购项目{p['procurement']['items'].value}个，采购总金额{p['procurement']['amount'].text}。",
                ),
                ("sub", "(二)依申请公开情况"),
                (
                    "p",
                    f"全年共收到政府信息公开申请{tot(req, 'new')}件，上年结转{tot(req, 'carried_over')}件，"
                    f"已办结{tot(req, 'result_total')}件，结转下年度{tot(req, 'carried_forward')}件。",
                ),
                ("sub", "(三)政府信息管理"),
                ("p", "建立政府信息公开属性源头认定机制，公文拟制时同步明确公开属性。"),
                ("sub", "(四)平台建设"),
                ("p", "依托区政府门户网站教育专栏和“武侯教育”微信公众号发布信息。"),
                ("sub", "(五)监督保障"),
                ("p", "将政务公开纳入局属单位年度目标考核。"),
            ],
        ),
        ("二", "主动公开政府信息情况", [("table", t2_2019(proactive, lb))]),
        ("三", "收到和处理政府信息公开申请情况", [("table", t3("2019", req, lb))]),
        ("四", "政府信息公开行政复议、行政诉讼情况", [("table", t4(rl))]),
        (
            "五",
            "存在的主要问题及改进情况",
            [
                (
                    "p",
                    "一是部分学校信息更新不够及时；二是政策解读的针对性有待加强。2021年，我局将加强督促检查，提升信息公开质量。",
                ),
            ],
        ),
        ("六", "其他需要报告的事项", [("p", "无。")]),
    ]
    return Doc(
        slug="gov2019_merged",
        fmt="docx",
        template="2019",
        agency=agency,
        year=year,
        published_date="2021-01-22",
        region={"province": "四川省", "city": "成都市", "county": "武侯区"},  # province: stated in the address
        front=[
            ("title", f"{agency}{year}年政府信息公开工作年度报告"),
            (
                "p",
                "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
                "印发的年度报告格式（国办公开办函〔2019〕60号）编制。本报告所列数据统计期限自2020年1月1日起至"
                "2020年12月31日止。如对本报告有疑问，请与成都市武侯区教育局办公室联系（地址：四川省成都市武侯区；邮编：610041）。",
            ),
        ],
        sections=sections,
        back=[("sign", agency), ("sign", "2021年1月22日")],
        proactive=proactive,
        requests=req,
        review=rl,
        pdf=True,
        notes=(
            "2019 template: 规章 printed '——' -> null; 本年增/减 -3 and -1; 采购总金额 '1523.6万元' -> 1523.6; "
            "half-width brackets '(一)', ASCII quotes in 危及\"三安全一稳定\", items numbered '1、'; "
            "'其他对外管理服务事项' wrapped; table 三 has a local 6th item '6、其他原因' under (五)不予处理 "
            "(extra row; it is counted in (七)总计, so T3-2 holds only when the extra row is summed). "
            "Narrative mentions 2019 and 2021 besides the report year 2020."
        ),
    )


def doc_sishui() -> Doc:
    agency, year = "泗水县人民政府办公室", 2021
    lb = Labels(sep6="，", dot="．", wrap={"new": "一、本年新收政府信息\n公开申请数量"})
    proactive = {
        "regulations": {"made": BLANK, "repealed": BLANK, "in_force": BLANK},
        "normative_documents": {"made": num(9), "repealed": num(4), "in_force": Cell(22, "22（其中修订16件）")},
        "licensing": {"decisions": num(12873)},
        "penalty": {"decisions": num(3310)},
        "enforcement": {"decisions": num(95)},
        "fees": {"amount_10k_yuan": num(1062.47)},
    }
    overrides = total_only("withheld.third_party", "unavailable.needs_creation", "not_processed.duplicate")
    # Word split the digits of one number into two runs.
    overrides[("disclosed", "natural_person")] = Cell(
        25, "25", '<span lang="EN-US">2</span><span lang="EN-US" style="mso-bidi-font-size:10.5pt">5</span>'
    )
    req = build_requests(
        "2021",
        {
            "disclosed": [25, 6, 1, 0, 2, 1],
            "partially_disclosed": [8, 2, 0, 0, 0, 0],
            "withheld.prohibited_by_law": [1, 0, 0, 0, 0, 0],
            "withheld.three_safeties": [1, 0, 0, 0, 0, 0],
            "withheld.third_party": [3, 1, 0, 0, 0, 0],
            "withheld.internal_affairs": [2, 0, 0, 0, 0, 0],
            "withheld.process_info": [4, 1, 0, 0, 0, 0],
            "withheld.enforcement_files": [1, 0, 0, 0, 0, 0],
            "withheld.admin_query": [2, 0, 0, 0, 0, 0],
            "unavailable.not_held": [12, 3, 0, 1, 0, 0],
            "unavailable.needs_creation": [3, 0, 0, 0, 0, 0],
            "unavailable.unclear": [1, 0, 0, 0, 0, 0],
            "not_processed.petition": [6, 0, 0, 0, 0, 0],
            "not_processed.duplicate": [2, 0, 0, 0, 0, 0],
            "not_processed.excessive": [1, 0, 0, 0, 0, 0],
            "not_processed.confirmation": [1, 0, 0, 0, 0, 0],
            "other.overdue_correction": [3, 1, 0, 0, 0, 0],
            "other.overdue_fee": [1, 0, 0, 0, 0, 0],
            "other.other": [2, 0, 0, 0, 0, 0],
        },
        carried_over=[0, 0, 0, 0, 0, 0],
        carried_forward=[4, 1, 0, 0, 0, 0],
        overrides=overrides,
    )
    rl = review((4, 1, 1, 2), (2, 1, 0, 1), (1, 1, 0, 0))
    p = proactive
    lit = rl["litigation_direct"]["total"].value + rl["litigation_after_review"]["total"].value
    sections = [
        (
            "一",
            "总体情况",
            [
                (
                    "p",
                    f"{year}年，泗水县人民政府办公室认真贯彻落实《中华人民共和国政府信息公开条例》，以公开为常态、不公开为例外，"
                    "全面推进决策、执行、管理、服务、结果公开，政府信息公开工作取得新成效。",
                ),
                ("sub", "（一）主动公开"),
                (
                    "p",
                    f"全年在县政府门户网站主动公开政府信息3581条。制发行政规范性文件{p['normative_documents']['made'].value}件，"
                    f"废止{p['normative_documents']['repealed'].value}件；公开行政许可信息{p['licensing']['decisions'].value}条，"
                    f"行政处罚信息{p['penalty']['decisions'].value}条。",
                ),
                ("sub", "（二）依申请公开"),
                (
                    "p",
                    f"全年共收到政府信息公开申请{tot(req, 'new')}件，均在法定期限内办理，其中予以公开{tot(req, 'disclosed')}件，"
                    f"部分公开{tot(req, 'partially_disclosed')}件，结转下年度继续办理{tot(req, 'carried_forward')}件。",
                ),
                ("sub", "（三）政府信息管理"),
                ("p", "开展政策文件清理，对现行有效的行政规范性文件实行目录化、动态化管理。"),
                ("sub", "（四）政府信息公开平台建设"),
                ("p", "完成县政府门户网站集约化改造，优化政府信息公开专栏。"),
                ("sub", "（五）监督保障"),
                ("p", f"全年因政府信息公开被申请行政复议{rl['review']['total'].value}件，被提起行政诉讼{lit}件。"),
            ],
        ),
        ("二", "主动公开政府信息情况", [("table", t2_2021(proactive, lb))]),
        ("三", "收到和处理政府信息公开申请情况", [("table", t3("2021", req, lb))]),
        ("四", "政府信息公开行政复议、行政诉讼情况", [("table", t4(rl))]),
        (
            "五",
            "存在的主要问题及改进情况",
            [
                (
                    "p",
                    "2021年，我县政府信息公开工作虽取得一定成效，但仍存在部门信息更新不及时、政策解读质量不高等问题。"
                    "2022年，将进一步加强督导考核，提升政策解读质量。",
                ),
            ],
        ),
        (
            "六",
            "其他需要报告的事项",
            [
                ("p", "本年度共发出收费通知1件，申请人逾期未缴纳，未实际收取信息处理费。"),
            ],
        ),
    ]
    return Doc(
        slug="gov2021_gbk",
        fmt="html",
        template="2021",
        agency=agency,
        year=year,
        published_date="2022-01-28",
        region={"county": "泗水县"},  # only the county is stated; the rest is not scored
        front=[("p", intro_2021(agency, year, "泗水县人民政府门户网站"))],
        sections=sections,
        back=[("sign", agency), ("sign", "二〇二二年一月二十八日")],
        proactive=proactive,
        requests=req,
        review=rl,
        page="trs_gbk",
        notes=(
            "Bytes are GBK (contains 〇, not in GB2312) while only <meta http-equiv> declares gb2312; "
            "Word-pasted TRS_Editor markup (MsoNormal, mso- styles, <font face>, <o:p>), numbers in their own spans, "
            "one number split across two spans (25); '&nbsp;' blank cells: 规章 row and the six applicant cells of "
            "withheld.third_party, unavailable.needs_creation, not_processed.duplicate -> null (T3-2 on applicant "
            "columns and T3-3 on those rows are not assessable, not failures); 现行有效件数 '22（其中修订16件）' -> 22; "
            "（六）其他处理 sub-labels use '，'; items numbered '1．'; signature date in Chinese numerals; "
            "page noise incl. a related-links list naming the 2020 report."
        ),
    )


def doc_xiangzhou() -> Doc:
    agency, year = "珠海市香洲区人民政府办公室", 2019
    lb = Labels()
    proactive = {
        "regulations": {"made": num(0), "published": num(0), "total": num(0)},
        "normative_documents": {"made": num(11), "published": num(11), "total": num(64)},
        "licensing": {"previous": num(156), "change": num(12), "decisions": num(8823)},
        "other_services": {"previous": num(98), "change": num(-6), "decisions": num(4120)},
        "penalty": {"previous": num(421), "change": num(0), "decisions": num(2617)},
        "enforcement": {"previous": num(37), "change": num(4), "decisions": num(289)},
        "fees": {"previous": num(14), "change": num(-2)},
        "procurement": {"items": num(17), "amount": Cell(251000, "251000元")},
    }
    req = build_requests(
        "2019",
        {
            "disclosed": [41, 7, 0, 1, 2, 0],
            "partially_disclosed": [9, 1, 0, 0, 0, 0],
            "withheld.state_secret": [1, 0, 0, 0, 0, 0],
            "withheld.third_party": [4, 2, 0, 0, 0, 0],
            "withheld.internal_affairs": [2, 0, 0, 0, 0, 0],
            "withheld.process_info": [3, 0, 0, 0, 0, 0],
            "withheld.enforcement_files": [1, 1, 0, 0, 0, 0],
            "withheld.admin_query": [2, 0, 0, 0, 0, 0],
            "unavailable.not_held": [17, 4, 1, 0, 1, 0],
            "unavailable.needs_creation": [5, 1, 0, 0, 0, 0],
            "unavailable.unclear": [2, 0, 0, 0, 0, 0],
            "not_processed.petition": [8, 0, 0, 0, 0, 0],
            "not_processed.duplicate": [4, 1, 0, 0, 0, 0],
            "not_processed.publication": [1, 0, 0, 0, 0, 0],
            "not_processed.excessive": [2, 0, 0, 0, 0, 0],
            "not_processed.confirmation": [1, 0, 0, 0, 0, 0],
            "other": [2, 0, 0, 0, 0, 0],
        },
        carried_over=[3, 0, 0, 0, 0, 0],
        carried_forward=[5, 1, 0, 0, 0, 0],
    )
    rl = review((6, 2, 1, 0), (3, 0, 1, 2), (2, 0, 0, 1))
    sections = [
        (
            "一",
            "总体情况",
            [
                (
                    "p",
                    f"{year}年，香洲区人民政府办公室深入贯彻新修订的《中华人民共和国政府信息公开条例》，"
                    "加强政府信息公开制度建设，推进重点领域信息公开。",
                ),
                (
                    "p",
                    f"全年共新收政府信息公开申请{tot(req, 'new')}件，上年结转{tot(req, 'carried_over')}件；"
                    f"全年办结{tot(req, 'result_total')}件，结转下年度继续办理{tot(req, 'carried_forward')}件。",
                ),
            ],
        ),
        ("二", "主动公开政府信息情况", [("table", t2_2019(proactive, lb))]),
        ("三", "收到和处理政府信息公开申请情况", [("table", t3("2019", req, lb))]),
        ("四", "因政府信息公开工作被申请行政复议和提起行政诉讼情况", [("table", t4(rl))]),
        (
            "五",
            "存在的主要问题及改进情况",
            [
                ("p", "主要问题是政策解读形式不够丰富。下一步将加强图解、音视频解读。"),
            ],
        ),
        ("六", "其他需要报告的事项", [("p", "本年度无其他需要报告的事项。")]),
    ]
    return Doc(
        slug="gov2019_big5style",
        fmt="html",
        template="2019",
        agency=agency,
        year=year,
        published_date="2020-03-20",
        # Neither the name nor the page states 广东省 (only "粤ICP备" in the footer): null by the annotation rule.
        region={"province": "广东省", "city": "珠海市", "county": "香洲区"},  # province: 珠海市 is a prefecture of 广东省
        front=[
            ("p", "本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限自2019年1月1日起至2019年12月31日止。")
        ],
        sections=sections,
        back=[("sign", agency)],
        proactive=proactive,
        requests=req,
        review=rl,
        page="big5_gate",
        notes=(
            "UTF-8 page in TRADITIONAL characters (as served by a /gate/big5/ mirror); expected strings are "
            "simplified; published date only in a visible '發佈時間：2020-03-20' line (no meta); heading 四 uses the "
            "variant '因政府信息公开工作被申请行政复议和提起行政诉讼情况'; 规章 row printed 0 0 0 -> 0 (not null); "
            "采购总金额 '251000元' -> 251000; 本年增/减 -6 and -2. region.province 广东省 is not printed: it follows "
            "from 珠海市, a prefecture-level city of 广东省 (the parser's gazetteer)."
        ),
    )


def doc_jiangxi() -> Doc:
    agency, year = "江西省生态环境厅", 2023
    lb = Labels(paren="()", wrap={"carried_forward": "四、结转下年度\n继续办理"}, fee_head="本年收费金额(单位：万元)")
    proactive = {
        "regulations": {"made": num(0), "repealed": num(0), "in_force": num(0)},
        "normative_documents": {"made": num(4), "repealed": num(7), "in_force": num(31)},
        "licensing": {"decisions": num(1186)},
        "penalty": {"decisions": num(57)},
        "enforcement": {"decisions": num(3)},
        "fees": {"amount_10k_yuan": num(0)},
    }
    outcomes = {
        "disclosed": [52, 11, 0, 2, 3, 0],
        "partially_disclosed": [10, 4, 0, 0, 1, 0],
        "withheld.state_secret": [2, 0, 0, 0, 0, 0],
        "withheld.prohibited_by_law": [1, 0, 0, 0, 0, 0],
        "withheld.third_party": [3, 2, 0, 0, 0, 0],
        "withheld.internal_affairs": [1, 0, 0, 0, 0, 0],
        "withheld.process_info": [5, 1, 0, 0, 0, 0],
        "withheld.enforcement_files": [2, 1, 0, 0, 0, 0],
        "unavailable.not_held": [21, 6, 1, 0, 1, 1],
        "unavailable.needs_creation": [4, 1, 0, 0, 0, 0],
        "unavailable.unclear": [2, 0, 0, 0, 0, 0],
        "not_processed.petition": [7, 0, 0, 0, 0, 0],
        "not_processed.duplicate": [3, 1, 0, 0, 0, 0],
        "not_processed.publication": [1, 0, 0, 0, 0, 0],
        "not_processed.excessive": [2, 0, 0, 0, 0, 0],
        "not_processed.confirmation": [1, 0, 0, 0, 0, 0],
        "other.overdue_correction": [4, 1, 0, 0, 0, 0],
        "other.other": [1, 0, 0, 0, 0, 0],
    }
    # The report's own error: the 部分公开 row prints 16 in 总计 although its parts add up to 15.
    partial_total = sum(outcomes["partially_disclosed"]) + 1
    req = build_requests(
        "2021",
        outcomes,
        carried_over=[3, 1, 0, 0, 0, 0],
        carried_forward=[6, 2, 0, 0, 0, 0],
        overrides={("partially_disclosed", "total"): num(partial_total)},
    )
    # ... and 行政复议 总计 prints 4 although 3 + 1 + 0 + 1 = 5.
    rl = review((3, 1, 0, 1), (2, 0, 1, 1), (1, 0, 0, 0), totals={"review": num(4)})
    sections = [
        (
            "一",
            "总体情况",
            [
                (
                    "p",
                    f"{year}年，省生态环境厅坚持以公开促规范、以公开促服务，围绕生态环境保护中心工作，全面做好政府信息公开工作。",
                ),
                ("sub", "(一)主动公开"),
                ("p", "全年在厅门户网站主动公开各类政府信息2975条，其中环境质量信息1204条，建设项目环评审批信息863条。"),
                ("sub", "(二)依申请公开"),
                (
                    "p",
                    f"本年度新收政府信息公开申请{tot(req, 'new')}件，上年结转{tot(req, 'carried_over')}件，"
                    f"结转下年度继续办理{tot(req, 'carried_forward')}件。",
                ),
                ("sub", "(三)监督保障"),
                ("p", f"全年发生政府信息公开行政复议{rl['review']['total'].value}件。"),
            ],
        ),
        ("二", "主动公开政府信息情况", [("table", t2_2021(proactive, lb))]),
        ("三", "收到和处理政府信息公开申请情况", [("table", t3("2021", req, lb))]),
        ("四", "政府信息公开行政复议、行政诉讼情况", [("table", t4(rl))]),
        (
            "五",
            "存在的主要问题及整改措施",
            [
                ("p", "一是部分市县生态环境部门公开内容不够全面；二是依申请公开答复规范性有待提升。"),
            ],
        ),
        ("六", "其他需要报告的事项", [("p", "本年度未收取信息处理费。")]),
    ]
    return Doc(
        slug="gov2021_inconsistent",
        fmt="docx",
        template="2021",
        agency=agency,
        year=year,
        published_date="2024-01-26",
        region={"province": "江西省"},  # a provincial department: no city or county
        front=[
            ("title", agency),
            ("title", f"{year}年政府信息公开工作年度报告"),
            ("p", intro_2021(agency, year, "江西省生态环境厅门户网站")),
        ],
        sections=sections,
        back=[("sign", agency), ("sign", "2024年1月26日")],
        proactive=proactive,
        requests=req,
        review=rl,
        expect_failed=["T3-2", "T3-3", "T4-1"],
        notes=(
            "The report's own errors, the record must keep the printed numbers: table 三 row (二)部分公开 prints "
            f"总计 {partial_total} while its six applicant cells add up to {partial_total - 1} (T3-3 on that row, "
            "and therefore T3-2 on the 总计 column: a lone row-sum error cannot leave every column rule intact); "
            "table 四 行政复议 总计 4 while 3+1+0+1 = 5 (T4-1). Title split over two paragraphs "
            "(agency / year+report); 规章 printed 0 0 0 -> 0; fee 0; half-width brackets '(一)'; "
            "'四、结转下年度继续办理' wrapped; heading 五 variant '存在的主要问题及整改措施'."
        ),
    )


def doc_anhua() -> Doc:
    agency, year = "安化县人民政府", 2017
    proactive_items, received = 2187, 17
    appendix = [
        [H("统计指标"), H("单位"), H("统计数")],
        [H("一、主动公开情况"), H(""), H("")],
        [H("（一）主动公开政府信息数"), H("条"), H(str(proactive_items))],
        [H("其中：主动公开规范性文件数"), H("条"), H("12")],
        [H("二、回应解读情况"), H(""), H("")],
        [H("（一）回应公众关注热点或重大舆情数"), H("次"), H("26")],
        [H("三、依申请公开情况"), H(""), H("")],
        [H("（一）收到申请数"), H("件"), H(str(received))],
        [H("（二）申请办结数"), H("件"), H(str(received))],
        [H("四、行政复议数量"), H("件"), H("0")],
        [H("五、行政诉讼数量"), H("件"), H("0")],
        [H("六、依申请公开信息收取的费用"), H("万元"), H("0")],
    ]
    sections = [
        (
            "一",
            "概述",
            [
                (
                    "p",
                    "2017年，县人民政府认真贯彻落实《中华人民共和国政府信息公开条例》和省、市关于政务公开工作的部署，"
                    "进一步健全工作机制，丰富公开载体，政府信息公开工作有序推进。",
                ),
            ],
        ),
        (
            "二",
            "主动公开政府信息情况",
            [
                (
                    "p",
                    f"2017年，全县主动公开政府信息{proactive_items}条，其中通过县政府门户网站公开1965条，通过政务微博、"
                    "微信公开164条，通过政府公报、报刊等其他方式公开58条。全年制发并公开规范性文件12件。",
                ),
            ],
        ),
        (
            "三",
            "依申请公开政府信息情况",
            [
                (
                    "p",
                    f"2017年，县人民政府及其工作部门共收到政府信息公开申请{received}件，其中当面申请5件、网络申请9件、"
                    "信函申请3件。已全部按期答复，其中同意公开11件，同意部分公开2件，信息不存在3件，"
                    "不属于本行政机关公开范围1件。",
                ),
            ],
        ),
        ("四", "政府信息公开的收费及减免情况", [("p", "2017年，我县在政府信息公开工作中未收取任何费用。")]),
        (
            "五",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
            [
                ("p", "2017年，县人民政府未收到行政复议申请，也未发生因政府信息公开引起的行政诉讼。"),
            ],
        ),
        (
            "六",
            "存在的主要问题及改进措施",
            [
                (
                    "p",
                    "一是部分单位对政府信息公开工作重视不够；二是公开内容不够全面。2018年，我县将加强培训和督查，"
                    "推动政府信息公开工作再上新台阶。",
                ),
            ],
        ),
        (
            "七",
            "其他需要报告的事项",
            [
                ("p", "无。"),
                ("p", "附表：安化县人民政府2017年政府信息公开情况统计表"),
                ("table", appendix),
            ],
        ),
    ]
    return Doc(
        slug="pre2019_report",
        fmt="html",
        template="pre2019",
        agency=agency,
        year=year,
        published_date="2018-03-28",
        region={"county": "安化县"},  # only the county is stated; the rest is not scored
        front=[
            (
                "p",
                f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布{year}年度安化县人民政府政府"
                "信息公开工作年度报告。本报告中所列数据的统计期限自2017年1月1日起至2017年12月31日止。",
            )
        ],
        sections=sections,
        back=[("sign", agency), ("sign", "2018年3月28日")],
        figures={"proactive_items": proactive_items, "requests_received": received},
        page="plain",
        notes=(
            "Free-form 2017 report (seven parts, 一、概述 …); numbers only in sentences plus an old-style 附表 "
            "(统计指标/单位/统计数) that is NOT a 2019/2021 table; visible '发布日期：2018-03-28'; mentions 2018 "
            "besides the report year."
        ),
    )


# --------------------------------------------------------------------------------------
# DOCX writer


def _fonts(run: Any, east: str, size: float, bold: bool = False) -> None:
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), east)


def _add_lines(paragraph: Any, text: str, east: str, size: float, bold: bool = False) -> None:
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        _fonts(run, east, size, bold)
        if i < text.count("\n"):
            run.add_break()


def _docx_table(document: Any, spec: list[list[TC]]) -> None:
    placed, nrows, ncols = place(spec)
    widths = {4: [2435] * 4, 10: [754, 921, 2371] + [785] * 7, 15: [649] * 15, 3: [5000, 1200, 2500]}[ncols]
    table = document.add_table(rows=nrows, cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for row in table.rows:  # like Word's "允许跨页断行" unticked: page breaks fall between rows
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for c, w in enumerate(widths):
        table.columns[c].width = Twips(w)
        for r in range(nrows):
            table.cell(r, c).width = Twips(w)
    size = 8 if ncols == 15 else 9 if ncols == 10 else 10.5
    for r, c, tc in placed:
        cell = table.cell(r, c)
        if tc.rs > 1 or tc.cs > 1:
            cell = cell.merge(table.cell(r + tc.rs - 1, c + tc.cs - 1))
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        par = cell.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _add_lines(par, tc.text, "宋体", size)


def write_docx(doc: Doc, path: Path) -> None:
    document = docx.Document()
    sec = document.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    for kind, *rest in doc.blocks():
        if kind == "table":
            _docx_table(document, rest[0])
            document.add_paragraph()
            continue
        if kind == "pagebreak":
            document.add_page_break()
            continue
        text = rest[0]
        par = document.add_paragraph()
        fmt = par.paragraph_format
        if kind == "title":
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_lines(par, text, "方正小标宋简体", 22)
        elif kind == "sign":
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _add_lines(par, text, "仿宋_GB2312", 16)
        else:
            fmt.first_line_indent = Pt(32)
            font = {"h": "黑体", "sub": "楷体_GB2312", "p": "仿宋_GB2312"}[kind]
            _add_lines(par, text, font, 16, bold=(kind == "sub"))
        fmt.line_spacing = Pt(28)
        fmt.space_after = Pt(0)
    props = document.core_properties
    props.author = props.last_modified_by = doc.agency
    props.title = doc.title
    props.created = props.modified = datetime(2024, 1, 1)
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack a zip with fixed entry dates so the DOCX bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(
                zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME), src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def write_pdf(docx_path: Path, pdf_path: Path) -> bool:
    soffice = shutil.which("soffice")
    if soffice is None:
        print(f"soffice not found: skipping {pdf_path.name} (committed PDF left as it is)")
        return False
    with tempfile.TemporaryDirectory(prefix="make_fixtures_") as tmp:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        data = (Path(tmp) / f"{docx_path.stem}.pdf").read_bytes()
    pdf_path.write_bytes(_fixed_pdf(data))
    return True


def _fixed_pdf(data: bytes) -> bytes:
    """Replace LibreOffice's run-dependent date, file ID and checksum by fixed bytes of the same length.

    Same-length substitutions keep the cross-reference offsets valid.
    """

    def fixed(m: re.Match[bytes]) -> bytes:
        return m.group(1) + re.sub(rb"[0-9A-Fa-f]", b"0", m.group(2)) + m.group(3)

    data = re.sub(rb"(/(?:CreationDate|ModDate)\(D:)(\d{14})", lambda m: m.group(1) + b"20240101000000", data)
    data = re.sub(rb"(/ID\s*\[)([^\]]*)(\])", fixed, data)
    return re.sub(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)()", fixed, data)


# --------------------------------------------------------------------------------------
# HTML writers


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


NUM_STYLE = 'style="font-size:16.0pt;font-family:&quot;Times New Roman&quot;,serif;mso-fareast-font-family:方正仿宋_GBK"'
TXT_STYLE = 'style="font-size:16.0pt;font-family:方正仿宋_GBK;mso-hansi-font-family:&quot;Times New Roman&quot;"'


def _word_text(text: str, face: str = "方正仿宋_GBK") -> str:
    """Word-pasted run markup: digits in their own lang=EN-US spans."""
    style = TXT_STYLE.replace("方正仿宋_GBK", face)
    inner = re.sub(
        r"\d+(?:\.\d+)?", lambda m: f'</span><span lang="EN-US" {NUM_STYLE}>{m.group(0)}</span><span {style}>', _esc(text)
    )
    return f"<span {style}>{inner}</span>".replace(f"<span {style}></span>", "")


def _word_table(spec: list[list[TC]]) -> str:
    placed, nrows, ncols = place(spec)
    px = {4: [150] * 4, 10: [40, 60, 170] + [52] * 7, 15: [44] * 15, 3: [300, 60, 100]}[ncols]
    by_row: dict[int, list] = {}
    for r, c, tc in placed:
        by_row.setdefault(r, []).append((c, tc))
    out = [
        '<div align="center"><table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
        'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
        'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt"><tbody>'
    ]
    for r in range(nrows):
        out.append(f'<tr style="mso-yfti-irow:{r};height:22.5pt">')
        for c, tc in by_row[r]:
            w = sum(px[c : c + tc.cs])
            span = (f' rowspan="{tc.rs}"' if tc.rs > 1 else "") + (f' colspan="{tc.cs}"' if tc.cs > 1 else "")
            if tc.cell is not None and tc.cell.html is not None:
                content = tc.cell.html
            elif tc.text == "":
                content = '<span lang="EN-US">&nbsp;</span>'
            elif tc.cell is not None:
                content = f'<span lang="EN-US" style="font-size:10.0pt">{_esc(tc.text)}</span>'
            else:
                content = (
                    '<span style="font-size:10.0pt;font-family:宋体;mso-bidi-font-family:宋体;'
                    'color:black;mso-font-kerning:0pt">' + _esc(tc.text).replace("\n", "<br />") + "</span>"
                )
            out.append(
                f'<td width="{w}"{span} valign="center" style="width:{w * 0.75:.1f}pt;border:solid windowtext '
                f'1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt">'
                f'<p class="MsoNormal" align="center" style="text-align:center">{content}'
                '<span lang="EN-US"><o:p></o:p></span></p></td>'
            )
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _plain_table(spec: list[list[TC]]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse;width:100%">']
    for row in spec:
        tds = []
        for tc in row:
            span = (f' rowspan="{tc.rs}"' if tc.rs > 1 else "") + (f' colspan="{tc.cs}"' if tc.cs > 1 else "")
            body = _esc(tc.text).replace("\n", "<br>") if tc.text else "&nbsp;"
            tds.append(f'<td{span} align="center">{body}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _body(doc: Doc, word: bool) -> str:
    parts = []
    for kind, *rest in doc.blocks():
        if kind == "pagebreak":
            continue
        if kind == "table":
            parts.append(_word_table(rest[0]) if word else _plain_table(rest[0]))
            continue
        text = rest[0]
        if word:
            if kind == "h":
                parts.append(
                    '<p class="MsoNormal" style="text-indent:32.0pt;mso-char-indent-count:2.0;'
                    'line-height:28.0pt;mso-line-height-rule:exactly"><b><span style="font-size:16.0pt;'
                    f'font-family:黑体;mso-hansi-font-family:黑体">{_esc(text)}<span lang="EN-US">'
                    "<o:p></o:p></span></span></b></p>"
                )
            elif kind == "sign":
                parts.append(
                    '<p class="MsoNormal" align="right" style="text-align:right;line-height:28.0pt;'
                    f'mso-line-height-rule:exactly"><font face="方正仿宋_GBK">{_word_text(text)}</font></p>'
                )
            else:
                face = "楷体_GB2312" if kind == "sub" else "方正仿宋_GBK"
                parts.append(
                    '<p class="MsoNormal" style="text-indent:32.0pt;mso-char-indent-count:2.0;'
                    'line-height:28.0pt;mso-line-height-rule:exactly">'
                    f'<font face="{face}">{_word_text(text, face)}</font>'
                    '<span lang="EN-US"><o:p></o:p></span></p>'
                )
        elif kind == "h":
            parts.append(f"<p><strong>{_esc(text)}</strong></p>")
        elif kind == "sign":
            parts.append(f'<p style="text-align:right">{_esc(text)}</p>')
        else:
            parts.append(f'<p style="text-indent:2em">{_esc(text)}</p>')
    return "\n".join(parts)


def page_trs_gbk(doc: Doc) -> bytes:
    t = doc.title
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{t}_政府信息公开年报_泗水县人民政府</title>
<meta name="SiteName" content="泗水县人民政府">
<meta name="SiteDomain" content="www.sishui.gov.cn">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ColumnType" content="政府信息公开年报">
<meta name="ArticleTitle" content="{t}">
<meta name="PubDate" content="2022-01-28 09:30">
<meta name="ContentSource" content="{doc.agency}">
<meta name="Keywords" content="政府信息公开,年度报告,年报">
<meta name="Author" content="{doc.agency}">
<meta name="Description" content="{t}">
<link href="/images/css/common.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/images/js/jquery-1.8.3.min.js"></script>
</head>
<body>
<div class="top"><div class="w1200"><span>今天是：<script>document.write(new Date().toLocaleDateString());</script></span>
<a href="/">网站首页</a> | <a href="javascript:;" onclick="SetHome(this)">设为首页</a> | <a href="/wza/">无障碍</a></div></div>
<div class="header"><img src="/images/logo.png" alt="泗水县人民政府" /></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zjss/">走进泗水</a></li></ul></div>
<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a> &gt; <a href="./">政府信息公开年报</a></div>
<div class="xxgk-table"><table class="syh"><tr><td>索引号：</td><td>11370831004xxxx/2022-0000106</td><td>发布机构：</td><td>{doc.agency}</td></tr>
<tr><td>公开方式：</td><td>主动公开</td><td>公开时限：</td><td>常年公开</td></tr></table></div>
<div class="article">
<h1 class="article-title">{t}</h1>
<div class="article-info">发布日期：2022-01-28 09:30 &nbsp;&nbsp; 来源：{doc.agency} &nbsp;&nbsp; 【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】 <a href="javascript:window.print()">打印本页</a></div>
<div class="TRS_Editor"><style type="text/css">
.TRS_Editor P{{margin-top:0;margin-bottom:0;line-height:1.5;font-family:宋体;font-size:12pt;}}.TRS_Editor TD{{font-size:10.5pt;}}
</style>
<div class="Custom_UnionStyle">
{_body(doc, word=True)}
</div></div>
</div>
<div class="related"><h3>相关信息</h3><ul>
<li><a href="../202101/t20210129_2671953.html">泗水县人民政府办公室2020年政府信息公开工作年度报告</a><span>2021-01-29</span></li>
<li><a href="../202101/t20210126_2670012.html">泗水县发展和改革局2020年政府信息公开工作年度报告</a><span>2021-01-26</span></li>
</ul></div>
<div class="footer"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
<p>主办单位：泗水县人民政府办公室 &nbsp; 承办：泗水县大数据中心</p>
<p>网站标识码：3708310001 &nbsp; 鲁ICP备05000000号 &nbsp; 鲁公网安备 37083102000000号</p></div>
</body>
</html>
"""
    return page.encode("gbk")  # strict: GBK bytes although the page says gb2312


S2T = opencc.OpenCC("s2t")
T2S = opencc.OpenCC("t2s")


def page_big5_gate(doc: Doc) -> bytes:
    t = doc.title
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{t}-香洲区人民政府</title>
<link rel="stylesheet" href="/gate/big5/www.zhxz.gov.cn/css/article.css">
</head>
<body>
<div class="gate-bar">您正在浏览的是繁体版网页 <a href="http://www.zhxz.gov.cn/">简体版</a> | 繁体版</div>
<div class="head"><a href="/gate/big5/www.zhxz.gov.cn/">香洲区人民政府门户网站</a>
<ul class="menu"><li>首页</li><li>政务公开</li><li>政务服务</li><li>互动交流</li><li>魅力香洲</li></ul></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<div class="main">
<h2 class="title">{t}</h2>
<p class="info"><span>发布时间：2020-03-20</span> <span>来源：{doc.agency}</span> <span>浏览次数：<em id="hits">1532</em></span></p>
<div class="zoom" id="zoom">
{_body(doc, word=False)}
</div>
<div class="share">分享到：微信 微博 &nbsp; <a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></div>
</div>
<div class="foot">主办：珠海市香洲区人民政府办公室 &nbsp; 粤ICP备00000000号</div>
</body>
</html>
"""
    trad = S2T.convert(page)
    return trad.encode("utf-8")


def page_plain(doc: Doc) -> bytes:
    t = doc.title
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{t}</title>
</head>
<body>
<div id="header"><div class="logo">安化县人民政府门户网站</div>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/bsfw/">办事服务</a> <a href="/hdjl/">互动交流</a></div></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<div class="article">
<h1>{t}</h1>
<div class="info">发布日期：2018-03-28 &nbsp; 信息来源：安化县人民政府办公室 &nbsp; 点击数：<span id="click">866</span></div>
<div class="article-content" id="zoom">
{_body(doc, word=False)}
</div></div>
<div id="footer">版权所有：安化县人民政府 &nbsp; 湘ICP备00000000号</div>
</body>
</html>
"""
    return page.encode("utf-8")


# --------------------------------------------------------------------------------------
# Annotations


def annotation(doc: Doc, path: str, fmt: str) -> dict:
    ann: dict[str, Any] = {
        "path": path,
        "format": fmt,
        "fields": {
            "title": doc.title,
            "agency": doc.agency,
            "year": doc.year,
            "published_date": doc.published_date,
            "template": doc.template,
            "region": doc.region,
        },
        "sections": [heading for _, heading, _ in doc.sections],
    }
    if doc.template == "pre2019":
        ann.update(cells={}, extra_rows=[], failed_checks=[], figures=doc.figures, notes=doc.notes)
        return ann
    cells: dict[str, int | float | None] = {}
    for item, fields in doc.proactive.items():
        for f, cell in fields.items():
            cells[f"proactive/{item}/{f}"] = cell.value
    for key in row_keys(doc.template):
        for col, cell in zip(COLUMNS, doc.requests.cells[key], strict=True):
            cells[f"requests/{key}/{col}"] = cell.value
    for g in REVIEW_GROUPS:
        for f in REVIEW_FIELDS:
            cells[f"review_litigation/{g}/{f}"] = doc.review[g][f].value
    ann["cells"] = cells
    ann["extra_rows"] = [e[2] for e in doc.requests.extras]
    if doc.requests.extras:
        ann["extra_row_cells"] = {
            e[2]: {"printed_label": e[1], **dict(zip(COLUMNS, (c.value for c in e[3]), strict=True))} for e in doc.requests.extras
        }
    checks = run_checks(doc.template, doc.requests, doc.review)
    ann["failed_checks"] = failed_rules(checks)
    assert ann["failed_checks"] == sorted(doc.expect_failed), (doc.slug, ann["failed_checks"])
    ann["notes"] = doc.notes
    return ann


# --------------------------------------------------------------------------------------
# Self-checks of the written files


def verify(docs: list[Doc], pdfs_written: bool) -> None:
    import pdfplumber

    for doc in docs:
        if doc.fmt == "docx":
            path = FIXTURES / f"{doc.slug}.docx"
            d = docx.Document(str(path))
            text = "".join(p.text for p in d.paragraphs)
            assert doc.title in text.replace("\n", ""), doc.slug
            assert len(d.tables) == 3, doc.slug
            xml = d.tables[1]._tbl.xml
            assert "w:vMerge" in xml and "w:gridSpan" in xml, doc.slug
            print(
                f"{path.name}: {len(d.paragraphs)} paragraphs, tables "
                + ", ".join(f"{len(t.rows)}x{len(t.columns)}" for t in d.tables)
            )
            pdf_path = path.with_suffix(".pdf")
            if doc.pdf and pdf_path.exists():
                with pdfplumber.open(str(pdf_path)) as pdf:
                    full = "".join(page.extract_text() or "" for page in pdf.pages)
                    shapes = [[f"{len(t)}x{max(len(r) for r in t)}" for t in page.extract_tables()] for page in pdf.pages]
                cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in full)
                assert doc.title in re.sub(r"\s", "", full), pdf_path.name
                assert cjk > 1000 and "\ufffd" not in full and "(cid:" not in full, pdf_path.name
                print(f"{pdf_path.name}: {len(shapes)} pages, {cjk} CJK chars, tables per page {shapes}")
        else:
            path = FIXTURES / f"{doc.slug}.html"
            raw = path.read_bytes()
            if doc.page == "trs_gbk":
                text = raw.decode("gb18030")
                assert raw.decode("gbk") == text
                try:
                    raw.decode("gb2312")
                    raise AssertionError("page is plain GB2312; wanted GBK-only characters")
                except UnicodeDecodeError:
                    pass
                try:
                    raw.decode("utf-8")
                    raise AssertionError("GBK page decodes as UTF-8")
                except UnicodeDecodeError:
                    pass
                assert len(re.findall(r"charset", text, re.IGNORECASE)) == 1
            else:
                text = raw.decode("utf-8")
            if doc.page == "big5_gate":
                assert doc.title not in text and T2S.convert(text).count(doc.title) >= 2
                for _, heading, _ in doc.sections:
                    assert heading in T2S.convert(text), heading
            else:
                assert doc.title in text
            print(f"{path.name}: {len(raw)} bytes, {text.count('<table')} tables")
    if not pdfs_written:
        print("note: PDFs were not regenerated")


# --------------------------------------------------------------------------------------


def main() -> int:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    docs = [doc_haimen(), doc_wuhou(), doc_sishui(), doc_xiangzhou(), doc_anhua(), doc_jiangxi()]
    annotations = []
    pdfs_written = True
    for doc in docs:
        if doc.fmt == "docx":
            path = FIXTURES / f"{doc.slug}.docx"
            write_docx(doc, path)
            annotations.append(annotation(doc, f"{REL_DIR}/{path.name}", "docx"))
            if doc.pdf:
                pdfs_written &= write_pdf(path, path.with_suffix(".pdf"))
                annotations.append(annotation(doc, f"{REL_DIR}/{doc.slug}.pdf", "pdf"))
        else:
            writer = {"trs_gbk": page_trs_gbk, "big5_gate": page_big5_gate, "plain": page_plain}[doc.page]
            path = FIXTURES / f"{doc.slug}.html"
            path.write_bytes(writer(doc))
            annotations.append(annotation(doc, f"{REL_DIR}/{path.name}", "html"))
    (FIXTURES / "annotations.json").write_text(json.dumps(annotations, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    verify(docs, pdfs_written)
    print(f"wrote {len(annotations)} annotations to {REL_DIR}/annotations.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

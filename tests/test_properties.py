"""Property-based tests of the label matcher, the value parser and the table parsers.

Real reports print the same tables with endless small differences: numbering styles
(一、/一./（一）/(一)/1./１．), spaces and line breaks inside labels, labels wrapped onto a
row of their own, cells left blank or printed "/" or "—". Hypothesis draws such variants
and checks what must hold for all of them: nothing raises, a blank never comes back as 0,
and every number that was printed comes back in its cell.

Runs are bounded (``max_examples``, no deadline, no example database written into the
worktree) so the file stays well under a minute on a shared 2-core machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.core.document import Block, Document, Table, pad_rows
from crawler.core.errors import ReportError
from crawler.core.parse import parse_document
from crawler.core.parse.labels import REQUEST_ROWS, label_core, similarity
from crawler.core.parse.values import NULL_MARKERS, is_value_cell, parse_value

# report_multiple_bugs=False: shrink the first failure only (each shrink step parses a document);
# derandomize: the same examples on every run, so a property fails or passes the same way in CI
BOUNDED = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)
TODAY = dt.date(2026, 1, 15)

# --------------------------------------------------------------------------------------
# Strategies

CN = "一二三四五六七八九十"
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
SPACES = st.sampled_from([" ", "\u3000", "  ", "\t", "\n", "\xa0"])


def numbering(n: int, style: str) -> str:
    """Item number ``n`` (1-based) printed in one of the styles real reports use."""
    return {
        "cn_dun": f"{CN[n - 1]}、",
        "cn_dot": f"{CN[n - 1]}.",
        "cn_full_paren": f"（{CN[n - 1]}）",
        "cn_half_paren": f"({CN[n - 1]})",
        "digit_dot": f"{n}.",
        "digit_full_dot": f"{str(n).translate(FULL)}．",
        "digit_dun": f"{n}、",
        "digit_paren": f"（{n}）",
    }[style]


NUMBERING_STYLES = st.sampled_from(
    ["cn_dun", "cn_dot", "cn_full_paren", "cn_half_paren", "digit_dot", "digit_full_dot", "digit_dun", "digit_paren"]
)


@st.composite
def sprinkled(draw: st.DrawFn, text: str) -> str:
    """``text`` with whitespace put in at a few random places (as PDF and OCR extraction do)."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(chars)))
        chars.insert(at, draw(SPACES))
    return "".join(chars)


# a printed cell: (text as printed, value the record must carry)
BLANKS = st.sampled_from(["", "/", "／", "—", "——", "-", "无", " ", "\u3000"])


@st.composite
def printed_number(draw: st.DrawFn, low: int = 0, high: int = 5000) -> tuple[str, int]:
    n = draw(st.integers(low, high))
    text = str(n)
    style = draw(st.sampled_from(["plain", "padded", "full", "comma"]))
    if style == "padded":
        text = f" {text}\u3000"
    elif style == "full":
        text = text.translate(FULL)
    elif style == "comma" and n >= 1000:
        text = f"{n:,}"
    return text, n


@st.composite
def cell(draw: st.DrawFn, blank_rate: float = 0.2) -> tuple[str, int | None]:
    if draw(st.floats(0, 1)) < blank_rate:
        return draw(BLANKS), None
    return draw(printed_number(0, 300))


# --------------------------------------------------------------------------------------
# The label matcher


@BOUNDED
@given(row=st.sampled_from(REQUEST_ROWS), style=NUMBERING_STYLES, data=st.data())
def test_label_core_ignores_numbering_and_whitespace(row: Any, style: str, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 8))
    printed = numbering(n, style) + data.draw(sprinkled(row.label))
    assert label_core(printed) == label_core(row.label), (printed, label_core(printed))


@BOUNDED
@given(st.text(max_size=80))
def test_label_core_and_similarity_never_raise(text: str) -> None:
    core = label_core(text)
    assert isinstance(core, str)
    for official in REQUEST_ROWS[:6]:
        s = similarity(core, label_core(official.label))
        assert 0.0 <= s <= 1.0


@BOUNDED
@given(row=st.sampled_from(REQUEST_ROWS), style=NUMBERING_STYLES, data=st.data())
def test_a_printed_official_label_is_closest_to_its_own_row(row: Any, style: str, data: st.DataObject) -> None:
    printed = numbering(data.draw(st.integers(1, 8)), style) + data.draw(sprinkled(row.label))
    core = label_core(printed)
    scores = {cand.key: similarity(core, label_core(cand.label)) for cand in REQUEST_ROWS}
    best = max(scores.values())
    assert scores[row.key] == best == 1.0, (printed, sorted(scores.items(), key=lambda kv: -kv[1])[:3])
    assert [k for k, v in scores.items() if v == best] == [row.key], printed


# --------------------------------------------------------------------------------------
# The value parser


@BOUNDED
@given(st.text(max_size=40))
def test_parse_value_never_raises_and_agrees_with_is_value_cell(text: str) -> None:
    value, note = parse_value(text)
    assert value is None or isinstance(value, (int, float))
    assert note is None or isinstance(note, str)
    if value is not None:
        assert is_value_cell(text), text


@BOUNDED
@given(marker=st.sampled_from(sorted(NULL_MARKERS)), left=st.sampled_from(["", " ", "\u3000"]), right=st.sampled_from(["", " "]))
def test_blank_markers_are_null_never_zero(marker: str, left: str, right: str) -> None:
    assert parse_value(left + marker + right) == (None, None)


@BOUNDED
@given(
    n=st.integers(-999, 10_000_000),
    unit=st.sampled_from(["", "件", "条", "个", "项", "万元", "元"]),
    note=st.sampled_from(["", "（其中修订16件）", "(含自然失效29件)"]),
    pad=st.sampled_from(["", " ", "\u3000"]),
)
def test_printed_integer_comes_back(n: int, unit: str, note: str, pad: str) -> None:
    printed = f"{n:,}" if abs(n) >= 1000 and n % 2 else str(n)
    value, _ = parse_value(pad + printed + unit + note + pad)
    assert value == n, (printed + unit + note, value)


@BOUNDED
@given(whole=st.integers(0, 99999), frac=st.integers(0, 99), unit=st.sampled_from(["", "万元", "元"]))
def test_printed_decimal_comes_back(whole: int, frac: int, unit: str) -> None:
    printed = f"{whole}.{frac:02d}"
    value, _ = parse_value(printed + unit)
    assert value is not None and abs(value - float(printed)) < 1e-9


@BOUNDED
@given(data=st.data())
def test_full_width_digits_come_back(data: st.DataObject) -> None:
    text, n = data.draw(printed_number())
    value, _ = parse_value(text)
    assert value == n, (text, value)


# --------------------------------------------------------------------------------------
# Whole tables through parse_document on a built Document

APPLICANT_HEADER = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况", "", "", "", "", "", ""],
    ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
    ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
]
CATEGORY_LABELS = {"withheld": "不予公开", "unavailable": "无法提供", "not_processed": "不予处理", "other": "其他处理"}
OUTCOME_NUMBER = {"disclosed": 1, "partially_disclosed": 2, "withheld": 3, "unavailable": 4, "not_processed": 5, "other": 6}


def t3_spec(template: str) -> list[tuple[str, str, int]]:
    """(row key, official label, its number within its level) in printed order."""
    spec: list[tuple[str, str, int]] = []
    counters: dict[str | None, int] = {}
    for r in REQUEST_ROWS:
        if template == "2019" and r.key.startswith("other."):
            continue
        counters[r.category] = counters.get(r.category, 0) + 1
        spec.append((r.key, r.label, counters[r.category]))
        if template == "2019" and r.key == "not_processed.confirmation":
            spec.append(("other", "其他处理", 6))
    return spec


@st.composite
def requests_table(draw: st.DrawFn, split: bool = False) -> tuple[list[list[str]], dict[str, list[int | None]], str]:
    """Table 三 in the official layout with its labels varied and some cells blank.

    Few draws on purpose (styles per table, a set of blank positions, one wrapped label),
    so that a failure shrinks to a small example quickly. Printed numbers are distinct,
    so a value read from the wrong row or column shows.
    """
    template = draw(st.sampled_from(["2019", "2021"]))
    item_style = draw(st.sampled_from(["digit_dot", "digit_full_dot", "digit_dun", "digit_paren"]))
    cat_style = draw(st.sampled_from(["cn_full_paren", "cn_half_paren"]))
    number_style = draw(st.sampled_from(["plain", "padded", "full"]))
    blank_text = draw(BLANKS)
    spec = t3_spec(template)
    blanks = draw(st.sets(st.integers(0, len(spec) * 7 - 1), max_size=12))
    spaced = draw(st.sets(st.integers(0, len(spec) - 1), max_size=6))
    space = draw(SPACES)
    wrapped = draw(st.integers(0, len(spec) - 1)) if split else None
    numbers_below = draw(st.booleans()) if split else False
    rows = [list(r) for r in APPLICANT_HEADER]
    truth: dict[str, list[int | None]] = {}
    opened: set[str] = set()
    for index, (key, label, n) in enumerate(spec):
        values: list[str] = []
        truth[key] = []
        for column in range(7):
            if index * 7 + column in blanks:
                values.append(blank_text)
                truth[key].append(None)
                continue
            value = 11 + index * 7 + column
            text = {"plain": str(value), "padded": f" {value}\u3000", "full": str(value).translate(FULL)}[number_style]
            values.append(text)
            truth[key].append(value)
        if index in spaced:
            label = label[: len(label) // 2] + space + label[len(label) // 2 :]
        category = key.split(".")[0] if "." in key else None
        if key in ("new", "carried_over", "carried_forward"):
            outer = {"new": "一、", "carried_over": "二、", "carried_forward": "四、"}[key]
            lead = [outer + label, "", ""]
        elif category is not None:
            first = category not in opened
            opened.add(category)
            cat_text = numbering(OUTCOME_NUMBER[category], cat_style) + CATEGORY_LABELS[category] if first else ""
            lead = ["", cat_text, numbering(n, item_style) + label]
        else:
            number = {"result_total": "（七）", "other": numbering(6, cat_style)}.get(key) or numbering(
                OUTCOME_NUMBER[key], cat_style
            )
            lead = ["三、本年度办理结果" if key == "disclosed" else "", number + label, ""]
        if index == wrapped and len(label) >= 6:
            # the label wrapped onto a row of its own (a narrow PDF column); the numbers sit on
            # the first line's row or on the continuation's
            at = max(i for i, c in enumerate(lead) if c)
            cut = len(lead[at]) - draw(st.integers(2, len(label) - 3))
            rest = ["", "", ""]
            rest[at] = lead[at][cut:]
            lead[at] = lead[at][:cut]
            rows += [lead + [""] * 7, rest + values] if numbers_below else [lead + values, rest + [""] * 7]
        else:
            rows.append(lead + values)
    return rows, truth, template


def document(*tables: tuple[str, list[list[str]]]) -> Document:
    blocks: list[Block] = [
        "泗洪县市场监督管理局2022年政府信息公开工作年度报告",
        "一、总体情况",
        "2022年，本局认真贯彻落实《中华人民共和国政府信息公开条例》，做好政府信息公开工作。",
    ]
    for heading, rows in tables:
        blocks += [heading, Table(rows=rows)]
    blocks += ["五、存在的主要问题及改进情况", "政策解读形式较为单一。", "六、其他需要报告的事项", "无。"]
    return Document(blocks=blocks, source_format="text")


def parse(doc: Document) -> dict[str, Any]:
    try:
        return parse_document(doc, today=TODAY)
    except ReportError as exc:  # a clear refusal is not a crash, but a full report must not be refused
        raise AssertionError(f"report refused: {exc}") from exc


def assert_requests(rows: list[list[str]], truth: dict[str, list[int | None]]) -> None:
    record = parse(document(("三、收到和处理政府信息公开申请情况", rows)))
    got = (record["requests"] or {}).get("rows", {})
    for key, expected in truth.items():
        if all(v is None for v in expected) and key not in got:
            continue  # an all-blank row may be left out; its cells would all be null anyway
        assert key in got, f"row {key} lost; printed {expected}"
        for column, (want, have) in enumerate(zip(expected, got[key])):
            if want is None:
                assert have is None, f"{key}[{column}]: blank came back as {have!r}"
            else:
                assert have == want, f"{key}[{column}]: printed {want}, got {have!r}"


@BOUNDED
@given(table=requests_table())
def test_requests_table_numbers_come_back(table: tuple[list[list[str]], dict[str, list[int | None]], str]) -> None:
    rows, truth, _ = table
    assert_requests(rows, truth)


@BOUNDED
@given(table=requests_table(split=True))
def test_requests_wrapped_label_numbers_come_back(table: tuple[list[list[str]], dict[str, list[int | None]], str]) -> None:
    rows, truth, _ = table
    assert_requests(rows, truth)


@BOUNDED
@given(table=requests_table())
def test_requests_template_follows_the_other_rows(table: tuple[list[list[str]], dict[str, list[int | None]], str]) -> None:
    rows, _, template = table
    record = parse(document(("三、收到和处理政府信息公开申请情况", rows)))
    assert record["template"] == template


REVIEW_HEADER = [
    ["行政复议", "", "", "", "", "行政诉讼", "", "", "", "", "", "", "", "", ""],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
    ["", "", "", "", "", *(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)],
]
REVIEW_KEYS = [
    (g, f)
    for g in ("review", "litigation_direct", "litigation_after_review")
    for f in ("upheld", "corrected", "other", "pending", "total")
]


@BOUNDED
@given(cells=st.lists(cell(blank_rate=0.25), min_size=15, max_size=15), spaced=st.booleans(), data=st.data())
def test_review_table_numbers_come_back(cells: list[tuple[str, int | None]], spaced: bool, data: st.DataObject) -> None:
    header = [list(r) for r in REVIEW_HEADER]
    if spaced:
        header = [[data.draw(sprinkled(c)) if c else c for c in r] for r in header]
    if all(v is None for _, v in cells):
        cells[0] = ("1", 1)  # an all-blank table 四 is another property
    record = parse(document(("四、政府信息公开行政复议、行政诉讼情况", [*header, [t for t, _ in cells]])))
    review = record["review_litigation"]
    assert review is not None, "table 四 not found"
    for (group, field), (_, want) in zip(REVIEW_KEYS, cells):
        have = review[group][field]
        assert have == want, f"{group}.{field}: printed {want!r}, got {have!r}"


@st.composite
def proactive_2021(draw: st.DrawFn) -> tuple[list[list[str]], dict[str, dict[str, int | None]]]:
    item = draw(st.sampled_from(["digit_paren", "cn_full_paren"]))

    def art(n: int) -> str:
        # 第二十条第（一）项, printed with the numbering style of the report
        return f"第二十条第{numbering(n, item)}项" if item == "cn_full_paren" else f"第二十条第（{CN[n - 1]}）项"

    truth: dict[str, dict[str, int | None]] = {}

    def values(key: str, fields: list[str]) -> list[str]:
        drawn = [draw(cell(blank_rate=0.2)) for _ in fields]
        truth[key] = {f: v for f, (_, v) in zip(fields, drawn)}
        return [t for t, _ in drawn]

    rows = [
        [art(1), "", "", ""],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        [draw(sprinkled("规章")), *values("regulations", ["made", "repealed", "in_force"])],
        [draw(sprinkled("行政规范性文件")), *values("normative_documents", ["made", "repealed", "in_force"])],
        [art(5), "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        [draw(sprinkled("行政许可")), *values("licensing", ["decisions"]), "", ""],
        [art(6), "", "", ""],
        ["信息内容", "本年处理决定数量", "", ""],
        [draw(sprinkled("行政处罚")), *values("penalty", ["decisions"]), "", ""],
        [draw(sprinkled("行政强制")), *values("enforcement", ["decisions"]), "", ""],
        [art(8), "", "", ""],
        ["信息内容", "本年收费金额（单位：万元）", "", ""],
        [draw(sprinkled("行政事业性收费")), *values("fees", ["amount_10k_yuan"]), "", ""],
    ]
    return rows, truth


@BOUNDED
@given(table=proactive_2021())
def test_proactive_table_numbers_come_back(table: tuple[list[list[str]], dict[str, dict[str, int | None]]]) -> None:
    rows, truth = table
    record = parse(document(("二、主动公开政府信息情况", rows)))
    proactive = record["proactive"]
    assert proactive is not None, "table 二 not found"
    for key, fields in truth.items():
        for name, want in fields.items():
            have = (proactive.get(key) or {}).get(name, "<missing>")
            assert have == want, f"{key}.{name}: printed {want!r}, got {have!r}"


@BOUNDED
@given(
    rows=st.lists(
        st.lists(
            st.one_of(st.text(max_size=12), st.sampled_from(["0", "12", "/", "", "（一）予以公开", "总计", "结果维持"])),
            max_size=12,
        ),
        max_size=20,
    ),
    heading=st.sampled_from(
        ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    ),
)
# found by this property (shrunk): a one-column grid, a number then a punctuation-only row
@example(rows=[["0"], [":"]], heading="三、收到和处理政府信息公开申请情况")
def test_any_grid_never_raises(rows: list[list[str]], heading: str) -> None:
    with contextlib.suppress(ReportError):  # a clear refusal is allowed; any other exception fails the test
        parse_document(document((heading, pad_rows(rows))), today=TODAY)

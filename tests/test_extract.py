"""Extractors: each format becomes blocks and span-resolved grids; bad input gets a clear error."""

import io

import docx
import pytest

from crawler.core.document import Table
from crawler.core.errors import ExtractionError
from crawler.core.extract import extract, sniff_format
from crawler.core.extract.html import extract_html
from crawler.core.extract.text import text_blocks
from crawler.core.report import process
from crawler.core.resource import FetchedResource
from tests.conftest import shared_file

GBK_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某县2021年政府信息公开工作年度报告_某县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk">政务公开</a></div>
<div class="TRS_Editor"><p class="MsoNormal"><span style="mso-ascii-font-family:'Times New Roman'">一、总体情况</span></p>
<p>全年主动公开政府信息<font face="方正仿宋_GBK">56</font>条。堃</p>
<table><tr><td rowspan="2">类别</td><td colspan="2">申请人情况</td></tr>
<tr><td>自然人</td><td>&nbsp;</td></tr><tr><td>新收</td><td>5</td><td>7</td></tr></table></div>
<div class="footer">版权所有</div></body></html>"""


def test_html_gbk_declared_in_meta_only_and_spans_resolved():
    doc = extract_html(GBK_PAGE.encode("gbk", errors="strict").replace("堃".encode("gbk"), "堃".encode("gb18030")))
    assert doc.title == "某县2021年政府信息公开工作年度报告_某县人民政府"
    assert "全年主动公开政府信息56条。堃" in doc.blocks
    tables = doc.tables
    assert len(tables) == 1
    # rowspan: "类别" once, the covered position empty; colspan likewise; &nbsp; cell blank
    assert tables[0].rows == [["类别", "申请人情况", ""], ["", "自然人", ""], ["新收", "5", "7"]]
    assert not any("首页" in b for b in doc.paragraphs), "navigation must not be in the content"


def _docx_with_merges() -> bytes:
    d = docx.Document()
    d.add_paragraph("某局2022年政府信息公开工作年度报告")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(1, 0)).text = "三、本年度办理结果"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "申请人情况"
    t.cell(1, 1).text = "自然人"
    t.cell(1, 2).text = "总计"
    t.cell(2, 0).text = "（一）予以公开"
    t.cell(2, 1).text = "4"
    t.cell(2, 2).text = "4"
    d.add_paragraph("六、其他需要报告的事项")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_merged_cells_once_and_body_order():
    doc = extract(FetchedResource(body=_docx_with_merges(), content_type="application/octet-stream"))
    assert doc.source_format == "docx"
    assert isinstance(doc.blocks[0], str) and isinstance(doc.blocks[1], Table) and doc.blocks[2] == "六、其他需要报告的事项"
    assert doc.blocks[1].rows == [["三、本年度办理结果", "申请人情况", ""], ["", "自然人", "总计"], ["（一）予以公开", "4", "4"]]


def test_text_pipe_tab_and_cell_per_line_tables():
    pipes = text_blocks(["标题", "规章 | 1 | 2 | 3 |", "规范性文件 | 4 | 5 | 6 |", "正文"])
    assert pipes[1] == Table(rows=[["规章", "1", "2", "3", ""], ["规范性文件", "4", "5", "6", ""]])
    tabs = text_blocks(["信息内容\t本年新 制作数量\t对外公开 总数量", "规章\t0\t7"])
    assert tabs[0].rows == [["信息内容", "本年新 制作数量", "对外公开 总数量"], ["规章", "0", "7"]]
    cells = text_blocks(["\t信息内容", "\t本年新", "公开数量", "", "\t规章", "\t3", "", "四、结语"])
    assert cells[0].rows == [["信息内容", "本年新\n公开数量"], ["规章", "3"]]
    assert cells[1] == "四、结语"


def test_pdf_tables_joined_over_pages_and_page_numbers_dropped():
    doc = extract(FetchedResource.from_path(shared_file("corpus/hongze_2023.pdf")))
    assert doc.pages == 5
    assert not any(p.strip() in {"- 1 -", "- 2 -", "- 3 -"} for p in doc.paragraphs)
    big = max(doc.tables, key=lambda t: len(t.rows))
    assert "joined over a page break" in big.notes
    labels = [r[2] for r in big.rows]
    assert "3.补正后申请内容仍不明确" in labels and "1.本机关不掌握相关政府信息" in labels


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "extract/empty"),
        (b"%PDF-1.4\n garbage that is not a pdf", "extract/pdf/corrupt"),
        (b"PK\x03\x04 not really a zip", "extract/unknown_format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "extract/doc/corrupt"),
        (b"\x00\x01\x02\x03binary", "extract/unknown_format"),
    ],
)
def test_bad_input_clear_error(body, reason):
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=body))
    assert info.value.reason == reason
    assert str(info.value)


def test_pdf_without_text_layer(tmp_path):
    pdfplumber = pytest.importorskip("pdfplumber")
    del pdfplumber
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=buf.getvalue()))
    assert info.value.reason == "extract/pdf/no_text"


def test_sniff_ignores_misleading_content_type():
    assert sniff_format(b"%PDF-1.7 ...", "text/html") == "pdf"
    assert sniff_format(b"<!DOCTYPE html><html>", "application/octet-stream") == "html"
    assert sniff_format("一、总体情况".encode(), None) == "text"


@pytest.mark.parametrize(
    "name", ["corpus/hongze_2023.pdf", "corpus/hongze_2024.pdf", "fixtures/gov2021_merged.pdf", "fixtures/gov2019_merged.pdf"]
)
def test_pdfium_layout_reads_the_same_as_pdfplumber(name):
    """The fast path (pdfium chars and lines, pdfplumber's table finder) gives pdfplumber's own rows."""
    import pdfplumber
    import pypdfium2

    from crawler.core.extract.pdf import _layout_items, _plumber_items
    from crawler.core.extract.pdf_layout import layout_page
    from crawler.core.normalize import normalize_cell
    from tests.conftest import FIXTURES

    path = FIXTURES / name.split("/", 1)[1] if name.startswith("fixtures/") else shared_file(name)
    fast_doc = pypdfium2.PdfDocument(str(path))
    with pdfplumber.open(path) as slow_doc:
        for index, slow_page in enumerate(slow_doc.pages):
            fast = _layout_items(layout_page(fast_doc[index]))
            slow = _plumber_items(slow_page)
            rows = lambda items: [[normalize_cell(c) for c in it.row] for it in items if it.row]  # noqa: E731
            assert rows(fast) == rows(slow), f"page {index}"
    fast_doc.close()


def test_undeclared_gbk_is_detected():
    """No header, no meta: the bytes alone say GBK (charset-normalizer), HTML and plain text alike."""
    from crawler.core.extract.text import extract_text

    html = (
        '<html><body><div class="TRS_Editor"><p>一、总体情况</p><p>2022年，本局认真贯彻落实《中华人民共和国政府信息公开条例》，'
        "全年主动公开政府信息1234条，收到政府信息公开申请15件。</p></div></body></html>"
    )
    doc = extract_html(html.encode("gbk"))
    assert "全年主动公开政府信息1234条" in "".join(doc.paragraphs)
    text = extract_text("某局2022年政府信息公开工作年度报告\n一、总体情况\n全年主动公开政府信息1234条。".encode("gb18030"))
    assert text.blocks[0] == "某局2022年政府信息公开工作年度报告"


def test_markdown_heading_and_emphasis_marks_are_not_text():
    blocks = text_blocks(
        ["# 某某局2023年政府信息公开工作年度报告", "", "## 一、总体情况", "**二、主动公开政府信息情况**", "#3 号文件"]
    )
    assert blocks == ["某某局2023年政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况", "#3 号文件"]


def test_text_rows_that_stop_short_keep_their_printed_length():
    md = [
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
        "|---|---|---|---|",
        "| 规章 | 0 | | |",
        "| 行政许可 | 12 |",
    ]
    (table,) = text_blocks(md)
    assert isinstance(table, Table)
    # the closing pipe opens no cell; the blank cells of 规章 were printed, 行政许可 stopped after two
    assert table.row_lengths == [4, 4, 2]
    assert table.rows[2] == ["行政许可", "12", "", "", ""]
    tabs = text_blocks(["信息内容\t本年处理决定数量", "行政许可\t12"])
    assert isinstance(tabs[0], Table) and tabs[0].row_lengths is None  # every row printed in full


MENU_PAGE = """<html><head><meta charset="utf-8"><title>某某县农业农村局2022年政府信息公开工作年度报告-某某县人民政府</title></head>
<body><div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a></div>
<div class="main"><div class="tit">某某县农业农村局2022年政府信息公开工作年度报告</div>
<div class="con"><p>一、总体情况</p><p>2022年，某某县农业农村局认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息312条。</p>
<p>附件：<a href="/a.pdf">某某县农业农村局2022年政府信息公开工作年度报告.pdf</a></p>
<p><a href="/b.html">某某县农业农村局2021年政府信息公开工作年度报告</a> <a href="/c.html">某某县农业农村局2020年政府信息公开工作年度报告</a></p>
</div></div></body></html>"""


def test_html_menu_of_short_links_is_not_report_text():
    doc = extract_html(MENU_PAGE.encode("utf-8"))
    assert doc.paragraphs[0] == "某某县农业农村局2022年政府信息公开工作年度报告"
    assert not any("首页" in p or "互动交流" in p for p in doc.paragraphs)
    # links that are more than a menu's words stay: an attachment line, a row of report titles
    assert any(p.startswith("附件：") for p in doc.paragraphs)
    assert any("2021年政府信息公开工作年度报告" in p for p in doc.paragraphs)


def test_html_menu_does_not_run_into_the_title_and_agency():
    record = process(FetchedResource(body=MENU_PAGE.encode("utf-8"), filename="report.html"))
    assert record["title"] == "某某县农业农村局2022年政府信息公开工作年度报告"
    assert record["agency"] == "某某县农业农村局"


def test_office_export_is_dated_by_its_signature_not_its_file_metadata():
    """Word/WPS/LibreOffice "Save as HTML" writes when the file was created; the report's date is its signature."""
    page = (
        '<html><head><meta name="generator" content="Microsoft Word 15 (filtered)">'
        '<meta name="created" content="2024-01-01T00:00:00"><title>示范县财政局2022年政府信息公开工作年度报告</title></head><body>'
        "<p>示范县财政局2022年政府信息公开工作年度报告</p><p>一、总体情况</p><p>2022年，我局认真贯彻落实《条例》，主动公开政府信息。</p>"
        "<p>示范县财政局</p><p>2023年1月18日</p></body></html>"
    ).encode()
    record = process(FetchedResource(body=page, url="http://127.0.0.1/a.html"))
    assert record["published_date"] == "2023-01-18"

"""Legacy .doc / .wps / .rtf reports through real LibreOffice, and what happens without it.

The fixtures in tests/eval/scans/ were written by LibreOffice from the DOCX fixtures
(the .wps is the .doc's bytes under a .wps name, as portals publish them); the expected
cells are the DOCX fixtures' annotations, never this parser's output.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from crawler.core.errors import ExtractionError
from crawler.core.extract import extract, legacy, sniff_format
from crawler.core.report import process
from crawler.core.resource import FetchedResource
from tests.conftest import ROOT
from tests.eval.gate import Score, evaluate

SCANS = ROOT / "tests" / "eval" / "scans"
TRUTH = {Path(d["path"]).stem: d for d in json.loads((ROOT / "tests/eval/fixtures/annotations.json").read_text("utf-8"))}

needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


@needs_libreoffice
@pytest.mark.parametrize(
    ("name", "kind"), [("gov2019_merged.doc", "doc"), ("gov2021_merged.wps", "doc"), ("gov2021_inconsistent.rtf", "rtf")]
)
def test_legacy_file_gives_the_docx_fixtures_cells(name, kind):
    path = SCANS / name
    record = process(FetchedResource.from_path(path))
    assert record["source_format"] == kind
    truth = TRUTH[path.stem]
    score = Score()
    evaluate(truth, record, score)
    assert score.cells >= 60, "the annotation must cover the three tables"
    assert score.cells_ok == score.cells and score.fields_ok == score.fields, score.misses[:10]


@needs_libreoffice
def test_server_is_reused_between_documents():
    body = (SCANS / "gov2019_merged.doc").read_bytes()
    legacy.convert_to_docx(body)  # may start the server
    if not legacy._unoserver_usable():
        pytest.skip("unoserver is not installed: one soffice per document")
    pid = legacy._SERVER._proc.pid if legacy._SERVER._proc else None
    started = time.perf_counter()
    out = legacy.convert_to_docx(body)
    elapsed = time.perf_counter() - started
    assert out.startswith(b"PK\x03\x04")
    assert legacy._SERVER._proc is not None and legacy._SERVER._proc.pid == pid, "a second LibreOffice was started"
    assert elapsed < 5, f"a warm conversion took {elapsed:.1f} s"


def _docx_bytes() -> bytes:
    d = docx.Document()
    d.add_paragraph("某县人民政府办公室2020年政府信息公开工作年度报告")
    d.add_paragraph("一、总体情况")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_and_html_named_doc_are_read_by_their_bytes():
    as_doc = FetchedResource(body=_docx_bytes(), filename="report.doc", content_type="application/msword")
    assert sniff_format(as_doc.body, as_doc.content_type) == "docx"
    assert extract(as_doc).source_format == "docx"
    # Word's "save as web page" under a .doc name, the way portals serve it
    page = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">'
        '<head><meta http-equiv=Content-Type content="text/html; charset=gb2312"></head>'
        "<body><div class=WordSection1><p class=MsoNormal>一、总体情况</p></div></body></html>"
    ).encode("gb2312")
    html_doc = extract(FetchedResource(body=page, filename="report.doc", content_type="application/msword"))
    assert html_doc.source_format == "html" and any("总体情况" in p for p in html_doc.paragraphs)


def test_rtf_is_recognised_by_its_bytes():
    assert legacy.legacy_kind(b"{\\rtf1\\ansi\\ansicpg936 ...}") == "rtf"
    assert sniff_format(b"{\\rtf1\\ansi\\deff0 ...}", "application/msword") == "doc"


def test_spreadsheet_in_ole2_is_refused_with_a_reason(tmp_path):
    # an Excel 97 workbook is the same OLE2 container as a .doc; portals attach them as 统计表
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("统计表")
    for row, (label, value) in enumerate([("类别", "数量"), ("新收", 5)]):
        sheet.write(row, 0, label)
        sheet.write(row, 1, value)
    xls = tmp_path / "sheet.xls"
    book.save(str(xls))
    assert xls.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=xls.read_bytes(), filename="sheet.wps"))
    assert info.value.reason == "extract/doc/not_text"


def test_without_libreoffice_a_clear_reason(monkeypatch):
    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource.from_path(SCANS / "gov2019_merged.doc"))
    assert info.value.reason == "extract/doc/no_converter"
    assert "libreoffice" in str(info.value).lower() and "apt-get install" in str(info.value)


def test_cli_without_libreoffice_exits_2_with_one_line(tmp_path):
    # PATH without soffice: the same as a machine where LibreOffice was never installed
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "parse", str(SCANS / "gov2021_merged.wps")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "LibreOffice" in lines[0], proc.stderr


def test_truncated_ole2_is_corrupt_without_starting_libreoffice(monkeypatch):
    body = (SCANS / "gov2019_merged.doc").read_bytes()[:1000]
    monkeypatch.setattr(legacy, "convert_to_docx", lambda b: pytest.fail("LibreOffice must not be asked"))
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=body, filename="a.doc"))
    assert info.value.reason == "extract/doc/corrupt"


@needs_libreoffice
def test_memory_limit_kills_the_conversion(monkeypatch):
    if not legacy._unoserver_usable():
        pytest.skip("unoserver is not installed")
    monkeypatch.setattr(legacy, "CONVERT_MEMORY", 1024 * 1024)  # LibreOffice never fits in 1 MiB
    with pytest.raises(ExtractionError) as info:
        legacy.convert_to_docx((SCANS / "gov2019_merged.doc").read_bytes())
    assert info.value.reason == "extract/doc/memory"
    monkeypatch.undo()
    # the next document gets a fresh server
    assert legacy.convert_to_docx((SCANS / "gov2019_merged.doc").read_bytes()).startswith(b"PK")


@needs_libreoffice
def test_time_limit_stops_the_conversion(monkeypatch):
    if not legacy._unoserver_usable():
        pytest.skip("unoserver is not installed")
    legacy.convert_to_docx((SCANS / "gov2021_merged.wps").read_bytes())  # the server is up
    monkeypatch.setattr(legacy, "CONVERT_TIMEOUT", 0.001)
    with pytest.raises(ExtractionError) as info:
        legacy.convert_to_docx((SCANS / "gov2021_merged.wps").read_bytes())
    assert info.value.reason == "extract/doc/timeout"
    assert legacy._SERVER._proc is None, "a timed-out server must be stopped"


@needs_libreoffice
def test_fallback_without_unoserver(monkeypatch):
    monkeypatch.setenv("GOVREPORTS_UNOSERVER", "0")
    out = legacy.convert_to_docx((SCANS / "gov2021_merged.wps").read_bytes())
    assert out.startswith(b"PK\x03\x04") and b"word/document.xml" in out

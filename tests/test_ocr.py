"""OCR of scanned PDFs, pictures and <img> tables with the real engines, plus the table reader's rules.

The scanned fixtures (tests/eval/scans/make_scans.py) are the text-layer PDF fixtures
rasterised, rotated, blurred and speckled; the expected cells are those fixtures'
annotations (tests/eval/scans/annotations.json), never this reader's output. OCR is
slow on a shared CPU, so only three pictures are read here; tests/eval/scans/evaluate.py
reads them all.
"""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import pytest
from PIL import Image

from crawler.core.errors import ExtractionError
from crawler.core.extract import extract, image_tables, ocr, pdf_ocr, sniff_format
from crawler.core.extract.image_tables import PageResult, _Cell, _cell_text, estimate_skew
from crawler.core.extract.ocr import OcrBox
from crawler.core.extract.pictures import image_kind
from crawler.core.report import process
from crawler.core.resource import FetchedResource
from tests.conftest import FIXTURES, ROOT
from tests.eval.gate import Score, evaluate

SCANS = ROOT / "tests" / "eval" / "scans"
TRUTH = {Path(d["path"]).name: d for d in json.loads((SCANS / "annotations.json").read_text("utf-8"))}

needs_ocr = pytest.mark.skipif(not ocr.available_engines(), reason="no OCR engine installed (rapidocr_onnxruntime or tesseract)")
needs_rapid = pytest.mark.skipif("rapidocr" not in ocr.available_engines(), reason="rapidocr_onnxruntime is not installed")
needs_tesseract = pytest.mark.skipif("tesseract" not in ocr.available_engines(), reason="tesseract is not installed")


def _score(name: str, record: dict) -> Score:
    score = Score()
    evaluate(TRUTH[name], record, score)
    assert score.cells >= 20, "the annotation must hold the table cells"
    return score


def _crop(path: Path, box: tuple[float, float, float, float]) -> np.ndarray:
    """A region (fractions of the page) of a scanned picture, as a greyscale array."""
    grey = np.asarray(Image.open(path).convert("L"))
    h, w = grey.shape
    return grey[int(box[1] * h) : int(box[3] * h), int(box[0] * w) : int(box[2] * w)]


# ---------------------------------------------------------------- real OCR, end to end


@pytest.mark.slow  # a whole page by OCR (~30 s); CI reads two scanned pages and a picture table instead
@needs_ocr
def test_jpeg_of_a_page_gives_tables_three_and_four():
    name = "gov2021_merged_page3.jpg"
    record = process(FetchedResource.from_path(SCANS / name))
    assert record["source_format"] == "image"
    assert record["ocr"]["engine"] in ("rapidocr", "tesseract") and 0 < record["ocr"]["mean_confidence"] <= 1
    score = _score(name, record)
    assert score.cells_ok / score.cells >= 0.98, score.misses[:10]


@needs_ocr
def test_scanned_pdf_pages_are_read_and_marked(tmp_path):
    """The first two pages of the 150 dpi scan (title, 总体情况, table 二) as their own scanned PDF."""
    scan = pypdfium2.PdfDocument(SCANS / "gov2021_merged_scan150.pdf")
    two = pypdfium2.PdfDocument.new()
    two.import_pages(scan, [0, 1])
    buf = io.BytesIO()
    two.save(buf)
    record = process(FetchedResource(body=buf.getvalue(), filename="scan.pdf"))
    assert record["source_format"] == "pdf-ocr" and record["ocr"]["pages"] == 2
    truth = TRUTH["gov2021_merged_scan150.pdf"]
    for field in ("title", "agency", "year"):
        assert record[field] == truth["fields"][field]
    proactive = {k: v for k, v in truth["cells"].items() if k.startswith("proactive/")}
    score = Score()
    evaluate({"path": "scan.pdf", "fields": {}, "cells": proactive}, record, score)
    assert score.cells >= 10 and score.cells_ok / score.cells >= 0.95, score.misses[:10]


@needs_ocr
def test_html_page_with_table_three_as_a_picture():
    name = "gov2021_merged_img.html"
    assert b"<img" in (SCANS / name).read_bytes() and "本年新收" not in (SCANS / name).read_text("utf-8")
    record = process(FetchedResource.from_path(SCANS / name))
    assert record["source_format"] == "html" and record["ocr"] is not None
    truth = TRUTH[name]
    requests_only = {k: v for k, v in truth["cells"].items() if k.startswith("requests/")}
    score = Score()
    evaluate({"path": name, "fields": {}, "cells": requests_only}, record, score)
    assert score.cells >= 100 and score.cells_ok / score.cells >= 0.98, score.misses[:10]


def test_crawled_html_bytes_never_open_local_files(tmp_path):
    """Bytes from a crawl have no place on disk: an <img src> must not be resolved against the cwd."""
    page = (SCANS / "gov2021_merged_img.html").read_bytes()
    doc = extract(FetchedResource(body=page, url="https://www.example.gov.cn/a.html"))
    assert doc.ocr is None


@needs_rapid
def test_rapidocr_models_ship_in_the_wheel_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    engine = ocr.RapidEngine()  # a fresh instance: loads the models now
    boxes = engine.read(_crop(SCANS / "gov2021_merged_page3.jpg", (0.08, 0.70, 0.95, 0.80)))
    assert any("行政复议" in b.text for b in boxes)


@needs_tesseract
def test_tesseract_fallback_reads_the_same_crop():
    engine = ocr.get_engine("tesseract")
    boxes = engine.read(_crop(SCANS / "gov2021_merged_page3.jpg", (0.08, 0.70, 0.95, 0.80)))
    text = "".join(b.text for b in boxes)
    assert "复议" in text or "诉讼" in text, text


def test_text_layer_pdf_never_calls_ocr(monkeypatch):
    monkeypatch.setattr(pdf_ocr, "get_engine", lambda name=None: pytest.fail("OCR on a page with a text layer"))
    doc = extract(FetchedResource.from_path(FIXTURES / "gov2021_merged.pdf"))
    assert doc.source_format == "pdf" and doc.ocr is None


def test_scanned_pdf_without_engine_says_what_to_install(monkeypatch):
    monkeypatch.setattr(ocr, "available_engines", list)
    ocr.get_engine.cache_clear()
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource.from_path(SCANS / "gov2021_merged_scan150.pdf"))
    ocr.get_engine.cache_clear()
    assert info.value.reason == "extract/pdf/no_text"
    assert "no text layer" in str(info.value) and "install" in str(info.value)


# ---------------------------------------------------------------- formats and the table reader's rules


@pytest.mark.parametrize(("fmt", "kind"), [("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("TIFF", "tiff"), ("BMP", "bmp")])
def test_pictures_are_recognised_by_their_bytes(fmt, kind):
    buf = io.BytesIO()
    Image.new("L", (40, 30), 255).save(buf, fmt)
    assert image_kind(buf.getvalue()[:64]) == kind
    assert sniff_format(buf.getvalue(), "application/octet-stream") == "image"


def test_text_starting_with_bm_is_not_a_bitmap():
    assert image_kind("BM市政府2020年政府信息公开工作年度报告".encode()) is None


def test_broken_picture_has_a_reason():
    with pytest.raises(ExtractionError) as info:
        extract(FetchedResource(body=b"\x89PNG\r\n\x1a\n" + b"\x00" * 40))
    assert info.value.reason == "extract/image/corrupt"


def test_misread_number_is_left_blank_with_a_warning():
    result = PageResult(blocks=[])
    cell = _Cell(0, 0, 100, 30, boxes=[OcrBox("3l19", 0.93, 5, 5, 60, 25)])
    assert _cell_text(cell, result) == ""
    assert result.warnings and "3l19" in result.warnings[0]
    good = _Cell(0, 0, 100, 30, boxes=[OcrBox("3119", 0.97, 5, 5, 60, 25)])
    assert _cell_text(good, result) == "3119"
    shaky = _Cell(0, 0, 100, 30, boxes=[OcrBox("8", 0.31, 5, 5, 20, 25)])
    assert _cell_text(shaky, result) == "" and "low confidence" in result.warnings[-1]
    label = _Cell(0, 0, 300, 30, boxes=[OcrBox("1.属于国家秘密", 0.95, 5, 5, 200, 25)])
    assert _cell_text(label, result) == "1.属于国家秘密"


def test_skew_is_measured_on_a_scanned_page():
    page = pypdfium2.PdfDocument(FIXTURES / "gov2019_merged.pdf")[0].render(scale=100 / 72).to_pil().convert("L")
    for angle in (0.6, -0.9):
        rotated = np.asarray(page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255))
        assert abs(estimate_skew(rotated) + angle) <= 0.15


def test_grid_with_spans_from_a_drawn_table():
    """A ruled table drawn like a word processor's: a header spanning two columns, a label spanning two rows."""
    page = np.full((700, 1650), 255, np.uint8)  # ~200 dpi across an A4 width
    xs, ys = [100, 500, 800, 1100], [100, 160, 220, 280]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for x in (xs[0], xs[-1]):
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(page, (xs[1], ys[0]), (xs[1], ys[-1]), 0, 2)
    cv2.line(page, (xs[2], ys[1]), (xs[2], ys[-1]), 0, 2)  # the top row spans columns 2-3
    cv2.line(page, (xs[0], ys[2]), (xs[1], ys[2]), 255, 4)  # the first column spans rows 2-3
    cv2.line(page, (xs[0], ys[2]), (xs[1], ys[2]), 255, 4)
    noisy = np.clip(page.astype(np.int16) + np.random.default_rng(3).normal(0, 6, page.shape), 0, 255).astype(np.uint8)
    lines = image_tables.find_grid_lines(image_tables.clean_page(noisy))
    tables = image_tables.find_tables(lines)
    assert len(tables) == 1
    grid, _, _ = image_tables.grid_of(tables[0], 200)
    assert len(grid) == 3 and len(grid[0]) == 3
    assert grid[0][1] is not None and grid[0][2] is None, "a spanned header is one cell, top-left"
    assert grid[1][0] is not None and grid[2][0] is None, "a spanned label is one cell, top-left"


@pytest.mark.parametrize(
    ("read", "fixed"),
    [
        ("一~ 总体情况", "一、总体情况"),
        ("二- 主动公开政府信息情况", "二、主动公开政府信息情况"),
        ("本年度无人大代表建议和政协提案办理结果公开事项需要说明°", "本年度无人大代表建议和政协提案办理结果公开事项需要说明。"),
        ("一-1", "一-1"),
        ("2023年1月18日", "2023年1月18日"),
    ],
)
def test_ocr_punctuation_fixed_only_where_position_is_clear(read, fixed):
    assert image_tables._fix_prose(read) == fixed

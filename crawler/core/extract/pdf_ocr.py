"""Scanned PDF pages: render the pages without a text layer and read them by OCR.

Only pages with no text at all and at least one picture are read: OCR never
overrides a text layer, and a blank page costs nothing. Each page is rendered
at the resolution of the picture on it (150–300 dpi), so a 150 dpi scan is not
blown up and a 300 dpi one not thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c

from crawler.core.errors import ExtractionError, ReportError
from crawler.core.extract.image_tables import PageResult, read_page
from crawler.core.extract.ocr import get_engine


@dataclass
class ScannedPages:
    pages: dict[int, PageResult]
    engine: str
    mean_confidence: float | None


def read_scanned_pages(body: bytes, indices: list[int], required: bool) -> ScannedPages | None:
    """OCR the given pages that hold pictures. ``required``: no page has text, so OCR is the only way."""
    try:
        engine = get_engine()
    except ExtractionError as exc:
        if required:
            raise ExtractionError(f"PDF has no text layer (scanned?) and {exc}", "extract/pdf/no_text") from exc
        return None
    pdf = pypdfium2.PdfDocument(body)
    results: dict[int, PageResult] = {}
    try:
        for index in indices:
            page = pdf[index]
            dpi = _scan_dpi(page)
            if dpi is None:
                continue  # no picture: a blank page
            grey = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            try:
                results[index] = read_page(grey, engine)
            except ReportError:
                raise
            except (ValueError, MemoryError) as exc:  # OpenCV on a degenerate page
                raise ExtractionError(f"OCR failed on page {index + 1}: {exc}", "extract/ocr/failed") from exc
    finally:
        pdf.close()
    if not results:
        return None
    confidences = [c for r in results.values() for c in r.confidences]
    mean = round(sum(confidences) / len(confidences), 4) if confidences else None
    return ScannedPages(pages=results, engine=engine.name, mean_confidence=mean)


def _scan_dpi(page: pypdfium2.PdfPage) -> float | None:
    """The resolution of the largest picture on the page (clamped to 150–300), or None without one."""
    width_in = page.get_width() / 72
    best = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            pixels = obj.get_px_size()[0]
            left, _bottom, right, _top = obj.get_bounds()
        except pypdfium2.PdfiumError:
            continue
        if right - left > page.get_width() * 0.3:
            best = max(best, int(pixels / ((right - left) / 72)))
    if not best:
        return None
    return float(min(300, max(150, best))) if width_in else 200.0

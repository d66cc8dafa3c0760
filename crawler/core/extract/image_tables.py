"""Page images (scans, photos, pictures of tables) → Document, through OCR.

A page is cleaned first: the scanner's grey edges are whitened, dust removed with
a median filter, and the sheet's skew (up to a few degrees) measured from the
rows of ink and rotated away. Ruling lines are found with morphology (OpenCV):
long horizontal and vertical runs of ink, plus short vertical segments that
join two horizontal rules (a row-high separator), which character strokes never
do. The white regions enclosed by the lines are the cells; their edges, pooled
per table, give the grid's column and row boundaries, so merged cells come out
as spans (text top-left, the covered positions empty), like the other
extractors' grids.

The OCR engine (:mod:`crawler.core.extract.ocr`) reads the page once with the lines
whitened; each text box goes to the cell holding its centre, a box that strays
over a cell border is read again cell by cell, and boxes outside every table
are the page's lines of prose. A cell whose text looks like a number with a
misread character ("3l19") is left blank with a warning: a wrong number is
worse than a missing one.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from crawler.core.document import Block, Document, Table
from crawler.core.errors import ExtractionError
from crawler.core.extract.ocr import OcrBox, OcrEngine, get_engine
from crawler.core.extract.pictures import image_kind

Array = np.ndarray[Any, Any]

#: refuse pictures larger than this many pixels (a decompression bomb, or a poster)
MAX_PIXELS = 60_000_000
_A4_WIDTH_INCHES = 8.27
_LINE_BOX_INCHES = 0.155  # measured on the scanned fixtures: 31 px at 200 dpi
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页.*|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})\s*$")
# What OCR makes of digits: letters that look like them. A cell of digits and these is a misread number.
_DIGIT_LOOKALIKES = "lIiOoSsBZz|"
_MISREAD_NUMBER = re.compile(rf"(?=.*\d)(?=.*[{re.escape(_DIGIT_LOOKALIKES)}])[\d{re.escape(_DIGIT_LOOKALIKES)}.,]+")
_NUMBER = re.compile(r"[\d.,，]+")
# A lone "S" or "l" in a cell is a digit OCR could not read ("5", "1"), not a word of the report.
_LOOKALIKES_ONLY = re.compile(rf"[{re.escape(_DIGIT_LOOKALIKES)}]{{1,3}}")
#: numeric cells read with less confidence than this are left blank (with a warning)
MIN_DIGIT_CONFIDENCE = 0.5
#: how much darker than the paper around it a pixel must be to be ink of a ruling line
INK_CONTRAST = 25


def decode_image(body: bytes) -> list[Array]:
    """Greyscale pages of an image file (every frame of a multi-page TIFF)."""
    if image_kind(body[:64]) is None:
        raise ExtractionError("not a PNG, JPEG, GIF, TIFF or BMP picture", "extract/image/corrupt")
    try:
        with Image.open(io.BytesIO(body)) as im:
            if im.width * im.height > MAX_PIXELS:
                raise ExtractionError(f"image too large: {im.width}×{im.height} pixels", "extract/image/too_large")
            frames = []
            for index in range(getattr(im, "n_frames", 1)):
                im.seek(index)
                frames.append(np.asarray(im.convert("L")))
                if getattr(im, "format", "") == "GIF":
                    break  # an animated GIF's later frames are not pages
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ExtractionError(f"unreadable image ({type(exc).__name__})", "extract/image/corrupt") from exc
    return frames


def extract_image(body: bytes) -> Document:
    """A report published as a picture (or a multi-page TIFF)."""
    return ocr_pages(decode_image(body), "image")


def tables_from_image(body: bytes, engine: OcrEngine | None = None) -> PageResult:
    """The ruled tables in one picture (an ``<img>`` of a report page): blocks are Tables only.

    The ruling lines are looked for first (cheap): a picture without a table (a logo, a photo)
    is not read at all.
    """
    result = PageResult(blocks=[])
    for page in decode_image(body):
        if not find_tables(find_grid_lines(clean_page(page))):
            continue
        read = read_page(page, engine or get_engine())
        result.blocks.extend(b for b in read.blocks if isinstance(b, Table))
        result.warnings.extend(read.warnings)
        result.confidences.extend(read.confidences)
    return result


def ocr_pages(pages: list[Array], source_format: str, engine: OcrEngine | None = None) -> Document:
    """OCR every page image into one Document; tables continued over a page break are joined."""
    engine = engine or get_engine()
    blocks: list[Block] = []
    warnings: list[str] = []
    confidences: list[float] = []
    joined = 0
    for number, page in enumerate(pages, start=1):
        result = read_page(page, engine)
        confidences.extend(result.confidences)
        warnings.extend(f"page {number}: {w}" for w in result.warnings)
        page_blocks = result.blocks
        first, last = (page_blocks[0] if page_blocks else None), (blocks[-1] if blocks else None)
        if isinstance(first, Table) and isinstance(last, Table) and first.width == last.width:
            last.rows.extend(first.rows)
            last.notes.append("joined over a page break")
            page_blocks = page_blocks[1:]
            joined += 1
        blocks.extend(page_blocks)
    if not any(isinstance(b, Table) or b.strip() for b in blocks):
        raise ExtractionError("OCR found no text on the page images", "extract/ocr/no_text")
    doc = Document(blocks=blocks, source_format=source_format, pages=len(pages), warnings=warnings)
    if joined:
        doc.warnings.append(f"{joined} table(s) continued over a page break were joined")
    mean = round(sum(confidences) / len(confidences), 4) if confidences else None
    doc.ocr = {"engine": engine.name, "mean_confidence": mean, "pages": len(pages)}
    return doc


@dataclass
class PageResult:
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)


@dataclass
class _Cell:
    x0: int
    y0: int
    x1: int
    y1: int
    boxes: list[OcrBox] = field(default_factory=list)


# ---------------------------------------------------------------- cleaning


def clean_page(grey: Array) -> Array:
    """Whiten scanner edges, remove a scan's dust, undo the skew."""
    page = _whiten_edges(grey)
    # Dust and sensor noise off with a median filter, unless it erases the rules: the one-pixel
    # rules of a crisp screenshot (which has no noise to remove) do not survive it.
    smooth = cv2.medianBlur(page, 3)
    if _rule_pixels(smooth) >= 0.9 * _rule_pixels(page):
        page = smooth
    angle = estimate_skew(page)
    if abs(angle) >= 0.05:
        h, w = page.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        page = cv2.warpAffine(page, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)
    return page


def _rule_pixels(page: Array) -> int:
    """How much of the page is long horizontal rule (a cheap part of :func:`find_grid_lines`)."""
    dpi = _page_dpi(page)
    window = max(9, int(dpi * 0.12)) | 1
    darkness = cv2.morphologyEx(page, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (window, window)))
    ink = cv2.threshold(darkness, INK_CONTRAST, 255, cv2.THRESH_BINARY)[1]
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, int(dpi * 0.3)), 1)))
    return int(cv2.countNonZero(rules))


def _whiten_edges(grey: Array) -> Array:
    """Rows and columns at the edges much darker than paper are the scanner's, not the report's."""
    page = grey.copy()
    h, w = page.shape
    paper = float(np.percentile(page, 90))
    dark = paper * 0.8
    for axis, size in ((0, h), (1, w)):
        means = page.mean(axis=1 - axis)
        limit = size // 10
        start = 0
        while start < limit and means[start] < dark:
            start += 1
        end = size
        while size - end < limit and means[end - 1] < dark:
            end -= 1
        if axis == 0:
            page[:start, :] = 255
            page[end:, :] = 255
        else:
            page[:, :start] = 255
            page[:, end:] = 255
    return page


def estimate_skew(page: Array, max_degrees: float = 2.0) -> float:
    """The rotation (degrees) that makes rows of ink horizontal: the sharpest row profile wins."""
    scale = 800 / max(page.shape)
    small = cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else page
    ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    h, w = ink.shape

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    coarse = max(np.arange(-max_degrees, max_degrees + 1e-9, 0.25), key=sharpness)
    fine = max(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.05), key=sharpness)
    return float(fine)


# ---------------------------------------------------------------- ruling lines and cells


def _page_dpi(page: Array) -> float:
    """The resolution if the picture is a whole A4 page (a guess for pictures of a part of one)."""
    return max(72.0, float(page.shape[1]) / _A4_WIDTH_INCHES)


def _text_dpi(boxes: list[OcrBox]) -> float | None:
    """The resolution from the text itself: a report's body text is 10.5–12 pt, its line boxes ~0.155 in tall."""
    heights = sorted(b.y1 - b.y0 for b in boxes if len(b.text) >= 2)
    if len(heights) < 20:
        return None
    return max(72.0, min(600.0, heights[len(heights) // 2] / _LINE_BOX_INCHES))


def find_grid_lines(page: Array, text: list[OcrBox] | None = None, dpi: float | None = None) -> Array:
    """A mask of the ruling lines (255 on a line); ``text`` boxes veto row-high runs inside them."""
    dpi = dpi or _page_dpi(page)
    # Ink relative to the paper around it (black-hat): a faint hairline counts as much as a bold rule.
    # The window must be wider than the gap between a rule and the text beside it, or dense text
    # and the rule close into one dark patch and the rule vanishes there.
    window = max(9, int(dpi * 0.12)) | 1
    darkness = cv2.morphologyEx(page, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (window, window)))
    ink = cv2.threshold(darkness, INK_CONTRAST, 255, cv2.THRESH_BINARY)[1]
    long_h = max(20, int(dpi * 0.3))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_h, 1)))
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    short_v = max(6, int(dpi * 0.06))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, short_v)))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 7)))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    # Cut the vertical runs where they cross horizontal rules: each piece is one row's separator, or a
    # character's stroke (strokes joined to a rule through a crossing would otherwise lengthen it).
    vertical = cv2.bitwise_and(vertical, cv2.bitwise_not(horizontal))
    long_v = int(dpi * 0.35)
    reach = max(3, int(dpi * 0.02))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    keep = np.zeros(count, dtype=bool)
    pieces: list[tuple[int, int, bool]] = []  # (component, x, long) of runs that may be rules
    for index in range(1, count):
        x, y, bw, bh, area = stats[index]
        if area / bh > dpi * 0.05:
            continue  # thick on average: a blot, not a rule (a stroke touching a rule only widens its box)
        mid = x + bw / 2
        covered = sum(max(0.0, min(b.y1, y + bh) - max(b.y0, y)) for b in text or [] if b.x0 + reach < mid < b.x1 - reach)
        if covered > 0.8 * bh:
            continue  # inside recognised text: a stroke
        top = horizontal[max(0, y - reach) : y + reach + 1, x : x + bw]
        bottom = horizontal[max(0, y + bh - reach - 1) : y + bh + reach, x : x + bw]
        if bh >= long_v or (top.any() and bottom.any()):
            pieces.append((index, int(mid), bh >= long_v))
    # A piece is a rule when it is long, or lines up with another piece (the same column's rule in
    # another row); a character's stroke is short and at no column's x.
    for index, x, is_long in pieces:
        peers = sum(1 for _, other, _ in pieces if abs(other - x) <= reach * 2)
        keep[index] = is_long or peers >= 2
    vertical = np.where(keep[labels], 255, 0).astype(np.uint8)
    return cv2.bitwise_or(horizontal, vertical)


def find_tables(lines: Array, dpi: float | None = None) -> list[list[_Cell]]:
    """Cells of each ruled table: the white regions the lines enclose."""
    w = lines.shape[1]
    dpi = dpi or _page_dpi(lines)
    min_cell = max(6, int(dpi * 0.05))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables: list[list[_Cell]] = []
    for index in range(1, count):
        x, y, bw, bh, _area = stats[index]
        if bw < w * 0.25 or bh < dpi * 0.12:
            continue
        region = (labels[y : y + bh, x : x + bw] == index).astype(np.uint8) * 255
        spaces = cv2.bitwise_not(region)
        n, _, cell_stats, _ = cv2.connectedComponentsWithStats(spaces, connectivity=4)
        cells = []
        for c in range(1, n):
            cx, cy, cw, ch, _ = cell_stats[c]
            if cx == 0 or cy == 0 or cx + cw >= bw or cy + ch >= bh:
                continue  # outside the table's frame
            if cw < min_cell or ch < min_cell:
                continue
            cells.append(_Cell(x + cx, y + cy, x + cx + cw, y + cy + ch))
        if len(cells) >= 2:
            tables.append(cells)
    return tables


def _boundaries(values: list[int], tolerance: int) -> list[int]:
    clusters: list[list[int]] = []
    for v in sorted(values):
        if clusters and v - clusters[-1][-1] <= tolerance:
            clusters[-1].append(v)
        else:
            clusters.append([v])
    return [int(np.median(c)) for c in clusters]


def _nearest(bounds: list[int], value: int) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - value))


def grid_of(cells: list[_Cell], dpi: float) -> tuple[list[list[_Cell | None]], list[int], list[int]]:
    """Place cells on a grid; a merged cell sits at its top-left position."""
    tolerance = max(4, int(dpi * 0.04))
    xs = _boundaries([c.x0 for c in cells] + [c.x1 for c in cells], tolerance)
    ys = _boundaries([c.y0 for c in cells] + [c.y1 for c in cells], tolerance)
    rows, cols = max(1, len(ys) - 1), max(1, len(xs) - 1)
    grid: list[list[_Cell | None]] = [[None] * cols for _ in range(rows)]
    for cell in cells:
        r, c = min(_nearest(ys, cell.y0), rows - 1), min(_nearest(xs, cell.x0), cols - 1)
        if grid[r][c] is None:
            grid[r][c] = cell
    return grid, xs, ys


# ---------------------------------------------------------------- OCR into cells


def read_page(grey: Array, engine: OcrEngine) -> PageResult:
    """One page image → blocks (prose lines and tables, top to bottom)."""
    page = clean_page(grey)
    boxes = engine.read(page)
    dpi = _text_dpi(boxes) or _page_dpi(page)
    lines = find_grid_lines(page, boxes, dpi)
    tables = find_tables(lines, dpi)
    text_only = page.copy()
    text_only[lines > 0] = 255
    result = PageResult(blocks=[], confidences=[b.confidence for b in boxes])
    placed: list[tuple[float, Block]] = []
    leftovers = list(boxes)
    for cells in tables:
        leftovers = _assign(leftovers, cells, text_only, engine, dpi)
        _read_missed_cells(cells, text_only, engine, dpi)
        grid, _, _ = grid_of(cells, dpi)
        rows = [[_cell_text(cell, result) if cell else "" for cell in row] for row in grid]
        rows = [r for r in rows if any(t.strip() for t in r)]
        if rows:
            placed.append((min(c.y0 for c in cells), Table(rows=rows, notes=["read by OCR"])))
    for top, text in _prose_lines(leftovers):
        if not _PAGE_NUMBER.match(text):
            placed.append((top, text))
    placed.sort(key=lambda item: item[0])
    result.blocks = [block for _, block in placed]
    return result


def _assign(boxes: list[OcrBox], cells: list[_Cell], page: Array, engine: OcrEngine, dpi: float) -> list[OcrBox]:
    """Give each box to its cell; re-read boxes that straddle cells; return the boxes outside the table."""
    slack = dpi * 0.03
    outside: list[OcrBox] = []
    x0, y0 = min(c.x0 for c in cells), min(c.y0 for c in cells)
    x1, y1 = max(c.x1 for c in cells), max(c.y1 for c in cells)
    for box in boxes:
        if not (x0 <= box.cx <= x1 and y0 <= box.cy <= y1):
            outside.append(box)
            continue
        home = next((c for c in cells if c.x0 <= box.cx <= c.x1 and c.y0 <= box.cy <= c.y1), None)
        if home is None:
            continue  # on a rule line: noise
        if box.x0 >= home.x0 - slack and box.x1 <= home.x1 + slack:
            home.boxes.append(box)
            continue
        # One detection across a border ("44 12" over two columns): read each cell's part alone.
        for cell in cells:
            if cell.y0 <= box.cy <= cell.y1 and min(box.x1, cell.x1) - max(box.x0, cell.x0) > slack:
                part = page[int(max(box.y0, cell.y0)) : int(min(box.y1, cell.y1)), cell.x0 : cell.x1]
                line = engine.read_line(part) if part.size else None
                if line is not None:
                    cell.boxes.append(
                        OcrBox(line.text, line.confidence, cell.x0, max(box.y0, cell.y0), cell.x1, min(box.y1, cell.y1))
                    )
    return outside


def _read_missed_cells(cells: list[_Cell], page: Array, engine: OcrEngine, dpi: float) -> None:
    """Read a cell alone when the page reading missed it or gave a misread number.

    The detector misses small marks (a thin "1" at 150 dpi) and the page pass may read "5" as "S";
    the cell cut out and recognised as one line is a second opinion, kept only when it is a clean
    number (or the cell had nothing at all).
    """
    inset = max(2, int(dpi * 0.015))
    for cell in cells:
        text = re.sub(r"\s+", "", "".join(b.text for b in cell.boxes))
        suspect = bool(text) and _misread(text)
        if cell.boxes and not suspect:
            continue
        inner = page[cell.y0 + inset : cell.y1 - inset, cell.x0 + inset : cell.x1 - inset]
        if inner.size == 0 or int((inner < 128).sum()) < max(6, int(dpi * 0.05)):
            continue  # blank, or a speck
        line = engine.read_line(inner)
        if line is None or (suspect and not (_NUMBER.fullmatch(line.text) and line.confidence >= 0.8)):
            continue
        cell.boxes = [OcrBox(line.text, line.confidence, cell.x0, cell.y0, cell.x1, cell.y1)]


def _misread(compact: str) -> bool:
    return bool((_MISREAD_NUMBER.fullmatch(compact) and not _NUMBER.fullmatch(compact)) or _LOOKALIKES_ONLY.fullmatch(compact))


def _reading_order(boxes: list[OcrBox]) -> list[list[OcrBox]]:
    lines: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if lines:
            last = lines[-1]
            top, bottom = min(b.y0 for b in last), max(b.y1 for b in last)
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap > 0.5 * min(bottom - top, box.y1 - box.y0):
                last.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.x0) for line in lines]


# Characters OCR engines return for the report's punctuation (the dun comma of "三、").
_OCR_FIXES = str.maketrans({"丶": "、"})


def _join(parts: list[str]) -> str:
    text = ""
    for part in (p.translate(_OCR_FIXES) for p in parts):
        if text and text[-1].isascii() and text[-1].isalnum() and part[:1].isascii() and part[:1].isalnum():
            text += " "
        text += part
    return text


def _cell_text(cell: _Cell, result: PageResult) -> str:
    text = "".join(_join([b.text for b in line]) for line in _reading_order(cell.boxes)).strip()
    compact = re.sub(r"\s+", "", text)
    if _misread(compact):
        result.warnings.append(f"cell read as {text!r} is not a clean number: left blank")
        return ""
    if _NUMBER.fullmatch(compact) and min(b.confidence for b in cell.boxes) < MIN_DIGIT_CONFIDENCE:
        result.warnings.append(f"number {text!r} read with low confidence: left blank")
        return ""
    return text


# OCR's readings of a heading's dun comma ("一~ 总体情况") and of a full stop ("说明°"); fixed only where
# the position leaves no doubt (a numeral opening the line; the end of the line).
_HEADING_MARK = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[~～\-—_`'·.,，:：]\s*(?=[\u4e00-\u9fff])")
_LINE_END_STOP = re.compile(r"[°˚·]$")


def _fix_prose(line: str) -> str:
    return _LINE_END_STOP.sub("。", _HEADING_MARK.sub(r"\1、", line.strip()))


def _prose_lines(boxes: list[OcrBox]) -> list[tuple[float, str]]:
    return [(min(b.y0 for b in line), _fix_prose(_join([b.text for b in line]))) for line in _reading_order(boxes)]

"""Make the scanned-report fixtures from the text-layer PDF fixtures, the way a scanner would.

Each page is rasterised with pdfium at 150 or 200 dpi, rotated by 0.5–1° (a sheet fed
slightly askew), given a grey border (the scanner lid), blurred, speckled with noise and
JPEG-compressed, then wrapped back into a PDF by img2pdf: no text layer, only pictures.
Also a JPEG of one page and an HTML report page whose table 三 is an <img>.
Deterministic (fixed seeds), so the files only change when this script does.

    python tests/eval/scans/make_scans.py
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import img2pdf
import numpy as np
import pdfplumber
import pypdfium2
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"


def scan(page: pypdfium2.PdfPage, dpi: int, angle: float, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = page.render(scale=dpi / 72).to_pil().convert("L")
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    pixels = np.asarray(image, dtype=np.float32)
    border = max(8, dpi // 10)
    pixels[:border, :] = pixels[:border, :] * 0.55  # the scanner lid's grey edge at the top and left
    pixels[:, :border] = pixels[:, :border] * 0.6
    pixels += rng.normal(0, 7, pixels.shape)  # sensor noise
    speckle = rng.random(pixels.shape) < 0.0008  # dust
    pixels[speckle] = rng.uniform(0, 120, int(speckle.sum()))
    noisy = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    return noisy.filter(ImageFilter.GaussianBlur(0.6))


def jpeg(image: Image.Image, quality: int = 70) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, dpi=(0, 0))
    return buf.getvalue()


def scanned_pdf(source: Path, dpi: int, seed: int) -> bytes:
    pdf = pypdfium2.PdfDocument(source)
    pages = []
    for index in range(len(pdf)):
        angle = (0.5 + 0.5 * ((seed + index) % 3) / 2) * (1 if (seed + index) % 2 else -1)
        pages.append(jpeg(scan(pdf[index], dpi, angle, seed * 100 + index)))
    pdf.close()
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    out = img2pdf.convert(pages, layout_fun=layout)
    assert out is not None
    return bytes(out)


def main() -> int:
    for seed, stem in enumerate(("gov2021_merged", "gov2019_merged"), start=1):
        for dpi in (150, 200):
            (HERE / f"{stem}_scan{dpi}.pdf").write_bytes(scanned_pdf(FIXTURES / f"{stem}.pdf", dpi, seed + dpi))
    # A photo-like JPEG of the page holding table 三 of the 2021 report (page 3).
    pdf = pypdfium2.PdfDocument(FIXTURES / "gov2021_merged.pdf")
    (HERE / "gov2021_merged_page3.jpg").write_bytes(jpeg(scan(pdf[2], 200, 0.7, 7), quality=85))
    pdf.close()
    picture_page()
    return 0


def picture_page() -> None:
    """gov2021_merged as LibreOffice's HTML export, its table 三 replaced by a 150 dpi picture of it."""
    if shutil.which("soffice") is None:
        print("LibreOffice is not installed: gov2021_merged_img.html not made", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation={Path(tmp, 'p').as_uri()}", "--convert-to", "html",
             "--outdir", tmp, str(FIXTURES / "gov2021_merged.docx")],
            capture_output=True, timeout=180, check=True,
        )  # fmt: skip
        html = Path(tmp, "gov2021_merged.html").read_text("utf-8")
    tables = list(re.finditer(r"<table\b.*?</table>", html, re.DOTALL | re.IGNORECASE))
    target = next(t for t in tables if "本年新收" in re.sub(r"<[^>]+>|\s", "", t.group(0)))
    pictures = HERE / "gov2021_merged_img_files"
    pictures.mkdir(exist_ok=True)
    (pictures / "table3.png").write_bytes(table_picture(FIXTURES / "gov2021_merged.pdf", "本年新收", 150))
    img = '<p align="center"><img src="gov2021_merged_img_files/table3.png" width="100%" alt="表三"></p>'
    (HERE / "gov2021_merged_img.html").write_text(html[: target.start()] + img + html[target.end() :], "utf-8")


def table_picture(source: Path, marker: str, dpi: int) -> bytes:
    """A PNG of the ruled table holding ``marker``, cut out of the PDF page as a screenshot would be."""
    found: tuple[int, tuple[float, float, float, float]] | None = None
    with pdfplumber.open(source) as pdf:
        for index, page in enumerate(pdf.pages):
            for table in page.find_tables():
                if found is None and marker in "".join(c or "" for row in table.extract() for c in row):
                    found = index, table.bbox
    assert found is not None, f"no table with {marker} in {source}"
    index, (x0, top, x1, bottom) = found
    doc = pypdfium2.PdfDocument(source)
    image = doc[index].render(scale=dpi / 72).to_pil().convert("L")
    doc.close()
    k = dpi / 72
    crop = image.crop((int((x0 - 6) * k), int((top - 6) * k), int((x1 + 6) * k), int((bottom + 6) * k)))
    buf = io.BytesIO()
    crop.save(buf, "PNG", optimize=True)
    return buf.getvalue()


if __name__ == "__main__":
    sys.exit(main())

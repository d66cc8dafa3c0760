"""OCR engines behind one small interface: an image in, text boxes with confidences out.

RapidOCR (``rapidocr_onnxruntime``) is the default: PP-OCR's Chinese detection and
recognition models ship inside its wheel and run on onnxruntime, so nothing is
downloaded at run time. Tesseract with Debian's ``chi_sim`` is the fallback when
RapidOCR is not installed (or ``GOVREPORTS_OCR_ENGINE=tesseract``); it is slower and
less accurate on table cells (see bench/bench_ocr.py).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from crawler.core.errors import ExtractionError

if TYPE_CHECKING:
    import numpy as np

_INSTALL_HINT = "pip install rapidocr_onnxruntime (scripts/setup.sh), or apt-get install tesseract-ocr-chi-sim"
#: seconds Tesseract may spend on one page image
TESSERACT_TIMEOUT = 120


@dataclass(frozen=True)
class OcrBox:
    """One recognised piece of text: a line (RapidOCR) or a word (Tesseract), in image pixels."""

    text: str
    confidence: float  # 0..1
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray[Any, Any]) -> list[OcrBox]:
        """Text boxes of a greyscale or BGR image, in reading order or not."""

    def read_line(self, image: np.ndarray[Any, Any]) -> OcrBox | None:
        """The text of an image known to hold one line (a cell cut out of a page)."""


class RapidEngine:
    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        # Keep low-confidence text: the table reader decides what to distrust and says so in a
        # warning, rather than the engine silently dropping a digit. Two threads: shared machines.
        self._ocr = RapidOCR(text_score=0.1, intra_op_num_threads=2, inter_op_num_threads=1)

    def read(self, image: np.ndarray[Any, Any]) -> list[OcrBox]:
        result, _ = self._ocr(_bgr(image), use_cls=False)
        boxes: list[OcrBox] = []
        for points, text, score in result or []:
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            if str(text).strip():
                boxes.append(OcrBox(str(text).strip(), float(score), min(xs), min(ys), max(xs), max(ys)))
        return boxes

    def read_line(self, image: np.ndarray[Any, Any]) -> OcrBox | None:
        result, _ = self._ocr(_bgr(image), use_det=False, use_cls=False)
        if not result:
            return None
        text, score = result[0]
        h, w = image.shape[:2]
        return OcrBox(str(text).strip(), float(score), 0, 0, w, h) if str(text).strip() else None


class TesseractEngine:
    name = "tesseract"

    def read(self, image: np.ndarray[Any, Any]) -> list[OcrBox]:
        return self._run(image, "11")  # sparse text: tables leave text scattered over the page

    def read_line(self, image: np.ndarray[Any, Any]) -> OcrBox | None:
        words = self._run(image, "7")
        if not words:
            return None
        text = "".join(w.text for w in words)
        conf = sum(w.confidence for w in words) / len(words)
        h, w = image.shape[:2]
        return OcrBox(text, conf, 0, 0, w, h)

    def _run(self, image: np.ndarray[Any, Any], psm: str) -> list[OcrBox]:
        import cv2

        ok, png = cv2.imencode(".png", image)
        if not ok:
            raise ExtractionError("could not encode the page image for Tesseract", "extract/ocr/failed")
        try:
            proc = subprocess.run(
                ["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", psm, "tsv"],
                input=png.tobytes(),
                capture_output=True,
                timeout=TESSERACT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(f"Tesseract took over {TESSERACT_TIMEOUT} s on a page", "extract/ocr/timeout") from exc
        if proc.returncode != 0:
            raise ExtractionError(f"Tesseract failed: {proc.stderr.decode(errors='replace')[:200]}", "extract/ocr/failed")
        boxes: list[OcrBox] = []
        for line in proc.stdout.decode("utf-8", errors="replace").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
                continue
            left, top, width, height = (float(p) for p in parts[6:10])
            boxes.append(OcrBox(parts[11].strip(), max(0.0, float(parts[10])) / 100, left, top, left + width, top + height))
        return boxes


def _bgr(image: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def available_engines() -> list[str]:
    names = []
    if importlib.util.find_spec("rapidocr_onnxruntime") is not None:  # found, not imported: onnxruntime is heavy
        names.append("rapidocr")
    if shutil.which("tesseract"):
        names.append("tesseract")
    return names


@functools.lru_cache(maxsize=4)
def get_engine(name: str | None = None) -> OcrEngine:
    """The named engine, else $GOVREPORTS_OCR_ENGINE, else the first one installed (models load once per process)."""
    wanted = name or os.environ.get("GOVREPORTS_OCR_ENGINE") or None
    installed = available_engines()
    choice = wanted if wanted else (installed[0] if installed else None)
    if choice is None or choice not in installed:
        what = f"OCR engine {wanted!r} is not installed" if wanted else "no OCR engine is installed"
        raise ExtractionError(f"{what}: {_INSTALL_HINT}", "extract/ocr/no_engine")
    return RapidEngine() if choice == "rapidocr" else TesseractEngine()

"""OCR for PDF pages without a text layer: pypdfium2 renders, Tesseract 5 reads.

Pages are rendered at 300 dpi (small print in gazettes is 6-8 pt; Tesseract wants capital
letters 20+ pixels tall) in grey, and read by the ``tesseract`` program of Debian's
``tesseract-ocr`` package with the Spanish, Georgian or English model (``spa``/``kat``/``eng``)
chosen from the document's language; when the language is unknown, the first page is read
with all three models and the result's language decides. Pages run in parallel, one
single-threaded Tesseract per worker (OpenMP threads would only fight over the same cores).
Each page keeps its lines' vertical positions, so paragraph gaps and running headers are
handled as for a text layer, and the mean word confidence Tesseract reports.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
import pytesseract
from tqdm.auto import tqdm

from .language import detect_language
from .pdf_pages import Line

log = logging.getLogger("laborlex.ingest")

DPI = 300
TESSERACT_LANGS = {"es": "spa", "en": "eng", "ka": "kat"}
_ALL = "kat+spa+eng"
MIN_LINE_CONFIDENCE = 40.0  # lines Tesseract is less sure of are noise (real text scores 80-96 here)


class OcrUnavailable(RuntimeError):
    """Tesseract (or the model a document needs) is not installed; the message says what to install."""


@dataclass(frozen=True, slots=True)
class OcrPage:
    number: int  # 1-based
    lines: tuple[Line, ...]
    confidence: float  # mean word confidence, 0-100
    language: str  # the Tesseract model used


@lru_cache(maxsize=1)
def installed_models() -> frozenset[str]:
    """Tesseract models installed; empty when Tesseract itself is absent."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return frozenset()
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return frozenset()


def tesseract_available() -> bool:
    return bool(installed_models())


def _model_for(language: str | None) -> str:
    models = installed_models()
    if not models:
        raise OcrUnavailable("Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-spa tesseract-ocr-kat tesseract-ocr-eng)")
    if language is None:
        have = "+".join(m for m in _ALL.split("+") if m in models)
        if not have:
            raise OcrUnavailable("no Tesseract model for Spanish, Georgian or English is installed")
        return have
    model = TESSERACT_LANGS.get(language, "eng")
    if model not in models:
        raise OcrUnavailable(f"the Tesseract model '{model}' is not installed (apt-get install tesseract-ocr-{model})")
    return model


def _read_image(image: object, model: str, number: int, page_height_pt: float) -> OcrPage:
    data = pytesseract.image_to_data(image, lang=model, config="--psm 3", output_type=pytesseract.Output.DICT)
    scale = 72.0 / DPI
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if word and word.strip():
            lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    out: list[Line] = []
    confidences: list[float] = []
    for indexes in lines.values():
        scores = [float(data["conf"][i]) for i in indexes if float(data["conf"][i]) >= 0]
        if scores and sum(scores) / len(scores) < MIN_LINE_CONFIDENCE:
            continue  # specks, stamps and noise read as letters
        text = " ".join(data["text"][i].strip() for i in indexes)
        top = min(data["top"][i] for i in indexes) * scale
        bottom = max(data["top"][i] + data["height"][i] for i in indexes) * scale
        out.append(Line(text, top, bottom))
        confidences.extend(float(data["conf"][i]) for i in indexes if float(data["conf"][i]) >= 0)
    out.sort(key=lambda line: line.top)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage(number, tuple(out), round(mean, 1), model)


class _Renderer:
    """PDFium is not thread-safe: one document, rendering under a lock; Tesseract runs outside it."""

    def __init__(self, path: Path) -> None:
        self._pdf = pdfium.PdfDocument(str(path))
        self._lock = threading.Lock()

    def render(self, number: int) -> tuple[object, float]:
        with self._lock:
            page = self._pdf[number - 1]
            try:
                height = float(page.get_height())
                bitmap = page.render(scale=DPI / 72, grayscale=True)
                return bitmap.to_pil(), height
            finally:
                page.close()

    def close(self) -> None:
        with self._lock:
            self._pdf.close()


def ocr_pages(
    path: Path, numbers: list[int], language: str | None, workers: int = 2, progress: bool = False
) -> list[OcrPage]:
    """OCR the given 1-based pages of a PDF; raises OcrUnavailable when Tesseract cannot."""
    model = _model_for(language)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    renderer = _Renderer(path)
    try:
        todo = list(numbers)
        done: dict[int, OcrPage] = {}
        bar = tqdm(total=len(todo), desc=f"OCR {path.name}", unit="page", disable=not progress, leave=False)
        if language is None and todo:
            image, height = renderer.render(todo[0])
            first = _read_image(image, model, todo[0], height)
            found = detect_language("\n".join(line.text for line in first.lines))
            model = _model_for(found) if found else model
            log.info("ocr %s: language detected as %s", path.name, found)
            if model == first.language:
                done[first.number] = first
                todo = todo[1:]
                bar.update(1)

        def one(number: int) -> OcrPage:
            image, height = renderer.render(number)
            return _read_image(image, model, number, height)

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for page in pool.map(one, todo):
                done[page.number] = page
                bar.update(1)
        bar.close()
        return [done[n] for n in numbers]
    finally:
        renderer.close()

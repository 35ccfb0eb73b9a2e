"""Reader for PDFs: open-time checks, parallel page extraction, furniture removal, assembly.

pdfplumber needs ~0.2 s per page of a dense law (the 331-page LFT takes about a minute on one
core), so long PDFs are extracted in ``settings.parse_workers`` processes, each handling runs
of consecutive pages (see ``pdf_workers``).
"""

from __future__ import annotations

import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from laborlex_core.schema import DocumentMeta, IngestError, SourceText
from laborlex_core.settings import Settings

from . import legacy_georgian
from .ocr import OcrPage, OcrUnavailable, ocr_pages

from .page_furniture import strip_running_lines
from .pdf_pages import Page, PageExtractionError, extract_pages
from .pdf_text import assemble
from .pdf_workers import WorkerError, extract_in_workers

log = logging.getLogger("laborlex.ingest")

MIN_PAGES_FOR_POOL = 16  # below this, starting processes costs more than it saves
CHUNKS_PER_WORKER = 4  # several runs per worker even out dense and sparse pages
_HEADER_WINDOW = 1024


def _inner(exc: BaseException) -> BaseException:
    return exc.args[0] if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException) else exc


def _reason(exc: BaseException) -> str:
    inner = _inner(exc)
    detail = str(inner).strip()
    return f"{type(inner).__name__}: {detail}" if detail else type(inner).__name__


def _is_encryption_error(exc: BaseException) -> bool:
    return isinstance(_inner(exc), (PDFPasswordIncorrect, PDFEncryptionError))


def count_pages(path: Path) -> int:
    """Number of pages; raises IngestError for files that are not PDFs, corrupt or locked."""
    with path.open("rb") as handle:
        if b"%PDF-" not in handle.read(_HEADER_WINDOW):
            raise IngestError(str(path), "not a readable PDF (no %PDF- header; is it really a PDF?)")
    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        if _is_encryption_error(exc):
            raise IngestError(str(path), "encrypted PDF: it needs a password; save an unprotected copy (e.g. qpdf --decrypt) and ingest that") from exc
        raise IngestError(str(path), f"not a readable PDF ({_reason(exc)}); the file may be truncated or damaged") from exc
    if count == 0:
        raise IngestError(str(path), "not a readable PDF (it has no pages)")
    return count


def _ranges(pages: int, workers: int) -> list[tuple[int, int]]:
    size = max(1, math.ceil(pages / (workers * CHUNKS_PER_WORKER)))
    return [(start, min(start + size, pages)) for start in range(0, pages, size)]


def extract_all(path: Path, pages: int, workers: int) -> list[Page]:
    """Every page's lines, in order, using up to ``workers`` processes."""
    started = time.perf_counter()
    try:
        if workers <= 1 or pages < MIN_PAGES_FOR_POOL or not sys.executable:
            result = extract_pages(str(path), 0, pages)
        else:
            result = extract_in_workers(path, _ranges(pages, workers), workers)
    except (WorkerError, PageExtractionError) as exc:
        raise IngestError(str(path), f"not a readable PDF ({exc})") from exc
    except Exception as exc:
        raise IngestError(str(path), f"not a readable PDF ({_reason(exc)})") from exc
    log.debug("pdf %s: %d pages in %.1f s (%d workers)", path.name, pages, time.perf_counter() - started, workers)
    return result


MIN_TEXT_CHARS = 20  # a page with fewer characters than this under a full-page image is a scan
SCAN_COVER = 0.5


MIN_IMAGE_COVER = 0.05  # a page without images has nothing to recognize (a blank page)


def _needs_ocr(page: Page) -> bool:
    """Images and no text layer, or only a page number/stamp on top of a page-sized image."""
    if page.image_cover < MIN_IMAGE_COVER:
        return False
    if not page.lines:
        return True
    return page.image_cover >= SCAN_COVER and sum(len(line.text) for line in page.lines) < MIN_TEXT_CHARS


def _with_ocr(path: Path, pages: list[Page], meta: DocumentMeta, settings: Settings, progress: bool) -> tuple[list[Page], list[OcrPage], str | None]:
    """Pages with scanned ones replaced by their OCR'd lines; the OCR results; why OCR could not run."""
    wanted = [page.number for page in pages if _needs_ocr(page)]
    if not wanted:
        return pages, [], None
    try:
        results = ocr_pages(path, wanted, meta.language, settings.parse_workers, progress=progress)
    except OcrUnavailable as exc:
        return pages, [], str(exc)
    by_number = {result.number: result for result in results}
    return [page._replace(lines=by_number[page.number].lines) if page.number in by_number else page for page in pages], results, None


def read_pdf_source(path: Path, meta: DocumentMeta, settings: Settings, progress: bool = False) -> SourceText:
    """A PDF's text and page starts; scanned pages OCR'd, legacy Georgian fonts converted.

    Running headers/footers are removed. Pages without a text layer are read by Tesseract
    when it is installed (and marked in ``ocr_spans`` with their mean confidence); without
    Tesseract, a PDF with no text layer at all is refused as before.
    """
    pages = extract_all(path, count_pages(path), settings.parse_workers)
    pages, ocr, unavailable = _with_ocr(path, pages, meta, settings, progress)
    if not any(page.lines for page in pages):
        if ocr:
            raise IngestError(str(path), f"no text layer, and OCR (Tesseract, {ocr[0].language}) recognized no text in its {len(ocr)} page image(s)")
        why = f" and it cannot be OCR'd here: {unavailable}" if unavailable else ""
        raise IngestError(str(path), f"no text layer (scanned PDF?){why}; OCR it first (e.g. ocrmypdf) and ingest the result")
    empty = [page.number for page in pages if not page.lines]
    if empty:
        log.debug("pdf %s: %d page(s) without text: %s", path.name, len(empty), empty[:20])
    text, starts = assemble(strip_running_lines(pages))
    notes: dict[str, Any] = {"pages": len(pages)}
    spans: list[tuple[int, int, float]] = []
    if ocr:
        bounds = [*starts[1:], len(text)]
        spans = [(starts[r.number - 1], bounds[r.number - 1], r.confidence) for r in ocr if bounds[r.number - 1] > starts[r.number - 1]]
        notes.update(
            ocr_pages=[r.number for r in ocr],
            ocr_confidence=round(sum(r.confidence for r in ocr) / len(ocr), 1),
            ocr_language=ocr[0].language,
        )
    elif unavailable and empty:
        notes["pages_without_text"] = empty
        log.warning("pdf %s: %d page(s) without a text layer not OCR'd: %s", path.name, len(empty), unavailable)
    fonts = {font for page in pages for font in page.legacy_fonts}
    # length-preserving conversion: page starts hold
    text, legacy = legacy_georgian.converted_with_notes(text, fonts, sum(page.legacy_chars for page in pages))
    notes.update(legacy)
    return SourceText(meta=meta, text=text, page_starts=starts, notes=notes, ocr_spans=spans)


def preview_pdf(path: Path, max_pages: int = 3) -> str:
    """Text of the first pages, for guessing title and language without parsing everything.

    Legacy-font Georgian is converted (by font in the pages, else by letter patterns here) so
    that the language is judged on Georgian letters. Scanned pages give no text here: the
    language of a scan is detected by the OCR itself.
    """
    pages = extract_all(path, min(count_pages(path), max_pages), workers=1)
    return legacy_georgian.convert_by_patterns(assemble(strip_running_lines(pages))[0])[0]

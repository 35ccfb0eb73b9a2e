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

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from laborlex_core.schema import IngestError

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


def read_pdf(path: Path, workers: int) -> tuple[str, list[int]]:
    """Text and page starts of a PDF with a text layer; running headers/footers removed."""
    pages = extract_all(path, count_pages(path), workers)
    if not any(page.lines for page in pages):
        raise IngestError(str(path), "no text layer (scanned PDF?); OCR it first (e.g. ocrmypdf) and ingest the result")
    empty = [page.number for page in pages if not page.lines]
    if empty:
        log.debug("pdf %s: %d page(s) without text: %s", path.name, len(empty), empty[:20])
    return assemble(strip_running_lines(pages))


def preview_pdf(path: Path, max_pages: int = 3) -> str:
    """Text of the first pages, for guessing title and language without parsing everything."""
    pages = extract_all(path, min(count_pages(path), max_pages), workers=1)
    return assemble(strip_running_lines(pages))[0]

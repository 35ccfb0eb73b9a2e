"""Reader for Word (.docx) files through python-docx: paragraphs and tables in body order.

Each paragraph becomes one line, as the structure splitter expects article headings at line
starts; a paragraph styled as a heading (or title) is preceded by a blank line. Runs set in a
legacy Georgian font (AcadNusx family) are converted by the font; where no run names such a
font, the letter-pattern detection of ``legacy_georgian`` decides.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from laborlex_core.schema import IngestError

from . import legacy_georgian
from .normalize import normalize_text


def _run_font(run: Run, paragraph: Paragraph) -> str | None:
    """The font a run is drawn in: its own, else its character style's, else the paragraph style's."""
    if run.font.name:
        return run.font.name
    if run.style is not None and run.style.font.name:
        return run.style.font.name
    style = paragraph.style
    while style is not None:
        if style.font.name:
            return style.font.name
        style = style.base_style
    return None


class _Collector:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.legacy_letters = 0
        self.legacy_fonts: set[str] = set()

    def run_text(self, run: Run, paragraph: Paragraph) -> str:
        text = run.text
        font = _run_font(run, paragraph)
        if text and legacy_georgian.table().font_is_legacy(font):
            converted = legacy_georgian.to_unicode(text)
            self.legacy_letters += sum(a != b for a, b in zip(text, converted))
            self.legacy_fonts.add(str(font))
            return converted
        return text

    def paragraph_text(self, paragraph: Paragraph) -> str:
        parts: list[str] = []
        for item in paragraph.iter_inner_content():
            runs = item.runs if isinstance(item, Hyperlink) else [item]
            parts.extend(self.run_text(run, paragraph) for run in runs)
        return "".join(parts)

    def paragraph(self, paragraph: Paragraph) -> None:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower().startswith(("heading", "title")) and self.lines and self.lines[-1]:
            self.lines.append("")
        self.lines.append(self.paragraph_text(paragraph))

    def table(self, table: Table) -> None:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                cells.append(" ".join(self.paragraph_text(p) for p in cell.paragraphs).strip())
            self.lines.append("\t".join(cells))


def read_docx(path: Path) -> tuple[str, dict[str, Any]]:
    """Text of a Word document and notes on what was done (legacy-font conversion)."""
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(str(path), f"not a readable Word document ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # python-docx/lxml raise their own types on damaged XML
        raise IngestError(str(path), f"not a readable Word document ({type(exc).__name__}: {exc}); the file may be damaged") from exc
    collector = _Collector()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            collector.paragraph(block)
        else:
            collector.table(block)
    text = normalize_text("\n".join(collector.lines))
    text, notes = legacy_georgian.converted_with_notes(text, collector.legacy_fonts, collector.legacy_letters)
    if not text.strip():
        raise IngestError(str(path), "the Word document has no text")
    return text, notes

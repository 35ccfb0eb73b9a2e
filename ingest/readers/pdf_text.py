"""Turn a PDF's extracted lines into one text with page offsets.

Line breaks are kept as in the PDF, because the structure splitter finds article headings
("Artículo 47.-") at line starts. Two things are added or repaired:

* a blank line where the vertical gap between two lines is clearly wider than the document's
  usual line pitch, which is where the PDF has a paragraph break;
* a word broken across lines with a hyphen is joined, but only when both sides are lowercase
  letters ("radio-" + "telegrafistas"). pdftotext joins every line-final hyphen and so turns
  "153-" + "H" into "153H" and "Prida.-" + "Rúbrica" into "Prida.Rúbrica"; article labels
  such as 330-A and the ".-" of Mexican headings must survive.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence

from .normalize import normalize_text
from .pdf_pages import Line, Page

PARAGRAPH_GAP = 1.4  # a pitch this many times the usual one is a paragraph break

_LIGATURES = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0xFB00, 0xFB07)}
_BROKEN_WORD = re.compile(r"(?<=[^\W\d_])[^\W\d_]-$")
_NEXT_WORD = re.compile(r"^([^\W\d_][^\s]*)\s*(.*)$")
# Short words that can follow a suspended prefix ("pre- y posnatal"): not the rest of a word.
_NOT_A_SUFFIX = {"y", "e", "o", "u", "ni", "and", "or", "nor", "to"}
_LETTER_SPACED = re.compile(r"^(?:[A-ZÁÉÍÓÚÑÜ] ){2,}[A-ZÁÉÍÓÚÑÜ][.:]?$")


def usual_pitch(pages: Sequence[Page]) -> float | None:
    """Median distance between the tops of consecutive lines over the whole document."""
    pitches = [
        b.top - a.top
        for page in pages
        for a, b in zip(page.lines, page.lines[1:])
        if b.top > a.top
    ]
    return statistics.median(pitches) if len(pitches) >= 3 else None


def _with_paragraph_breaks(lines: Sequence[Line], pitch: float | None) -> list[str]:
    out: list[str] = []
    for prev, line in zip((None, *lines), lines):
        if prev is not None and pitch and line.top - prev.top > PARAGRAPH_GAP * pitch:
            out.append("")
        out.append(line.text)
    return out


def _unspace(line: str) -> str:
    """'O R D E R' -> 'ORDER': a heading set in letter-spaced capitals is one word."""
    return line.replace(" ", "") if _LETTER_SPACED.match(line) else line


def _join_broken_words(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and out[-1] and line:
            prev = out[-1]
            if prev.endswith("\u00ad"):  # a soft hyphen is a word break by definition
                match = _NEXT_WORD.match(line)
                if match:
                    out[-1] = prev[:-1] + match.group(1)
                    if match.group(2):
                        out.append(match.group(2))
                    continue
            if _BROKEN_WORD.search(prev):
                match = _NEXT_WORD.match(line)
                if match and match.group(1)[0].islower() and match.group(1).rstrip(".,;:") not in _NOT_A_SUFFIX:
                    out[-1] = prev[:-1] + match.group(1)
                    if match.group(2):
                        out.append(match.group(2))
                    continue
        out.append(line)
    return out


def page_text(page: Page, pitch: float | None) -> str:
    lines = [_unspace(line) for line in _with_paragraph_breaks(page.lines, pitch)]
    lines = _join_broken_words(lines)
    return normalize_text("\n".join(lines).translate(_LIGATURES))


def assemble(pages: Sequence[Page]) -> tuple[str, list[int]]:
    """Joined text and ``page_starts`` (offset of each page's first character).

    Pages are joined by a single newline; an empty page starts where the next text begins, so
    ``SourceText.page_at`` never points into it.
    """
    pitch = usual_pitch(pages)
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for page in pages:
        text = page_text(page, pitch)
        if text and parts:
            parts.append("\n")
            length += 1
        if not text:
            starts.append(length + 1 if parts else 0)
            continue
        starts.append(length)
        parts.append(text)
        length += len(text)
    return "".join(parts), starts

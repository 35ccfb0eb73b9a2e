"""Per-page text extraction with pdfplumber; also runs as a script in worker processes.

As a script (``python -P pdf_pages.py FILE START STOP``) it prints the pages as JSON, which is
why it imports nothing but the standard library and pdfplumber. Lines keep their vertical
position: the parent needs it to recognize running headers/footers and paragraph gaps.

Glyphs drawn in a legacy Georgian font (AcadNusx family, named in ``data/acadnusx.json``) are
converted to Mkhedruli here, glyph by glyph, before lines are assembled: only what the font
draws as Georgian changes, Latin text in other fonts on the same line does not. Each page also
reports how much of it images cover, so the reader can tell a scanned page from a blank one.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pdfplumber

# pdfplumber's defaults, stated: a gap wider than 3 pt between glyphs is a space, glyphs within
# 3 pt vertically share a line. On the Word-made corpus PDFs this reproduces pdftotext's words
# exactly (checked on all four); tighter x tolerances gained nothing.
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0


class Line(NamedTuple):
    text: str
    top: float
    bottom: float


class Page(NamedTuple):
    number: int  # 1-based
    height: float
    lines: tuple[Line, ...]
    legacy_chars: int = 0  # letters converted from a legacy Georgian font
    legacy_fonts: tuple[str, ...] = ()
    image_cover: float = 0.0  # share of the page's area under images (a scan is ~1)


_LEGACY_TABLE = Path(__file__).parent / "data" / "acadnusx.json"


@lru_cache(maxsize=1)
def _legacy() -> tuple[tuple[str, ...], dict[int, str]]:
    raw = json.loads(_LEGACY_TABLE.read_text(encoding="utf-8"))
    return tuple(raw["font_name_patterns"]), {ord(k): v for k, v in raw["map"].items()}


@lru_cache(maxsize=256)
def legacy_font(fontname: str) -> bool:
    """Whether a PDF font name ('ABCDEF+AcadNusx,Bold') is of the legacy Georgian family."""
    bare = re.sub(r"[^a-z]", "", fontname.split("+", 1)[-1].lower())
    return any(pattern in bare for pattern in _legacy()[0])


def convert_legacy_chars(page: pdfplumber.page.Page) -> tuple[int, tuple[str, ...]]:
    """Rewrite, in pdfplumber's cached glyphs, the text of those drawn in a legacy font."""
    chars = page.chars
    fonts = {c.get("fontname") or "" for c in chars}
    legacy = {f for f in fonts if f and legacy_font(f)}
    if not legacy:
        return 0, ()
    table = _legacy()[1]
    changed = 0
    for c in chars:
        if c.get("fontname") in legacy:
            new = c["text"].translate(table)
            changed += new != c["text"]
            c["text"] = new
    return changed, tuple(sorted(f.split("+", 1)[-1] for f in legacy))


def image_cover(page: pdfplumber.page.Page) -> float:
    area = float(page.width * page.height) or 1.0
    covered = sum(max(0.0, float(i["x1"] - i["x0"])) * max(0.0, float(i["bottom"] - i["top"])) for i in page.images)
    return min(1.0, covered / area)


class PageExtractionError(RuntimeError):
    """A page could not be parsed; carries the page number so the parent can say which."""


def page_lines(page: pdfplumber.page.Page) -> tuple[Line, ...]:
    found = page.extract_text_lines(
        x_tolerance=X_TOLERANCE, y_tolerance=Y_TOLERANCE, strip=True, return_chars=False
    )
    return tuple(Line(d["text"], float(d["top"]), float(d["bottom"])) for d in found if d["text"].strip())


def extract_pages(path: str, start: int, stop: int) -> list[Page]:
    """Pages ``start..stop-1`` (0-based) of the PDF at ``path``.

    Opens the file itself so it can run in another process; closes each page after use because
    pdfplumber caches every glyph object, which for a 300-page law is gigabytes.
    """
    pages: list[Page] = []
    with pdfplumber.open(path) as pdf:
        for index in range(start, min(stop, len(pdf.pages))):
            page = pdf.pages[index]
            try:
                legacy_chars, legacy_fonts = convert_legacy_chars(page)
                pages.append(
                    Page(index + 1, float(page.height), page_lines(page), legacy_chars, legacy_fonts, image_cover(page))
                )
            except Exception as exc:  # pdfminer raises many unrelated types on corrupt streams
                raise PageExtractionError(f"page {index + 1}: {type(exc).__name__}: {exc}") from None
            finally:
                page.close()
    return pages


def pages_to_json(pages: list[Page]) -> str:
    return json.dumps(
        [[p.number, p.height, [list(line) for line in p.lines], p.legacy_chars, list(p.legacy_fonts), p.image_cover] for p in pages],
        ensure_ascii=False,
    )


def pages_from_json(data: str | bytes) -> list[Page]:
    raw: list[Any] = json.loads(data)
    return [
        Page(number, height, tuple(Line(*line) for line in lines), legacy, tuple(fonts), cover)
        for number, height, lines, legacy, fonts, cover in raw
    ]


PARENT_ENV = "LABORLEX_PDF_PARENT"  # the pid of the process that started this worker
NICE_ENV = "LABORLEX_INGEST_NICE"
_PR_SET_PDEATHSIG = 1


def _tie_to_parent() -> None:
    """Die with the parent: Linux sends SIGKILL to this worker when the process that started
    it ends, so a killed ingest leaves no worker parsing on. Then lower this worker's priority.
    Standard library only, like the rest of this script."""
    import ctypes
    import os
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux/glibc: the parent still kills its workers on errors
        pass
    parent = os.environ.get(PARENT_ENV)
    if parent and parent.isdigit() and os.getppid() != int(parent):
        os._exit(1)  # the parent died before the signal was armed
    nice = os.environ.get(NICE_ENV, "10")
    if nice.lstrip("-").isdigit() and int(nice) > 0:
        try:
            os.nice(int(nice))
        except OSError:
            pass


def _main(argv: list[str]) -> int:
    _tie_to_parent()
    if len(argv) != 4:
        print(f"usage: {argv[0]} FILE START STOP", file=sys.stderr)
        return 2
    try:
        pages = extract_pages(argv[1], int(argv[2]), int(argv[3]))
    except Exception as exc:
        message = str(exc) if isinstance(exc, PageExtractionError) else f"{type(exc).__name__}: {exc}"
        print(message, file=sys.stderr)
        return 1
    sys.stdout.buffer.write(pages_to_json(pages).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))

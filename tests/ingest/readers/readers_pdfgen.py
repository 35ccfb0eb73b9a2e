"""Test PDFs drawn with reportlab: body lines per page, optional running header and footer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = LETTER
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = (),
    footer: str | None = None,
    font: str = "Helvetica",
    size: float = 11,
    leading: float = 14,
) -> Path:
    """A PDF whose page i holds ``pages[i]`` as body lines; ``footer`` may contain {n} and {total}."""
    c = canvas.Canvas(str(path), pagesize=LETTER)
    total = len(pages)
    for n, body in enumerate(pages, start=1):
        c.setFont(font, 9)
        for k, line in enumerate(header):
            c.drawString(72, PAGE_H - 40 - k * 11, line)
        if footer is not None:
            c.drawRightString(PAGE_W - 72, 40, footer.format(n=n, total=total))
        c.setFont(font, size)
        y = PAGE_H - 110
        for line in body:
            c.drawString(72, y, line)
            y -= leading
        c.showPage()
    c.save()
    return path

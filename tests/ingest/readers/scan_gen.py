"""Scanned PDFs made by the tests: text drawn into a page image (PIL), saved as an image-only PDF.

The image is what a 300 dpi office scanner produces: a Letter page, black text on white,
DejaVu Sans (it has Georgian glyphs) at 11 pt, wrapped to the page width. Nothing of the text
reaches the PDF but pixels, so only OCR can get it back.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DPI = 300
PAGE_W, PAGE_H = int(8.5 * DPI), int(11 * DPI)
MARGIN = int(0.9 * DPI)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        line = words[0]
        for word in words[1:]:
            if draw.textlength(f"{line} {word}", font=font) <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def page_image(text: str, size_pt: float = 11) -> Image.Image:
    """One page with ``text`` wrapped into it; raises ValueError when it does not fit."""
    image = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(DEJAVU), int(size_pt * DPI / 72))
    pitch = int(size_pt * 1.5 * DPI / 72)
    y = MARGIN
    for line in _wrap(draw, text, font, PAGE_W - 2 * MARGIN):
        if y + pitch > PAGE_H - MARGIN:
            raise ValueError("text does not fit on one page")
        draw.text((MARGIN, y), line, fill=0, font=font)
        y += pitch
    return image


def write_scanned_pdf(path: Path, pages: list[str], size_pt: float = 11) -> Path:
    """An image-only PDF, one page image per text."""
    images = [page_image(text, size_pt).convert("RGB") for text in pages]
    images[0].save(path, "PDF", resolution=float(DPI), save_all=True, append_images=images[1:])
    return path


def write_mixed_pdf(path: Path, pages: list[tuple[str, str]], size_pt: float = 11) -> Path:
    """A PDF mixing page kinds: ("text", body) draws a text layer, ("scan", body) a page image only."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    width, height = LETTER
    c = canvas.Canvas(str(path), pagesize=LETTER)
    for kind, body in pages:
        if kind == "scan":
            c.drawImage(ImageReader(page_image(body, size_pt).convert("RGB")), 0, 0, width=width, height=height)
        else:
            c.setFont("Helvetica", size_pt)
            y = height - 72
            for line in body.split("\n"):
                c.drawString(72, y, line)
                y -= size_pt * 1.4
        c.showPage()
    c.save()
    return path

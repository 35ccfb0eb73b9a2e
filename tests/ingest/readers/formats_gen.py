"""Word and HTML versions of a text document, made by the tests (python-docx, plain markup).

Lines that open an article, chapter or section become headings (Word "Heading 2", ``<h3>``);
the other non-blank lines become paragraphs. The HTML page also gets what real legislation
portals wrap around the text: a navigation menu, a banner, a sidebar and a footer, all of
which mention articles, so a reader that kept them would produce provisions the text lacks.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
from docx.shared import Pt

HEADING = re.compile(r"^(?:Artículo|ARTÍCULO|Article|ARTICLE|Art\.|მუხლი|თავი|კარი|Chapter|CHAPTER|CAPÍTULO|Capítulo|§)\s")


def write_docx(path: Path, text: str, *, font: str | None = None) -> Path:
    """A .docx whose paragraphs are the text's lines; ``font`` sets every run's font name."""
    document = docx.Document()
    for line in text.split("\n"):
        if not line.strip():
            continue
        paragraph = document.add_paragraph(style="Heading 2" if HEADING.match(line) else None)
        run = paragraph.add_run(line)
        if font:
            run.font.name = font
            run.font.size = Pt(11)
    document.save(str(path))
    return path


def write_html(path: Path, text: str, *, title: str = "Legislación", charset: str = "utf-8") -> Path:
    """A legislation page: the text in ``<main>``, surrounded by navigation and footers."""
    body: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        tag = "h3" if HEADING.match(line) else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
    page = f"""<!DOCTYPE html>
<html lang="es"><head><meta charset="{charset}"><title>{html.escape(title)}</title>
<style>body {{ font-family: serif; }}</style><script>var menu = "Artículo 999";</script></head>
<body>
<header><div class="logo">Diario Oficial</div><p>Artículo 1000 del día: ver portada</p></header>
<nav><ul><li><a href="/">Inicio</a></li><li><a href="/leyes">Leyes</a></li><li><a href="#a1">Artículo 1</a></li></ul></nav>
<main>
{chr(10).join(body)}
</main>
<aside><h3>Artículo 77 más visto</h3><p>Otras normas relacionadas</p></aside>
<footer><p>Artículo 500: aviso legal. © Gobierno</p></footer>
</body></html>
"""
    path.write_bytes(page.encode(charset))
    return path

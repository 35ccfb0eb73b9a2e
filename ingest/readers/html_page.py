"""Reader for HTML pages (legislation portals, gazettes) through BeautifulSoup with lxml.

The main text only: the page's ``<main>`` (or ``role="main"``, or its single ``<article>``)
when it has one, else ``<body>``; navigation, banners, footers, asides, forms and scripts are
dropped. Block elements become lines and headings get a blank line before them, so an
article heading ("Artículo 5", "მუხლი 5") starts a line as in a text file and the structure
splitter finds it. Old Georgian pages set legacy fonts with ``<font face="AcadNusx">`` or
``font-family``; text inside such elements is converted by the font, otherwise the
letter-pattern detection decides.

BeautifulSoup + lxml were chosen over trafilatura/justext: legal pages are long lists of
short, similar paragraphs, which boilerplate classifiers tuned for news articles can drop;
here every paragraph of the main text must survive, so the rule is structural and predictable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from laborlex_core.schema import IngestError

from . import legacy_georgian
from .normalize import normalize_text

_DROP = ("script", "style", "noscript", "template", "nav", "aside", "form", "button", "select", "svg", "iframe", "object", "head")
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "table",
    "thead", "tbody", "tfoot", "tr", "caption", "figure", "figcaption", "address", "center", "hr", "body",
}
_CELLS = {"td", "th"}
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;]+)", re.IGNORECASE)
_BLANK = "\x00"  # marks where a blank line goes; never in a page's text (lxml drops NULs)
_SKIP_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)


def _main_root(soup: BeautifulSoup) -> Tag:
    for found in (soup.find("main"), soup.find(attrs={"role": "main"})):
        if isinstance(found, Tag):
            return found
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


def _drop_boilerplate(root: Tag) -> None:
    for tag in root.find_all(_DROP):
        tag.decompose()
    for tag in root.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role", "")).lower() in _DROP_ROLES:
            tag.decompose()
    for tag in root.find_all(["header", "footer"]):
        # a page's banner and footer, not an article's own header (which holds its title)
        if not tag.decomposed and tag.find_parent(["article", "main"]) is None:
            tag.decompose()
    for tag in root.find_all(attrs={"hidden": True}):
        if not tag.decomposed:
            tag.decompose()


def _fonts_of(tag: Tag) -> str:
    face = str(tag.get("face") or "")
    match = _FONT_FAMILY.search(str(tag.get("style") or ""))
    return f"{face},{match.group(1) if match else ''}"


class _Walker:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.legacy_letters = 0
        self.legacy_fonts: set[str] = set()

    def walk(self, node: Tag, legacy: str | None) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if isinstance(child, _SKIP_STRINGS):
                    continue
                text = _SPACE.sub(" ", str(child))
                if legacy and text.strip():
                    converted = legacy_georgian.to_unicode(text)
                    self.legacy_letters += sum(a != b for a, b in zip(text, converted))
                    self.legacy_fonts.add(legacy)
                    text = converted
                self.parts.append(text)
                continue
            if not isinstance(child, Tag):
                continue
            font = legacy
            for name in _fonts_of(child).split(","):
                name = name.strip().strip("'\"")
                if name:
                    font = name if legacy_georgian.table().font_is_legacy(name) else None
                    break
            name = child.name
            if name == "br":
                self.parts.append("\n")
            elif name == "pre":
                self.parts.append("\n" + child.get_text() + "\n")
            elif name in _HEADINGS:
                self.parts.append(f"\n{_BLANK}\n")
                self.walk(child, font)
                self.parts.append("\n")
            elif name in _BLOCKS:
                self.parts.append("\n")
                self.walk(child, font)
                self.parts.append("\n")
            elif name in _CELLS:
                self.walk(child, font)
                self.parts.append("\t")
            else:
                self.walk(child, font)

    def text(self) -> str:
        """One line per block; a blank line only before a heading (where a text file has one)."""
        out: list[str] = []
        for line in "".join(self.parts).split("\n"):
            line = line.strip(" \t")
            if line == _BLANK:
                if out and out[-1]:
                    out.append("")
            elif line:
                out.append(line)
        return normalize_text("\n".join(out))


def read_html(path: Path) -> tuple[str, dict[str, Any]]:
    """Main text of an HTML page and notes on what was done (legacy-font conversion)."""
    data = path.read_bytes()
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as exc:  # lxml refuses only truly broken input
        raise IngestError(str(path), f"not a readable HTML page ({type(exc).__name__}: {exc})") from exc
    root = _main_root(soup)
    _drop_boilerplate(root)
    walker = _Walker()
    walker.walk(root, None)
    text = walker.text()
    text, notes = legacy_georgian.converted_with_notes(text, walker.legacy_fonts, walker.legacy_letters)
    if not text.strip():
        raise IngestError(str(path), "the HTML page has no main text")
    return text, notes

"""Citation strings in the form each jurisdiction's practitioners write them, with a pinpoint.

``passage_text.citation`` gives a uniform short label ("Ley Federal del Trabajo, art. 47 (MX)")
for lists; a lawyer pasting a reference into a brief writes "Ley Federal del Trabajo, artículo
47, fracción III", a U.S. practitioner "29 U.S.C. § 207(a)(1)", a Georgian one "საქართველოს
ორგანული კანონი „საქართველოს შრომის კოდექსი“, მუხლი 27, პუნქტი 2". Instruments and their
style are data (``forms.json``); the pinpoint is the fraction, paragraph or subsection whose
text holds the match, read from the markers that open the provision's lines ("III.", "2.",
"(a)", "b)").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from laborlex_core.passage_text import citation as short_citation

# A marker opening a line (after Markdown heading signs) or following "; " in running text.
_LINE_MARKER = re.compile(
    r"(?:^|\n|;\s)[#\s]*(?:(?P<roman>[IVXLC]+)\.[\s-]|(?P<number>\d{1,3})\.\s|\((?P<paren>[a-z]{1,4}|\d{1,3}|[A-Z]{1,3})\)"
    r"|(?P<letter>[a-zა-ჰ])\)\s)"
)
_ROMAN_LOWER = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x)$")


@dataclass(frozen=True, slots=True)
class Marker:
    offset: int
    kind: str  # roman | number | paren | letter
    label: str


def markers(text: str) -> list[Marker]:
    """The subdivision markers of a provision's text, in order."""
    found = []
    for match in _LINE_MARKER.finditer(text):
        kind = next(k for k in ("roman", "number", "paren", "letter") if match.group(k))
        found.append(Marker(match.start(kind), kind, match.group(kind)))
    return found


def _us_level(label: str, path: dict[int, str]) -> int:
    """U.S. Code subdivisions: (a) subsection, (1) paragraph, (A) subparagraph, (i) clause.
    "(i)" is a clause when a paragraph is open under the subsection, else the letter i."""
    if label.isdigit():
        return 2
    if label.isupper():
        return 3
    if _ROMAN_LOWER.match(label) and 2 in path:
        return 4
    return 1


def pinpoint_path(text: str, offset: int | None, style: str) -> list[tuple[str, str]]:
    """The subdivisions holding ``offset``, outermost first, as (kind, label):
    kind is ``fraction``, ``paragraph``, ``item`` or U.S. ``level1``..``level4``."""
    if offset is None:
        return []
    path: dict[int, tuple[str, str]] = {}
    for marker in markers(text):
        if marker.offset > offset:
            break
        if style == "us_code":
            if marker.kind != "paren":
                continue
            levels = {level: label for level, (_, label) in path.items()}
            level = _us_level(marker.label, levels)
            entry = (f"level{level}", marker.label)
        elif marker.kind == "roman" and style in ("mx", "hn"):
            level, entry = 1, ("fraction", marker.label)
        elif marker.kind == "number":
            level, entry = 1, ("paragraph", marker.label)
        elif marker.kind in ("letter", "paren") and not marker.label.isdigit():
            level, entry = 2, ("item", marker.label)
        else:
            continue
        path = {lvl: value for lvl, value in path.items() if lvl < level}
        path[level] = entry
    return [path[level] for level in sorted(path)]


@lru_cache(maxsize=1)
def forms() -> dict[str, dict[str, str]]:
    raw = json.loads(resources.files("laborlex_core.citations").joinpath("forms.json").read_text("utf-8"))
    return raw["documents"]


_ILO_NUMBER = re.compile(r"^ilo-c0*(\d+)-")
_ARTICLE_WORD = {"es": "artículo", "en": "Article", "ka": "მუხლი"}


def _style(meta: Mapping[str, Any]) -> tuple[str, str]:
    doc_id = str(meta.get("doc_id") or "")
    known = forms().get(doc_id)
    if known:
        return known["style"], known["name"]
    number = _ILO_NUMBER.match(doc_id)
    if number and meta.get("kind") == "convention":
        language = meta.get("language")
        if language == "ka":  # the Georgian translations' titles are English descriptions
            return "ilo_ka", f"შრომის საერთაშორისო ორგანიზაციის კონვენცია №{number.group(1)}"
        return f"ilo_{language if language in ('es', 'en') else 'en'}", str(meta.get("title") or doc_id)
    return "plain", ""


def _join_es(path: Sequence[tuple[str, str]], words: Mapping[str, str]) -> str:
    parts = []
    for kind, label in path:
        if kind == "item":
            parts.append(f"{words['item']} {label})")
        elif kind in words:
            parts.append(f"{words[kind]} {label}")
    return "".join(f", {p}" for p in parts)


def practitioner_citation(meta: Mapping[str, Any], text: str = "", offset: int | None = None) -> str:
    """The provision cited as its jurisdiction's practitioners write it, pinpointed to the
    subdivision of ``text`` (the provision's text) holding ``offset`` when one is given."""
    style, name = _style(meta)
    article = str(meta.get("article") or "")
    unit = str(meta.get("unit") or "article")
    if style == "plain" or unit not in ("article", "section"):
        return short_citation(meta).rsplit(" (", 1)[0] if meta.get("jurisdiction") else short_citation(meta)
    path = pinpoint_path(text, offset, style)
    if style == "mx":
        return f"{name}, artículo {article}" + _join_es(path, {"fraction": "fracción", "paragraph": "párrafo", "item": "inciso"})
    if style == "hn":
        return f"{name}, artículo {article}" + _join_es(path, {"fraction": "fracción", "paragraph": "numeral", "item": "literal"})
    if style == "ilo_es":
        return f"{name}, artículo {article}" + _join_es(path, {"paragraph": "párrafo", "item": "apartado"})
    if style == "us_code":
        return f"{name} U.S.C. § {article}" + "".join(f"({label})" for _, label in path)
    if style in ("ge", "ilo_ka"):
        parts = [f"{name}, მუხლი {article}"]
        for kind, label in path:
            parts.append(f"პუნქტი {label}" if kind == "paragraph" else f"ქვეპუნქტი „{label}“")
        return ", ".join(parts)
    if style in ("ge_en", "ilo_en", "usmca"):
        head = f"{name}, Article {article}"
        if style == "usmca" and path and path[0][0] == "paragraph":  # USMCA: Article 23.3.1(a)
            return head + f".{path[0][1]}" + "".join(f"({label})" for _, label in path[1:])
        return head + "".join(f"({label})" for _, label in path)
    return short_citation(meta)


def match_offset(text: str, snippet: str, highlights: Sequence[Sequence[int]]) -> int | None:
    """Where in ``text`` the snippet's first marked word stands (the snippet is an excerpt,
    its spans are relative to it): the marked word found with the words before it, else alone."""
    if not highlights or not text:
        return None
    start, end = int(highlights[0][0]), int(highlights[0][1])
    word = snippet[start:end]
    if not word:
        return None
    lead = snippet[max(0, start - 40) : end].lstrip("… ").strip()
    for probe in (lead, word):
        found = text.find(probe) if probe else -1
        if found >= 0:
            return found + (len(probe) - len(word))
    lowered = text.lower().find(word.lower())
    return lowered if lowered >= 0 else None

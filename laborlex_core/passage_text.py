"""The text a passage is indexed and embedded as: its own words plus where it stands.

An article's body rarely names its subject ("Las horas de trabajo extraordinario se
pagarán…" says nothing of Mexico or of the Ley Federal del Trabajo), so both BM25 and the
embedding see a context line made of the instrument's title, the headings in force and the
article label. The stored passage text stays exactly as printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from laborlex_core.text_analysis import lower_mtavruli

# BM25 weight of the context line against the body (1.0). Every passage of a document
# shares its title, so at full weight a query naming the instrument ("Georgia labour code …")
# lifts all of a short document's articles above the one that answers; measured in
# docs/retrieval-quality.md. Both store backends apply it.
CONTEXT_BM25_WEIGHT = 0.3

_UNIT_WORD: dict[str, dict[str, str]] = {
    "article": {"es": "Artículo", "ka": "მუხლი", "en": "Article"},
    "transitional": {"es": "Transitorio", "ka": "გარდამავალი დებულება", "en": "Transitional provision"},
    "paragraph": {"es": "Párrafo", "ka": "პარაგრაფი", "en": "Paragraph"},
    "entry": {"es": "Registro", "ka": "ჩანაწერი", "en": "Entry"},
    "preamble": {"es": "Preámbulo", "ka": "პრეამბულა", "en": "Preamble"},
}
_CITATION_ABBREVIATION: dict[str, dict[str, str]] = {
    "article": {"es": "art.", "ka": "მუხ.", "en": "art."},
    "section": {"es": "§", "ka": "§", "en": "§"},
    "transitional": {"es": "", "ka": "", "en": ""},
    "paragraph": {"es": "párr.", "ka": "პარ.", "en": "para."},
    "entry": {"es": "registro", "ka": "ჩანაწ.", "en": "entry"},
    "preamble": {"es": "", "ka": "", "en": ""},
}


def _part_suffix(article: str) -> str:
    """A long preamble is split in parts labelled "preamble-2", "preamble-3": say which."""
    _, _, part = article.partition("-")
    return f" ({part})" if part else ""


def unit_label(unit: str, article: str, language: str | None) -> str:
    """How the provision is headed in its own language: "Artículo 67", "§ 207", "მუხლი 27"."""
    lang = language if language in ("es", "ka", "en") else "en"
    if unit == "section":
        return f"§ {article}"
    if unit == "transitional":
        return article
    if unit == "preamble":
        return _UNIT_WORD["preamble"][lang] + _part_suffix(article)
    word = _UNIT_WORD.get(unit, _UNIT_WORD["article"])[lang]
    return f"{word} {article}"


# A heading longer than this is cut in the context line: reform decrees carry titles of
# several hundred characters, which would crowd the passage out of the model's window.
MAX_HEADING_CHARS = 120


def _short(heading: str) -> str:
    heading = " ".join(heading.split())
    if len(heading) <= MAX_HEADING_CHARS:
        return heading
    return heading[: heading.rfind(" ", 0, MAX_HEADING_CHARS) or MAX_HEADING_CHARS] + " …"


def context_line(meta: Mapping[str, Any]) -> str:
    """Title, headings and label of a passage, e.g. "Ley Federal del Trabajo | … | Artículo 67"."""
    parts = [_short(str(meta.get("title") or ""))]
    parts.extend(_short(str(h)) for h in meta.get("heading_path") or ())
    parts.append(unit_label(str(meta.get("unit") or "article"), str(meta.get("article") or ""), meta.get("language")))
    return " | ".join(p for p in parts if p)


def embedding_text(content: str, meta: Mapping[str, Any]) -> str:
    """What the model encodes for a passage (without the "passage: " prompt)."""
    return lower_mtavruli(f"{context_line(meta)}\n{content}")


def citation(meta: Mapping[str, Any]) -> str:
    """A human citation: "Ley Federal del Trabajo, art. 67 (MX)"."""
    lang = meta.get("language") if meta.get("language") in ("es", "ka", "en") else "en"
    unit = str(meta.get("unit") or "article")
    article = str(meta.get("article") or "")
    abbreviation = _CITATION_ABBREVIATION.get(unit, _CITATION_ABBREVIATION["article"])[lang]
    where = (
        f"{abbreviation} {article}".strip()
        if unit != "preamble"
        else _UNIT_WORD["preamble"][lang].lower() + _part_suffix(article)
    )
    jurisdiction = f" ({meta['jurisdiction']})" if meta.get("jurisdiction") else ""
    return f"{meta.get('title') or meta.get('doc_id')}, {where}{jurisdiction}"

"""Labels and citations, table-driven."""

from __future__ import annotations

import pytest

from laborlex_core.passage_text import citation, context_line, embedding_text, unit_label


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"title": "Ley Federal del Trabajo", "article": "67", "unit": "article", "language": "es", "jurisdiction": "MX"},
         "Ley Federal del Trabajo, art. 67 (MX)"),
        ({"title": "FLSA", "article": "207", "unit": "section", "language": "en", "jurisdiction": "US"}, "FLSA, § 207 (US)"),
        ({"title": "C182", "article": "preamble", "unit": "preamble", "language": "es", "jurisdiction": "INTL"}, "C182, preámbulo (INTL)"),
        ({"title": "C182", "article": "preamble-2", "unit": "preamble", "language": "es", "jurisdiction": "INTL"}, "C182, preámbulo (2) (INTL)"),
        ({"title": "Encino", "article": "2", "unit": "paragraph", "language": "en", "jurisdiction": "US"}, "Encino, para. 2 (US)"),
        ({"title": "LFT", "article": "Transitorio 1 (DOF 30-11-2012)", "unit": "transitional", "language": "es"}, "LFT, Transitorio 1 (DOF 30-11-2012)"),
        ({"title": "შრომის კოდექსი", "article": "27", "unit": "article", "language": "ka", "jurisdiction": "GE"}, "შრომის კოდექსი, მუხ. 27 (GE)"),
    ],
)
def test_citation(meta: dict, expected: str) -> None:
    assert citation(meta) == expected


@pytest.mark.parametrize(
    ("unit", "article", "language", "expected"),
    [("article", "22 Bis", "es", "Artículo 22 Bis"), ("article", "27", "ka", "მუხლი 27"), ("section", "207", "en", "§ 207"),
     ("preamble", "preamble-3", "en", "Preamble (3)"), ("paragraph", "1", None, "Paragraph 1")],
)
def test_unit_label(unit: str, article: str, language: str | None, expected: str) -> None:
    assert unit_label(unit, article, language) == expected


def test_context_line_caps_long_headings_and_embedding_text_lowers_mtavruli() -> None:
    meta = {"title": "LFT", "heading_path": ["DECRETO " + "muy largo " * 40, "Transitorios"], "article": "1", "unit": "transitional", "language": "es"}
    line = context_line(meta)
    assert line.startswith("LFT | DECRETO muy largo") and len(line) < 200 and line.endswith("| Transitorios | 1")
    assert embedding_text("ᲨᲠᲝᲛᲐ", {"title": "T", "article": "1", "unit": "article", "language": "ka"}).endswith("შრომა")

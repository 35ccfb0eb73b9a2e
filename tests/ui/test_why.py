"""The explanation in words, in each interface language; the copy button and export links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ui.i18n import Labels
from ui.why import explanation_lines, export_links

EXPLANATION = {
    "fusion": {
        "fused_score": 0.2,
        "k": 10,
        "prior": {"unit": "transitional", "factor": 0.5},
        "lists": [
            {"list": "bm25", "kind": "bm25", "language": None, "jurisdiction": None, "rank": 1, "counted": True, "share": 0.45},
            {"list": "dense/es", "kind": "dense", "language": "es", "jurisdiction": None, "rank": 2, "counted": True, "share": 0.3},
            {"list": "terms/es@MX", "kind": "terms", "language": "es", "jurisdiction": "MX", "rank": 3, "counted": True, "share": 0.25},
            {"list": "dense@MX", "kind": "dense", "language": None, "jurisdiction": "MX", "rank": 4, "counted": False, "share": 0.0},
        ],
    },
    "lexical": [
        {"query_word": "horas", "matched": ["horas"], "origin": "typed", "where": "text"},
        {"query_word": "pago", "matched": ["pagarán"], "origin": "stemmed", "where": "text"},
        {"query_word": "overtim", "matched": ["extraordinario"], "origin": "cross_lingual", "where": "context",
         "pair": "en>es", "score": 0.93, "source": "search_api/data/cross_terms.json"},
    ],
    "dense": {"cosine": 0.8812, "best_cosine": 0.8812, "chunk": 0, "chunks": 2},
    "engine": {"terms": [{"field": "content.es", "term": "hor", "score": 3.21}]},
}
EXPECTED = {
    "en": ["keywords as typed: #1 (45% of the score)", "closeness in meaning among texts in Spanish: #2 (30% of the score)",
           "translated keywords in Spanish, within Mexico", "not counted", "“pago” as “pagarán”",
           "translated as “extraordinario” (en>es, 0.93, term table) in the title or headings", "0.88 (cosine), in part 1 of 2",
           "×0.5", "hor (content.es, 3.21)"],
    "es": ["palabras tal como las escribió: n.º 1 (45% de la puntuación)", "cercanía de significado entre los textos en",
           "dentro de México", "no cuenta", "«pago» como «pagarán»", "0.88 (coseno)"],
    "ka": ["სიტყვები, როგორც დაწერეთ: #1 (ქულის 45%)", "არ ითვლება", "„pago“ ფორმით „pagarán“", "0.88 (კოსინუსი)"],
}


@pytest.mark.parametrize("language", ["en", "es", "ka"])
def test_explanation_reads_in_the_interface_language(language: str) -> None:
    text = "\n".join(explanation_lines(EXPLANATION, Labels(language)))
    for phrase in EXPECTED[language]:
        assert phrase in text, (phrase, text)
    assert "{" not in text  # every placeholder filled


def test_translation_pairing_and_no_explanation() -> None:
    lines = explanation_lines({"fusion": {"lists": [{"kind": "translation", "rank": 2}]}}, Labels("en"))
    assert lines == ["another language version of result #2"]
    assert explanation_lines(None, Labels("en")) == []


def test_export_links_point_at_the_api_with_the_format() -> None:
    links = export_links("http://127.0.0.1:8000", "/search", {"q": "horas extra", "limit": 10, "offset": 20}, Labels("en"))
    formats = [parse_qs(urlsplit(url).query)["format"][0] for _, url in links]
    assert formats == ["csv", "csl-json"]
    assert all(urlsplit(url).path == "/search" and parse_qs(urlsplit(url).query)["offset"] == ["20"] for _, url in links)

"""The "text recognized from a scan" badge on results whose passage was OCR'd, in the three interface languages."""

from __future__ import annotations

import pytest

from haystack import Document

from search_api.search import hit_from_document
from ui.i18n import Labels
from ui.render import badges


@pytest.mark.parametrize(
    ("lang", "text", "tooltip"),
    [
        ("en", "text recognized from a scan", "mean confidence 93%"),
        ("es", "texto reconocido de un escaneo", "confianza media 93 %"),
        ("ka", "სკანირებიდან ამოცნობილი ტექსტი", "საშუალო სანდოობა 93%"),
    ],
)
def test_ocr_badge_in_each_interface_language(lang, text, tooltip):
    markup = badges({"jurisdiction": "HN", "ocr_confidence": 92.6}, Labels(lang))
    assert f">{text}</span>" in markup and "ll-ocr" in markup and tooltip in markup


def test_no_badge_for_text_layers_and_the_api_hit_carries_the_mark():
    meta = {"doc_id": "hn-gaceta", "title": "La Gaceta", "article": "5", "language": "es", "jurisdiction": "HN"}
    scanned = hit_from_document(Document(content="Artículo 5 salario", meta={**meta, "ocr": True, "ocr_confidence": 91.5}), "salario")
    typed = hit_from_document(Document(content="Artículo 5 salario", meta=meta), "salario")
    assert scanned.ocr_confidence == 91.5 and typed.ocr_confidence is None
    assert "ll-ocr" in badges(scanned.to_dict(), Labels("en"))
    assert "ll-ocr" not in badges(typed.to_dict(), Labels("en"))

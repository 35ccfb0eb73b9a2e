"""Language detection restricted to the corpus languages."""

from __future__ import annotations

import pytest

from ingest.readers import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("El patrón podrá rescindir la relación de trabajo sin responsabilidad cuando el trabajador falte.", "es"),
        ("No employer shall employ any of his employees for a workweek longer than forty hours.", "en"),
        ("დამსაქმებელი ვალდებულია დასაქმებულს აუნაზღაუროს ზეგანაკვეთური სამუშაო.", "ka"),
        # A Georgian law with an English subtitle is still Georgian.
        ("შრომის ინსპექციის შესახებ\nON THE LABOUR INSPECTION SERVICE\nმუხლი 1. კანონის რეგულირების სფერო", "ka"),
        # Accents lost in the source (one corpus file): still Spanish.
        ("Numero del Apendice: la relacion de trabajo termina por renuncia del trabajador", "es"),
    ],
)
def test_detects_corpus_languages(text, expected):
    assert detect_language(text) == expected


def test_no_letters_no_language():
    assert detect_language("12 34 -- 56") is None
    assert detect_language("") is None

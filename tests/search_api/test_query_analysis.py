"""Query language and named jurisdictions, table-driven."""

from __future__ import annotations

import pytest

from search_api.query_analysis import detect_language, mentioned_jurisdictions


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("ზეგანაკვეთური სამუშაოს ანაზღაურება", "ka"),
        ("ᲖᲔᲒᲐᲜᲐᲙᲕᲔᲗᲣᲠᲘ სამუშაო", "ka"),  # Mtavruli capitals are Georgian too
        ("horas extra pago doble y triple", "es"),
        ("prima vacacional porcentaje mínimo", "es"),  # accent
        ("despido injustificado", "es"),  # no function word, no accent: suffix cue
        ("overtime at one and one-half times the regular rate", "en"),
        ("minimum wage", "en"),
        ("Convenio 182", "en"),  # nothing to go on: English by default
        ("", "en"),
    ],
)
def test_detect_language(query: str, language: str) -> None:
    assert detect_language(query) == language


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("maximum daily working hours for day work in Honduras", ("HN",)),
        ("Mexico overtime pay double and triple rate", ("MX",)),
        ("sexual harassment definition in Mexican labor law", ("MX",)),
        ("salario mínimo federal por hora en Estados Unidos", ("US",)),
        ("ზეგანაკვეთური სამუშაოს ანაზღაურება მექსიკაში", ("MX",)),  # locative ending
        ("მინიმალური ხელფასი ამერიკის შეერთებულ შტატებში", ("US",)),
        ("grounds for terminating an employment agreement in Georgia", ("GE",)),
        ("ILO convention on forced labour", ("INTL",)),
        ("overtime in Honduras and in Mexico", ("HN", "MX")),  # order of mention
        ("jornada en México vs. Honduras", ("MX", "HN")),
        ("overtime pay", ()),
        ("tell us about overtime", ()),  # the pronoun "us" is not the United States
        ("musical instruments", ()),  # "us" inside a word is not a mention
    ],
)
def test_mentioned_jurisdictions(query: str, codes: tuple[str, ...]) -> None:
    assert mentioned_jurisdictions(query) == codes

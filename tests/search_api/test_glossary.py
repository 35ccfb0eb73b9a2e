"""Glossary concepts recognised in queries and their terms in the other languages."""

from __future__ import annotations

import pytest

from laborlex_core.schema import LANGUAGES
from search_api.glossary import expansions, load_glossary, matched_concepts


@pytest.mark.parametrize(
    ("query", "concept"),
    [
        ("horas extra pago doble y triple", "overtime"),
        ("carga de la prueba del tiempo extraordinario", "overtime"),
        ("Georgia labour code overtime compensation", "overtime"),
        ("ზეგანაკვეთური სამუშაოს ანაზღაურება", "overtime"),
        ("definition of forced or compulsory labour", "forced_labour"),
        ("იძულებითი ან სავალდებულო შრომის განმარტება", "forced_labour"),  # genitive შრომის ~ შრომა
        ("შრომითი დავის ხანდაზმულობის ვადა", "limitation_period"),
        ("plazo de prescripción de la acción", "limitation_period"),
        ("ანტიპროფკავშირული დისკრიმინაციისგან დაცვა", "anti_union_discrimination"),
        ("despidos injustificados", "unjustified_dismissal"),  # plural, stemmed
    ],
)
def test_concept_matched(query: str, concept: str) -> None:
    assert concept in {c.name for c in matched_concepts(query)}


@pytest.mark.parametrize(
    ("query", "concept"),
    [
        ("extra pay for the hours", "overtime"),  # "hours in excess" needs both words
        ("horas de comida", "overtime"),
        ("Convenio 182", "child_labour"),
    ],
)
def test_concept_not_matched(query: str, concept: str) -> None:
    assert concept not in {c.name for c in matched_concepts(query)}


def test_expansions_cover_other_languages_only() -> None:
    expanded = expansions("horas extraordinarias", "es")
    assert set(expanded) == {"en", "ka"}
    assert "overtime" in expanded["en"]
    assert "ზეგანაკვეთური" in expanded["ka"]
    assert expansions("the weather today", "en") == {}


def test_every_concept_has_every_language() -> None:
    for concept in load_glossary():
        assert set(concept.terms) == set(LANGUAGES), concept.name
        assert all(concept.terms[lang] for lang in LANGUAGES), concept.name

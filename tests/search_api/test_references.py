"""Legal references typed as queries, table-driven, and their provisions ranked first."""

from __future__ import annotations

import pytest

from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.references import query_references
from search_api.search import Searcher


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("art. 48 LFT", [("mx-lft-es", "48")]),
        ("artículo 22 bis de la Ley Federal del Trabajo", [("mx-lft-es", "22 Bis")]),
        ("artículo 123", [(None, "123")]),
        ("§ 207", [(None, "207")]),
        ("29 U.S.C. § 207", [("us-flsa-en", "207")]),
        ("section 213 of the FLSA", [("us-flsa-en", "213")]),
        ("მუხლი 27", [(None, "27")]),
        ("48-ე მუხლი", [(None, "48")]),
        ("შრომის კოდექსის 47-ე მუხლი", [("ge-labour-code-ka", "47")]),
        ("article 3 of Convention No. 182", [("ilo-c182-en", "3")]),
        ("Convenio 182", [("ilo-c182-es", None)]),
        # not references: plain questions, years, amounts, hours
        ("horas extra pago doble y triple", []),
        ("salario mínimo 2024", []),
        ("jornada de 8 horas y 48 a la semana", []),
        ("aguinaldo de 15 días antes del 20 de diciembre", []),
    ],
)
def test_query_references(query: str, expected: list[tuple[str | None, str | None]]) -> None:
    assert [(r.doc_id, r.article) for r in query_references(query)] == expected


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("article 3 of Convention No. 182", ("ilo-c182-en", "3")),
        ("artículo 3 del Convenio 182", ("ilo-c182-es", "3")),
        ("მუხლი 4", ("ilo-c182-ka", "4")),  # no instrument: the Georgian query's Georgian document first
    ],
)
def test_cited_provision_comes_first(api_settings: Settings, query: str, first: tuple[str, str]) -> None:
    searcher = Searcher(api_settings, EmbeddedDocumentStore(api_settings.store_path))
    hits = searcher.search(query, "hybrid", limit=5)
    assert (hits[0].doc_id, hits[0].article) == first
    assert hits[0].ranks.get("reference") == 1


def test_reference_weight_zero_reads_references_as_words(api_settings: Settings) -> None:
    settings = api_settings.model_copy(update={"weight_reference": 0.0})
    hits = Searcher(settings, EmbeddedDocumentStore(settings.store_path)).search("article 3 of Convention No. 182", "hybrid", limit=10)
    assert all("reference" not in hit.ranks for hit in hits)

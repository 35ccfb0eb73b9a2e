"""The ranked lists hybrid search fuses, on a real index."""

from __future__ import annotations

import pytest

from laborlex_core.embedding.embedder import QueryEmbedder
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.branches import LexicalBranches, QueryProfile, SemanticBranches, branch_name, profile_query

ENGLISH = {"field": "meta.language", "operator": "==", "value": "en"}


@pytest.mark.parametrize(
    ("args", "name"),
    [(("bm25",), "bm25"), (("bm25", None, "HN"), "bm25@HN"), (("glossary", "ka"), "glossary/ka"), (("glossary", "es", "MX"), "glossary/es@MX")],
)
def test_branch_name(args: tuple, name: str) -> None:
    assert branch_name(*args) == name


def test_profile_reads_language_jurisdiction_and_concepts() -> None:
    profile = profile_query("jornada máxima de trabajo en Honduras")
    assert profile.language == "es"
    assert profile.jurisdictions == ("HN",)
    assert set(profile.expansions) == {"en", "ka"} and "working hours" in profile.expansions["en"]


def test_lexical_lists_are_restricted_as_named(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "jornada máxima de trabajo en Honduras"
    lists = LexicalBranches(store, top_k=20).run(query, profile_query(query))["lists"]
    assert {"bm25", "bm25@HN", "glossary/en", "glossary/ka"} <= set(lists)
    assert lists["bm25@HN"] and all(d.meta["jurisdiction"] == "HN" for d in lists["bm25@HN"])
    assert lists["glossary/en"] and all(d.meta["language"] == "en" for d in lists["glossary/en"])
    assert all(d.meta["language"] == "ka" for d in lists["glossary/ka"])
    # a user's filter still holds in every list
    filtered = LexicalBranches(store, top_k=20).run(query, profile_query(query), filters=ENGLISH)["lists"]
    assert all(d.meta["language"] == "en" for docs in filtered.values() for d in docs)
    assert filtered["bm25@HN"] == []  # no English Honduran text in the slice


def test_zero_weights_skip_branches(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "jornada máxima de trabajo en Honduras"
    lists = LexicalBranches(store, weights={"glossary": 0.0, "jurisdiction": 0.0}).run(query, profile_query(query))["lists"]
    assert set(lists) == {"bm25"}


def test_semantic_lists_per_language_and_jurisdiction(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "ბავშვთა შრომის უკიდურესი ფორმები"
    vector = QueryEmbedder(api_settings).run(query)["embedding"]
    profile = QueryProfile("ka", ("INTL",), {})
    lists = SemanticBranches(store, top_k=5).run(vector, profile)["lists"]
    assert set(lists) == {"dense", "dense@INTL", "dense/es", "dense/en", "dense/ka"}
    for language in ("es", "en", "ka"):
        assert lists[f"dense/{language}"] and all(d.meta["language"] == language for d in lists[f"dense/{language}"])
    assert all(d.meta["jurisdiction"] == "INTL" for d in lists["dense@INTL"])
    restored = SemanticBranches.from_dict(SemanticBranches(store, top_k=7, weights={"dense": 2.0}).to_dict())
    assert restored.top_k == 7 and restored.weights == {"dense": 2.0}

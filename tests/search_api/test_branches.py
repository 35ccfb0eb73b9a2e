"""The ranked lists hybrid search fuses, on a real index."""

from __future__ import annotations

import pytest

from laborlex_core.embedding.embedder import QueryEmbedder
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.branches import HybridBranches, LexicalBranches, SemanticBranches, branch_name, profile_query

ENGLISH = {"field": "meta.language", "operator": "==", "value": "en"}


@pytest.mark.parametrize(
    ("args", "name"),
    [(("bm25",), "bm25"), (("bm25", None, "HN"), "bm25@HN"), (("terms", "ka"), "terms/ka"), (("terms", "es", "MX"), "terms/es@MX"), (("instrument", None, None, "ilo-c029"), "instrument#ilo-c029")],
)
def test_branch_name(args: tuple, name: str) -> None:
    assert branch_name(*args) == name


def test_profile_reads_language_jurisdiction_and_translations() -> None:
    profile = profile_query("salario mínimo en Honduras")
    assert profile.language == "es"
    assert profile.jurisdictions == ("HN",)
    assert set(profile.expansions) == {"en", "ka"}
    assert "wage" in profile.expansions["en"].split()  # from the term table, learnt from the corpus


def test_lexical_lists_are_restricted_as_named(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "salario mínimo en Honduras"
    lists = LexicalBranches(store, top_k=20).run(query)["lists"]
    assert {"bm25", "bm25@HN", "terms/en", "terms/ka"} <= set(lists)
    assert lists["bm25@HN"] and all(d.meta["jurisdiction"] == "HN" for d in lists["bm25@HN"])
    assert lists["terms/en"] and all(d.meta["language"] == "en" for d in lists["terms/en"])
    assert all(d.meta["language"] == "ka" for d in lists["terms/ka"])
    # a user's filter still holds in every list
    filtered = LexicalBranches(store, top_k=20).run(query, filters=ENGLISH)["lists"]
    assert all(d.meta["language"] == "en" for docs in filtered.values() for d in docs)
    assert filtered["bm25@HN"] == []  # no English Honduran text in the slice


def test_zero_weights_skip_branches(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "salario mínimo en Honduras"
    lists = LexicalBranches(store, weights={"terms": 0.0, "jurisdiction": 0.0}).run(query)["lists"]
    assert set(lists) == {"bm25"}


@pytest.mark.parametrize(
    ("query", "instrument"),
    [("ILO Convention No. 182 worst forms of child labour", "ilo-c182"), ("USMCA labor chapter forced labor", "usmca-ch23")],
)
def test_an_instrument_named_without_article_nudges_without_filling_the_top(
    api_settings: Settings, query: str, instrument: str
) -> None:
    """The instrument's lists cover every language version of it, and none of its
    passages is put first by the reference list (that is for cited provisions)."""
    store = EmbeddedDocumentStore(api_settings.store_path)
    lists = LexicalBranches(store, top_k=20, weights={"instrument": 1.0}).run(query)["lists"]
    within = lists[f"instrument#{instrument}"]
    assert within and {d.meta["doc_id"].rsplit("-", 1)[0] for d in within} == {instrument}
    assert "reference" not in lists or lists["reference"] == []
    vector = QueryEmbedder(api_settings).run(query)["embedding"]
    dense = SemanticBranches(store, top_k=5, weights={"instrument": 1.0}).run(query, vector)["lists"]
    assert {d.meta["doc_id"].rsplit("-", 1)[0] for d in dense[f"instrument_dense#{instrument}"]} == {instrument}


def test_semantic_lists_per_language_and_jurisdiction(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "ბავშვთა შრომის უკიდურესი ფორმები ILO"  # Georgian, naming the ILO (jurisdiction INTL)
    vector = QueryEmbedder(api_settings).run(query)["embedding"]
    lists = SemanticBranches(store, top_k=5).run(query, vector)["lists"]
    assert set(lists) == {"dense", "dense@INTL", "dense/es", "dense/en", "dense/ka"}
    for language in ("es", "en", "ka"):
        assert lists[f"dense/{language}"] and all(d.meta["language"] == language for d in lists[f"dense/{language}"])
    assert all(d.meta["jurisdiction"] == "INTL" for d in lists["dense@INTL"])
    restored = SemanticBranches.from_dict(SemanticBranches(store, top_k=7, weights={"dense": 2.0}, adapter_blend=0.25).to_dict())
    assert restored.top_k == 7 and restored.weights == {"dense": 2.0} and restored.adapter_blend == 0.25


def test_semantic_lists_search_with_the_adapted_vector(api_settings: Settings) -> None:
    """With a blend, the lists are those of the vector moved by the learnt rotation (what the
    query adapter component did before it joined the branches); without, of the vector as given."""
    from search_api.query_adapter import adapt, load_adapter

    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "descanso semanal obligatorio"
    vector = QueryEmbedder(api_settings).run(query)["embedding"]
    moved = adapt(vector, load_adapter(), 0.5)
    adapted = SemanticBranches(store, top_k=5, adapter_blend=0.5).run(query, vector)["lists"]
    assert adapted == SemanticBranches(store, top_k=5).run(query, moved)["lists"]
    assert adapted != SemanticBranches(store, top_k=5).run(query, vector)["lists"]


def test_hybrid_lists_are_both_sides_asked_in_one_batch_in_fusion_order(api_settings: Settings) -> None:
    """The hybrid branches give what BM25's and the model's give apart, from one call of the
    store's (one _msearch on OpenSearch), named BM25's first, then the cited provisions, then
    the model's: the order fusion adds them in."""
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "art. 48 LFT despido injustificado en México"
    vector = QueryEmbedder(api_settings).run(query)["embedding"]
    lexical = LexicalBranches(store, top_k=10).run(query)["lists"]
    semantic = SemanticBranches(store, top_k=10, adapter_blend=0.5).run(query, vector)["lists"]
    batches: list[int] = []
    ranked_lists = store.ranked_lists
    store.ranked_lists = lambda requests: batches.append(len(requests)) or ranked_lists(requests)  # type: ignore[method-assign]
    hybrid = HybridBranches(store, top_k=10, adapter_blend=0.5).run(query, vector)["lists"]
    assert "reference" in lexical and "bm25@MX" in lexical and "dense@MX" in semantic
    assert list(hybrid) == list(lexical) + list(semantic)
    assert all(hybrid[name] == lists[name] for lists in (lexical, semantic) for name in lists)
    assert batches == [len(lexical) - 1 + len(semantic)]  # every ranked list in one batch (the cited ones are read apart)


def test_cited_articles_are_bounded_whatever_the_query(api_settings: Settings) -> None:
    """A query of many bare article numbers reads at most MAX_REFERENCES of them, each at
    most the list depth, in the order cited."""
    from search_api.branches import MAX_REFERENCES

    store = EmbeddedDocumentStore(api_settings.store_path)
    query = " ".join(f"art. {n}" for n in range(1, 13))
    profile = profile_query(query)
    assert len([r for r in profile.references if r.article]) > MAX_REFERENCES
    depth = 3
    found = LexicalBranches(store, top_k=depth).run(query)["lists"]["reference"]
    articles = [d.meta["article"] for d in found]
    assert articles and set(articles) <= {str(n) for n in range(1, MAX_REFERENCES + 1)}
    assert all(articles.count(a) <= depth for a in set(articles))
    assert articles == sorted(articles, key=int)  # in the order cited

"""Other-language versions of a provision placed right after it."""

from __future__ import annotations

import pytest
from haystack import Document

from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.handoff import ProvisionList
from search_api.search import Searcher
from search_api.translations import TranslationExpander, instrument_of, interleave_head, language_versions


@pytest.mark.parametrize(
    ("doc_id", "language", "instrument"),
    [
        ("ilo-c100-es", "es", "ilo-c100"),
        ("ge-labour-code-ka", "ka", "ge-labour-code"),
        ("us-flsa-en", "en", "us-flsa"),
        ("mx-sjf-semanal-2026-05-15-rubros", "es", "mx-sjf-semanal-2026-05-15-rubros"),  # no suffix
        ("ilo-c100-es", None, "ilo-c100-es"),
    ],
)
def test_instrument_of(doc_id: str, language: str | None, instrument: str) -> None:
    assert instrument_of(doc_id, language) == instrument


def test_language_versions_keeps_instruments_held_twice() -> None:
    documents = [
        {"doc_id": "ilo-c100-es", "language": "es"},
        {"doc_id": "ilo-c100-ka", "language": "ka"},
        {"doc_id": "us-flsa-en", "language": "en"},
    ]
    assert language_versions(documents) == {"ilo-c100": ["ilo-c100-es", "ilo-c100-ka"]}


def _provision(doc_id: str, article: str, language: str, score: float = 1.0) -> Document:
    return Document(id=f"{doc_id}#{article}", content="x", score=score, meta={"doc_id": doc_id, "article": article, "language": language})


def keys(documents: list[Document]) -> list[str]:
    return [f"{d.meta['doc_id']}:{d.meta['article']}" for d in documents]


def test_versions_follow_and_move_up_within_depth() -> None:
    ranked = [
        _provision("ilo-c100-es", "2", "es", 0.9),
        _provision("us-flsa-en", "206", "en", 0.8),
        _provision("ilo-c100-ka", "2", "ka", 0.5),  # moves up next to its Spanish version
        _provision("ilo-c029-es", "2", "es", 0.4),  # beyond depth 2: gets no versions
    ]
    found = {
        ("ilo-c100-ka", "2"): _provision("ilo-c100-ka", "2", "ka"),
        ("ilo-c029-ka", "2"): _provision("ilo-c029-ka", "2", "ka"),
        ("ilo-c100-ka", "3"): _provision("ilo-c100-ka", "3", "ka"),  # another article
    }
    provisions = ProvisionList.of(ranked)
    head, placed = interleave_head(provisions[:2], found)
    result = provisions.with_head(2, head, placed)
    assert keys(list(result)) == ["ilo-c100-es:2", "ilo-c100-ka:2", "us-flsa-en:206", "ilo-c029-es:2"]
    assert result.keys() == [("ilo-c100-es", "2"), ("ilo-c100-ka", "2"), ("us-flsa-en", "206"), ("ilo-c029-es", "2")]
    assert result[1].meta["ranks"] == {"translation": 1}


def test_expander_on_real_index(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    head = [d for d in store.filter_documents({"field": "meta.doc_id", "operator": "==", "value": "ilo-c182-en"}) if d.meta["article"] == "3"][:1]
    assert head
    expanded = TranslationExpander(store, depth=5).run(documents=head)["documents"]
    assert keys(expanded) == ["ilo-c182-en:3", "ilo-c182-es:3", "ilo-c182-ka:3"]
    spanish_only = {"field": "meta.language", "operator": "in", "value": ["en", "es"]}
    assert keys(TranslationExpander(store).run(documents=head, filters=spanish_only)["documents"]) == [
        "ilo-c182-en:3",
        "ilo-c182-es:3",
    ]
    assert keys(TranslationExpander(store, depth=0).run(documents=head)["documents"]) == ["ilo-c182-en:3"]
    assert TranslationExpander.from_dict(TranslationExpander(store, depth=3).to_dict()).depth == 3


def test_hybrid_search_shows_the_convention_article_in_each_language(api_settings: Settings) -> None:
    searcher = Searcher(api_settings, EmbeddedDocumentStore(api_settings.store_path))
    found = keys(searcher.search_documents("worst forms of child labour", "hybrid", top_k=10))
    positions = {k: found.index(k) for k in ("ilo-c182-en:3", "ilo-c182-es:3", "ilo-c182-ka:3") if k in found}
    assert len(positions) == 3, found
    assert max(positions.values()) - min(positions.values()) == 2  # side by side

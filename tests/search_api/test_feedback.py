"""Cross-lingual pseudo-relevance feedback: words from the model's first passages per language."""

from __future__ import annotations

import pytest
from haystack import Document

from laborlex_core.embedding.embedder import QueryEmbedder
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.branches import SemanticBranches
from search_api.feedback import FeedbackBranches, feedback_terms


def passages(*texts: str) -> list[Document]:
    return [Document(content=text) for text in texts]


@pytest.mark.parametrize(
    ("texts", "language", "expected"),
    [
        # only words in both passages; numbers and stopwords never; ties alphabetical
        (("El salario se paga en efectivo. Artículo 107", "Los descuentos al salario están prohibidos. Artículo 107"), "es", ["articul", "salari"]),
        # one passage: all its words count, the most frequent first
        (("Overtime is paid at one and one-half times",), "en", ["one", "half", "overtim", "paid", "time"]),
        # Georgian is indexed as whole words, so feedback words are whole words
        (("ხელფასი გაიცემა ყოველთვიურად", "ხელფასი გაიცემა დროულად"), "ka", ["გაიცემა", "ხელფასი"]),
        ((), "es", []),
    ],
)
def test_feedback_terms(texts: tuple[str, ...], language: str, expected: list[str]) -> None:
    assert feedback_terms(passages(*texts), language) == expected


def test_feedback_terms_are_capped() -> None:
    text = " ".join(f"palabra{i}" for i in range(40))
    assert len(feedback_terms(passages(text, text), "es", size=5)) == 5


def test_feedback_lists_search_other_languages_with_the_models_words(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    query = "worst forms of child labour"
    vector = QueryEmbedder(api_settings).run(query)["embedding"]
    semantic = SemanticBranches(store, top_k=10).run(query, vector)["lists"]
    lists = FeedbackBranches(store, top_k=10, weights={"feedback": 1.0}).run(semantic, query)["lists"]
    assert set(lists) == {"feedback/es", "feedback/ka"}  # not the query's own language
    for language in ("es", "ka"):
        assert lists[f"feedback/{language}"] and all(d.meta["language"] == language for d in lists[f"feedback/{language}"])
    assert FeedbackBranches(store, weights={"feedback": 0.0}).run(semantic, query)["lists"] == {}

"""The cross-lingual term table: built from an index, read for queries."""

from __future__ import annotations

import pytest

from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.term_table import PER_TERM, build_term_table, cross_terms, load_term_table

TABLE = {
    "pairs": {
        "es>en": {"salari": {"wage": 0.9, "pay": 0.5}, "minim": {"minimum": 0.8}},
        "es>ka": {"salari": {"ხელფას": 0.6}},
        "ka>es": {"ხელფას": {"salari": 0.6}},
        "en>es": {},
    },
    "surface": {"ka": {"ხელფას": ["ხელფასი", "ხელფასის"]}},
}


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("salario mínimo", "es", {"en": "wage pay minimum", "ka": "ხელფასი ხელფასის"}),
        ("ხელფასის", "ka", {"es": "salari"}),  # inflected: the stem is looked up
        ("overtime", "en", {}),  # nothing known: no list
        ("el la de", "es", {}),  # stopwords only
    ],
)
def test_cross_terms(query: str, language: str, expected: dict[str, str]) -> None:
    assert cross_terms(query, language, TABLE) == expected


def test_shipped_table_names_its_sources_and_covers_every_direction() -> None:
    table = load_term_table()
    assert set(table["pairs"]) == {f"{a}>{b}" for a in ("es", "en", "ka") for b in ("es", "en", "ka") if a != b}
    assert "IBM Model 1" in table["_source"]["parallel"] and "embedding model" in table["_source"]["model"]
    assert all(len(row) <= PER_TERM for rows in table["pairs"].values() for row in rows.values())
    assert table["_source"]["documents"]  # the parallel instruments it was learnt from


def test_build_from_an_index_parallel_text_only(api_settings: Settings) -> None:
    """The slice holds C182 in es/ka/en: its articles align and yield translations."""
    table = build_term_table(EmbeddedDocumentStore(api_settings.store_path))
    assert {"ilo-c182-es", "ilo-c182-ka"} <= set(table["_source"]["documents"])
    assert table["_source"]["aligned_articles"]["es-ka"] > 5
    assert table["pairs"]["es>ka"] and table["pairs"]["ka>es"]
    assert table["surface"]["ka"]
    assert table["_source"]["model"] == "not used"


@pytest.mark.slow
def test_build_with_the_model(api_settings: Settings) -> None:
    from laborlex_core.embedding.embedder import embed_words, load_model

    model = load_model(api_settings)
    table = build_term_table(EmbeddedDocumentStore(api_settings.store_path), lambda words: embed_words(model, words))
    assert "embedding model" in table["_source"]["model"]
    # English now has translations of its own, beyond the pivot through Georgian
    assert len(table["pairs"]["en>es"]) > 20 and len(table["pairs"]["es>en"]) > 20
    # a convention's own words: "child" in the English C182 meets the Spanish "niño"/"infantil"
    assert {"nin", "infantil", "menor"} & set(table["pairs"]["en>es"].get("child", {}))

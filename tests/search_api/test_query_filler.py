"""Question words and filler dropped before BM25: the stripping, the shipped lists, the build."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.pipeline import pipeline_inputs
from search_api.query_filler import FILLER_RESOURCE, build_filler, heading_words, load_filler, strip_filler

FILLER = frozenset({"what", "can", "when", "que", "puede", "cuando", "mi", "რა"})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("What can an inspector do when the employer refuses entry?", "an inspector do the employer refuses entry"),
        ("¿Qué puede hacer mi patrón?", "hacer patrón"),  # accents folded for matching, kept in the output
        ("¿Cuándo PUEDE despedir?", "despedir"),  # case folded
        ("რა არის ზეგანაკვეთური სამუშაო", "არის ზეგანაკვეთური სამუშაო"),
        ("what can 48", "48"),  # digits always stay (article numbers)
        ("what can", "what can"),  # a query made only of filler is kept whole
        ("", ""),
    ],
)
def test_strip_filler(query: str, expected: str) -> None:
    assert strip_filler(query, FILLER) == expected


def test_shipped_lists_name_their_sources_and_keep_the_law_s_words() -> None:
    raw = json.loads(resources.files("search_api").joinpath(FILLER_RESOURCE).read_text("utf-8"))
    assert {"es", "en", "ka", "_source"} <= set(raw)
    assert "stopwords 1.0.2" in raw["_source"]["es, en"] and "document frequency" in raw["_source"]["ka"]
    words = load_filler()
    assert {"what", "how", "puede", "cuando"} <= words  # question words and auxiliaries
    assert not {"trabajo", "salario", "employer", "wage"} & words  # words of the law stay
    assert not any(any(c.isdigit() for c in w) for w in words)


def test_build_keeps_heading_words_out(api_settings: Settings) -> None:
    store = EmbeddedDocumentStore(api_settings.store_path)
    headings = heading_words(store)
    subject = next(w for w in sorted(headings) if w.isalpha() and len(w) > 5 and w.isascii())
    table = build_filler(store, collections={"en": [subject, "whatsoever", "can't"], "es": ["acaso"]})
    assert table["en"] == ["whatsoever"]  # the heading word is kept for search; "can't" is not one word
    assert table["es"] == ["acaso"]
    assert table["_source"]["kept_as_heading_words"]["en"] == [subject]
    assert all(not w.isdigit() for w in table["ka"])


@pytest.mark.parametrize(
    ("setting", "embedded", "strips_bm25"),
    [("keep", "¿Qué puede hacer mi patrón?", False), ("bm25", "¿Qué puede hacer mi patrón?", True), ("all", "Qué hacer mi patrón", True)],
)
def test_the_setting_reaches_the_pipeline(setting: str, embedded: str, strips_bm25: bool, tmp_path) -> None:
    from search_api.pipeline import build_query_pipeline

    settings = Settings(data_dir=tmp_path, query_filler=setting)
    inputs = pipeline_inputs("hybrid", settings, "¿Qué puede hacer mi patrón?", None, 10)
    assert inputs["query_embedder"]["text"] == embedded
    pipeline = build_query_pipeline("hybrid", settings, EmbeddedDocumentStore(tmp_path / "index.sqlite3"))
    assert pipeline.get_component("branches").strip_filler is strips_bm25  # BM25's words, and the profile every list reads

"""Searcher on a real index: snippets for provisions found by words and by meaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from haystack import Document

from laborlex_core.embedding.embedder import QueryEmbedder, embed_passage_texts, load_model
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.search import Searcher
from search_api.snippets import sentences


def test_meaning_only_hits_get_the_closest_sentence_as_snippet(api_settings: Settings) -> None:
    searcher = Searcher(api_settings, EmbeddedDocumentStore(api_settings.store_path))
    # Georgian, by meaning only: Spanish text shares no word with it
    query = "ქვეყნის ვალდებულებები კონვენციის რატიფიცირებისას"
    spanish = {"field": "meta.language", "operator": "==", "value": "es"}
    documents, vector = searcher.run(query, "dense", spanish, top_k=3)
    hits = searcher.hits(documents, query, vector)
    assert hits and vector is not None
    model = load_model(api_settings)
    query_vector = np.asarray(QueryEmbedder(api_settings).run(query)["embedding"])
    for document, hit in zip(documents, hits):
        assert hit.highlights == []
        candidates = sentences(document.content or "")
        scores = np.asarray(embed_passage_texts(model, candidates)) @ query_vector
        best = candidates[int(np.argmax(scores))]
        assert hit.snippet.strip("…") in best or best.startswith(hit.snippet.rstrip("…"))


def test_word_hits_keep_their_marked_snippet(api_settings: Settings) -> None:
    searcher = Searcher(api_settings, EmbeddedDocumentStore(api_settings.store_path))
    hits = searcher.search("jornada diurna", "bm25", limit=3)
    assert hits and all(hit.highlights for hit in hits)


def test_sentences_split_and_cap() -> None:
    text = "Primera oración bastante larga aquí. Segunda oración también larga; y una tercera parte extensa.\n\na) un inciso con texto suficiente"
    assert sentences(text) == [
        "Primera oración bastante larga aquí.",
        "Segunda oración también larga;",
        "y una tercera parte extensa.",
        "a) un inciso con texto suficiente",
    ]
    assert sentences("corto") == ["corto"]
    assert len(sentences("Una oración suficientemente larga. " * 40)) == 12


def test_hits_found_through_translated_terms_mark_them(api_settings: Settings) -> None:
    searcher = Searcher(api_settings, EmbeddedDocumentStore(api_settings.store_path))
    query = "ბავშვთა შრომის უკიდურესი ფორმები"  # Georgian; the term table has Spanish for its words
    spanish = {"field": "meta.language", "operator": "==", "value": "es"}
    documents, vector = searcher.run(query, "hybrid", spanish, top_k=3)
    hits = searcher.hits(documents, query, vector)
    assert hits and any(hit.highlights for hit in hits)
    marked = {hit.snippet[a:b].lower() for hit in hits for a, b in hit.highlights}
    assert marked & {"trabajo", "infantil", "peores", "formas", "menores"}
    # a hit that no translated-words list found is not marked with them (it gets a sentence)
    dense_only, dense_vector = searcher.run(query, "dense", spanish, top_k=3)
    for hit in searcher.hits(dense_only, query, dense_vector):
        assert hit.highlights == []


def test_snippet_sentences_are_embedded_once(legacy_api_settings: Settings, monkeypatch) -> None:
    """On an index without stored sentence vectors, sentences embedded on demand are cached."""
    import search_api.sentence_vectors as module

    searcher = Searcher(legacy_api_settings, EmbeddedDocumentStore(legacy_api_settings.store_path))
    query = "ქვეყნის ვალდებულებები კონვენციის რატიფიცირებისას"
    spanish = {"field": "meta.language", "operator": "==", "value": "es"}
    documents, vector = searcher.run(query, "dense", spanish, top_k=3)
    first = [hit.snippet for hit in searcher.hits(documents, query, vector)]
    embedded: list[int] = []
    real = module.embed_passage_texts
    monkeypatch.setattr(module, "embed_passage_texts", lambda model, texts, *a: embedded.append(len(texts)) or real(model, texts, *a))
    assert [hit.snippet for hit in searcher.hits(documents, query, vector)] == first
    assert embedded == []  # every sentence came from the cache
    searcher.sentence_vectors.cache_size = 1
    searcher.hits(documents, query, vector)
    assert len(searcher.sentence_vectors) == 1


def test_sentences_embedded_per_request_are_bounded(legacy_api_settings: Settings, monkeypatch) -> None:
    """On an index without stored sentence vectors, a page of long provisions found by meaning
    costs at most ``per_request`` sentence
    embeddings; the results beyond the budget keep their opening words, and a later request
    (the cache now warm) gives every one its closest sentence."""
    import search_api.sentence_vectors as module

    searcher = Searcher(legacy_api_settings, EmbeddedDocumentStore(legacy_api_settings.store_path))
    searcher.sentence_vectors.per_request = 2
    query = "ქვეყნის ვალდებულებები კონვენციის რატიფიცირებისას"
    spanish = {"field": "meta.language", "operator": "==", "value": "es"}
    documents, vector = searcher.run(query, "dense", spanish, top_k=5)
    embedded: list[int] = []
    real = module.embed_passage_texts
    monkeypatch.setattr(module, "embed_passage_texts", lambda model, texts, *a: embedded.append(len(texts)) or real(model, texts, *a))
    searcher.hits(documents, query, vector)
    assert embedded and max(embedded) <= 2
    wanted = {t for d in documents for t in sentences(d.content or "")}
    while len(searcher.sentence_vectors) < len(wanted):
        searcher.hits(documents, query, vector)
    searcher.sentence_vectors.per_request = 1000
    unbounded = Searcher(legacy_api_settings, EmbeddedDocumentStore(legacy_api_settings.store_path))
    assert [h.snippet for h in searcher.hits(documents, query, vector)] == [h.snippet for h in unbounded.hits(documents, query, vector)]


def test_a_search_on_a_fresh_index_calls_the_model_for_the_query_only(
    api_settings: Settings, legacy_api_settings: Settings, monkeypatch
) -> None:
    """Snippet sentence vectors come stored from ingest: the query's embedding is the search's
    one model call, and the snippets are the sentences the on-demand path picks."""
    searcher = Searcher(api_settings, EmbeddedDocumentStore(api_settings.store_path))
    spanish = {"field": "meta.language", "operator": "==", "value": "es"}
    searcher.search("derechos de los trabajadores", "hybrid", spanish, limit=3)  # warm: term table, adapters
    model = load_model(api_settings)
    calls: list[object] = []
    real = model.encode
    monkeypatch.setattr(model, "encode", lambda texts, *a, **k: calls.append(texts) or real(texts, *a, **k))
    query = "zxqv plokmu wertyq"  # nonsense: every hit is found by meaning only
    hits = searcher.search(query, "hybrid", limit=6)
    assert len(calls) == 1 and "query: " in str(calls[0])
    assert hits and all(not hit.highlights for hit in hits)
    legacy = Searcher(legacy_api_settings, EmbeddedDocumentStore(legacy_api_settings.store_path))
    legacy.sentence_vectors.per_request = 1000
    before = len(calls)
    assert [h.snippet for h in legacy.search(query, "hybrid", limit=6)] == [h.snippet for h in hits]
    assert len(calls) > before  # the index without stored vectors embedded its sentences


def test_a_later_window_reads_only_the_earlier_windows_of_its_provision(tmp_path: Path) -> None:
    """The pinpoint of a hit in a provision's later window sees the windows before it, in
    order, and nothing after it or from another provision; a first window needs none."""
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    meta = {"doc_id": "d", "language": "es", "jurisdiction": "MX", "kind": "statute", "title": "T", "unit": "article"}
    windows = [
        Document(id=f"d#{article}.{chunk:02d}", content=f"{article}-{chunk}", embedding=[1.0] + [0.0] * 383,
                 meta={**meta, "article": article, "ordinal": int(article), "chunk": chunk})
        for article, chunk in [("7", 3), ("7", 0), ("8", 0), ("7", 2), ("7", 1), ("8", 1)]  # stored out of order
    ]
    store.replace_document("d", windows, {"doc_id": "d", "title": "T"})
    searcher = Searcher(Settings(data_dir=tmp_path), store)
    by_id = {d.id: d for d in store.passages()}
    read: list[Document] = []
    passages = store.passages

    def reading(filters: dict | None = None, with_embeddings: bool = False) -> list[Document]:
        read.extend(found := passages(filters, with_embeddings))
        return found

    store.passages = reading  # type: ignore[method-assign]
    assert searcher._earlier_windows(by_id["d#7.02"]) == "7-0\n7-1\n"
    assert searcher._earlier_windows(by_id["d#7.03"]) == "7-0\n7-1\n7-2\n"
    assert searcher._earlier_windows(by_id["d#8.01"]) == "8-0\n"
    assert sorted(d.id for d in read) == ["d#7.00", "d#7.00", "d#7.01", "d#7.01", "d#7.02", "d#8.00"]  # no later window read
    assert searcher._earlier_windows(by_id["d#7.00"]) == ""

"""Citations in the embedded store: written with their passages, gone with their document,
queried both ways, and the ``cites`` filter; an index from before citations is migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from haystack import Document

from ingest.citations import CitationExtractor
from laborlex_core.store.embedded import SCHEMA_VERSION, EmbeddedDocumentStore

# Real sentences (ge-labour-code-ka articles 17 and 21, a Mexican ruling); no vectors needed here.
GE = [
    ("17", "გამოსაცდელი ვადით დადებული შრომითი ხელშეკრულების შეწყვეტის შემთხვევაზე არ ვრცელდება ამ კანონის 48-ე მუხლით გათვალისწინებული მოთხოვნები"),
    ("21", "დამსაქმებლის მიერ ამ მუხლის მე-2 პუნქტით გათვალისწინებული ვადის გადამეტება მიიჩნევა შრომითი ხელშეკრულების არსებითი პირობების შეცვლად."),
    ("48", "შრომითი ხელშეკრულების შეწყვეტის შესახებ დამსაქმებელი ვალდებულია წერილობით გააფრთხილოს დასაქმებული."),
]


def _passages(doc_id: str, rows: list[tuple[str, str]], language: str, kind: str) -> list[Document]:
    docs = [
        Document(
            id=f"{doc_id}#{n:05d}.00", content=text,
            meta={"doc_id": doc_id, "article": article, "unit": "article", "language": language, "jurisdiction": "GE",
                  "kind": kind, "title": doc_id, "ordinal": n, "chunk": 0, "start": 0, "end": len(text)},
        )
        for n, (article, text) in enumerate(rows)
    ]
    return CitationExtractor().run(docs)["documents"]


def _store(tmp_path: Path) -> EmbeddedDocumentStore:
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    store.replace_document("ge-labour-code-ka", _passages("ge-labour-code-ka", GE, "ka", "statute"), {"doc_id": "ge-labour-code-ka"})
    ruling = [("1", "ამ კანონის 48-ე მუხლით"), ("2", "საქართველოს შრომის კოდექსის 48-ე მუხლის პირველი პუნქტით")]
    store.replace_document("ge-ruling", _passages("ge-ruling", ruling, "ka", "case_law"), {"doc_id": "ge-ruling"})
    return store


def test_cited_by_counts_and_stats(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cited = store.cited_by("ge-labour-code-ka", "48")
    # the code's article 17 and the ruling's paragraph 2 (paragraph 1's "this law" is no law in a ruling)
    assert [(r["doc_id"], r["article"], r["doc_kind"]) for r in cited] == [("ge-labour-code-ka", "17", "statute"), ("ge-ruling", "2", "case_law")]
    assert store.citation_counts(["ge-labour-code-ka:48", "ge-labour-code-ka:21", "ge-labour-code-ka:1"]) == {"ge-labour-code-ka:48": 2}
    # "ამ მუხლის მე-2 პუნქტით" is a part of article 21 itself: listed as its citation, not counted as cited by
    own = store.citations_of("ge-labour-code-ka", "21")
    assert [(r["text"], r["internal"], r["detail"]) for r in own] == [("ამ მუხლის მე-2 პუნქტით", True, "მე-2 პუნქტით")]
    stats = store.citation_stats()
    assert stats["documents"]["ge-labour-code-ka"] == {"citations": 2, "resolved": 2}
    assert stats["documents"]["ge-ruling"] == {"citations": 2, "resolved": 1}
    assert stats["targets"] == {"ge-labour-code-ka:48": 2}


def test_citation_counts_are_kept_per_index_state_and_follow_writes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    keys = ["ge-labour-code-ka:48", "ge-labour-code-ka:21"]
    assert store.citation_counts(keys) == {"ge-labour-code-ka:48": 2}
    known = store._citation_counts.known(store._state())
    assert known == {"ge-labour-code-ka:48": 2, "ge-labour-code-ka:21": 0}  # kept, the zero too
    # another process cites article 21: the next call sees the new state and counts again
    writer = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    writer.replace_document("ge-ruling-2", _passages("ge-ruling-2", [("1", "შრომის კოდექსის 21-ე მუხლით")], "ka", "case_law"),
                            {"doc_id": "ge-ruling-2"})
    assert store.citation_counts(keys + keys) == {"ge-labour-code-ka:48": 2, "ge-labour-code-ka:21": 1}
    writer.delete_document("ge-ruling")
    assert store.citation_counts(keys) == {"ge-labour-code-ka:48": 1, "ge-labour-code-ka:21": 1}


def test_cites_filter_in_filters_and_retrieval(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cites = {"field": "meta.cites", "operator": "==", "value": "ge-labour-code-ka:48"}
    assert sorted(d.id for d in store.filter_documents(cites)) == ["ge-labour-code-ka#00000.00", "ge-ruling#00001.00"]
    assert [d.id for d in store.bm25_retrieval("შრომის კოდექსის", cites)] == ["ge-ruling#00001.00"]
    assert store.filter_documents({"field": "meta.cites", "operator": "in", "value": []}) == []
    assert len(store.filter_documents({"field": "meta.cites", "operator": "!=", "value": "ge-labour-code-ka:48"})) == 3


def test_replace_and_delete_take_citations_along(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.replace_document("ge-ruling", _passages("ge-ruling", [("1", "არაფერი")], "ka", "case_law"), {"doc_id": "ge-ruling"})
    assert [r["doc_id"] for r in store.cited_by("ge-labour-code-ka", "48")] == ["ge-labour-code-ka"]
    store.delete_document("ge-labour-code-ka")
    assert store.cited_by("ge-labour-code-ka", "48") == [] and store.citation_stats()["targets"] == {}
    rows = sqlite3.connect(tmp_path / "index.sqlite3").execute("SELECT count(*) FROM citations").fetchone()[0]
    assert rows == 0


def test_an_index_from_before_citations_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    EmbeddedDocumentStore(path).close()
    with sqlite3.connect(path) as conn:  # make it look like schema 1
        conn.execute("DROP TABLE citations")
        conn.execute("UPDATE store_state SET value = '1' WHERE key = 'schema_version'")
    store = EmbeddedDocumentStore(path)
    version = store._connection().execute("SELECT value FROM store_state WHERE key = 'schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION == 5
    assert store.citation_stats() == {"documents": {}, "targets": {}}

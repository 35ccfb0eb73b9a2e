"""Passages of one provision collapse into one result."""

from __future__ import annotations

from haystack import Document

from search_api.collapse import ProvisionCollapser, collapse_passages


def p(pid: str, doc: str, article: str, score: float, ranks: dict[str, int]) -> Document:
    return Document(id=pid, content=pid, score=score, meta={"doc_id": doc, "article": article, "ranks": ranks})


def test_max_passage_represents_the_provision() -> None:
    passages = [
        p("lft#67.0", "lft", "67", 0.2, {"bm25": 4}),
        p("lft#67.1", "lft", "67", 0.5, {"dense": 1}),
        p("lft#48.0", "lft", "48", 0.3, {"bm25": 1}),
        p("flsa#207.0", "flsa", "67", 0.1, {"dense": 9}),  # same label, other document
    ]
    out = collapse_passages(passages)
    assert [(d.meta["doc_id"], d.meta["article"]) for d in out] == [("lft", "67"), ("lft", "48"), ("flsa", "67")]
    assert out[0].id == "lft#67.1"
    assert out[0].meta["ranks"] == {"bm25": 4, "dense": 1}
    assert out[0].meta["passages_matched"] == 2


def test_component_cuts_to_top_k() -> None:
    passages = [p(f"d#{i}", "d", str(i), 1.0 / (i + 1), {}) for i in range(5)]
    assert len(ProvisionCollapser(top_k=3).run(documents=passages)["documents"]) == 3
    assert len(ProvisionCollapser(top_k=3).run(documents=passages, top_k=4)["documents"]) == 4

"""Metrics on a toy case checked by hand, and the judgments reader."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from search_api.evaluation import Judged, QrelsError, evaluate, load_qrels, run_for_query, subset_report

Q1 = Judged("q1", "es", "horas extra", (("lft", "67"), ("lft", "68")))
Q2 = Judged("q2", "en", "Mexico overtime", (("lft", "67"), ("flsa", "207")))
Q3 = Judged("q3", "ka", "ruling", (("ruling", "*"),))

RESULTS = {
    # q1: relevant at ranks 2 and 3
    "horas extra": [("lft", "1"), ("lft", "67"), ("lft", "68")],
    # q2: the English doc first (same language), the Spanish one at rank 4
    "Mexico overtime": [("flsa", "207"), ("x", "1"), ("x", "2"), ("lft", "67")],
    # q3: any passage of the ruling counts, once
    "ruling": [("ruling", "3"), ("ruling", "1"), ("lft", "5")],
}
LANGS = {"lft": "es", "flsa": "en", "ruling": "es", "x": "en"}


def log2(n: int) -> float:
    return math.log2(n)


def test_wildcard_judgment_counts_the_document_once() -> None:
    assert run_for_query(Q3, RESULTS["ruling"]) == {"ruling::*": 100.0, "lft::5": 98.0}


def test_metrics_by_hand() -> None:
    report = evaluate([Q1, Q2, Q3], lambda q: RESULTS[q], LANGS)
    ndcg_q1 = (1 / log2(3) + 1 / log2(4)) / (1 + 1 / log2(3))
    ndcg_q2 = (1 + 1 / log2(5)) / (1 + 1 / log2(3))
    ndcg_q3 = 1.0
    assert report["n_queries"] == 3
    assert report["overall"]["ndcg@10"] == pytest.approx((ndcg_q1 + ndcg_q2 + ndcg_q3) / 3, abs=1e-4)
    assert report["overall"]["mrr@10"] == pytest.approx((1 / 2 + 1 + 1) / 3, abs=1e-4)
    assert report["overall"]["recall@10"] == pytest.approx(1.0)
    assert report["by_lang"]["es"]["ndcg@10"] == pytest.approx(ndcg_q1, abs=1e-4)
    assert set(report["by_lang"]) == {"es", "en", "ka"}
    # cross-lingual: q2 judged only on lft::67 (Spanish, the query is English): found at rank 4;
    # q3 (Georgian query, Spanish ruling) found at rank 1. q1 is monolingual.
    assert report["n_cross_lingual"] == 2
    assert report["cross_lingual"]["mrr@10"] == pytest.approx((1 / 4 + 1) / 2, abs=1e-4)
    assert report["cross_lingual"]["ndcg@10"] == pytest.approx((1 / log2(5) + 1) / 2, abs=1e-4)
    assert set(report["overall"]) == {"ndcg@10", "recall@10", "recall@100", "mrr@10"}


def test_load_qrels(tmp_path: Path) -> None:
    good = tmp_path / "q.jsonl"
    good.write_text('{"id": "a", "lang": "es", "query": "x", "relevant": [{"doc": "d", "article": "1"}]}\n\n', "utf-8")
    assert load_qrels(good) == [Judged("a", "es", "x", (("d", "1"),))]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "query": "x", "relevant": [{"doc": "d", "article": "1"}]}\n{"id": "b"}\n', "utf-8")
    with pytest.raises(QrelsError, match=r"bad.jsonl:2"):
        load_qrels(bad)
    with pytest.raises(QrelsError, match="no judgments"):
        (tmp_path / "empty.jsonl").write_text("", "utf-8")
        load_qrels(tmp_path / "empty.jsonl")


@pytest.mark.parametrize(
    ("prefix", "ids"),
    [("q", ["q1", "q2", "q3"]), ("q1", ["q1"]), ("d", [])],
)
def test_subset_report_rescores_only_the_chosen_queries(prefix: str, ids: list[str]) -> None:
    full = evaluate([Q1, Q2, Q3], lambda text: RESULTS[text], LANGS)
    part = subset_report(full, [Q1, Q2, Q3], LANGS, prefix)
    assert [row["id"] for row in part["per_query"]] == ids
    alone = evaluate([q for q in (Q1, Q2, Q3) if q.query_id in ids], lambda text: RESULTS[text], LANGS)
    assert part["overall"]["ndcg@10"] == alone["overall"]["ndcg@10"]

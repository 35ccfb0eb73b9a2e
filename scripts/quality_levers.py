"""Measure each retrieval lever on relevance judgments and print the docs table.

Every row is a set of LABORLEX_* settings; the script runs them in one process (the model
loads once) and prints, for each row, the metrics and the equivalent `laborlex eval`
command. Usage:

    LABORLEX_DATA_DIR=... python scripts/quality_levers.py ../shared/eval/dev.jsonl
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from laborlex_core.settings import Settings
from laborlex_core.store import open_store
from search_api.evaluation import RUN_DEPTH, evaluate, load_qrels
from search_api.search import Searcher

OFF = {"weight_jurisdiction": 0, "weight_language_balance": 0, "weight_glossary": 0, "translation_depth": 0}
ROWS: list[tuple[str, str, dict]] = [
    ("plain RRF of BM25 and dense, k=60", "hybrid", {**OFF, "rrf_k": 60}),
    ("RRF k=10", "hybrid", {**OFF, "rrf_k": 10}),
    ("+ lists within a named jurisdiction", "hybrid", {**OFF, "rrf_k": 10, "weight_jurisdiction": 1.0}),
    ("+ dense lists per language (0.5)", "hybrid", {"rrf_k": 10, "weight_glossary": 0, "translation_depth": 0}),
    ("+ glossary BM25 in other languages (1.5)", "hybrid", {"rrf_k": 10, "translation_depth": 0}),
    ("+ other-language versions after the first 10 (default: 50 candidates per list)", "hybrid", {}),
    ("default without jurisdiction lists", "hybrid", {"weight_jurisdiction": 0}),
    ("default without per-language dense lists", "hybrid", {"weight_language_balance": 0}),
    ("default without glossary", "hybrid", {"weight_glossary": 0}),
    ("default, glossary weight 1.0", "hybrid", {"weight_glossary": 1.0}),
    ("default, per-language dense weight 1.0", "hybrid", {"weight_language_balance": 1.0}),
    ("default, RRF k=60", "hybrid", {"rrf_k": 60}),
    ("default, BM25 weight 0.5", "hybrid", {"weight_bm25": 0.5}),
    ("default, 100 candidates per list", "hybrid", {"candidates_per_retriever": 100}),
    ("default, 200 candidates per list", "hybrid", {"candidates_per_retriever": 200}),
    ("bm25 mode (default levers)", "bm25", {}),
    ("dense mode (default levers)", "dense", {}),
    ("bm25 mode, plain", "bm25", {**OFF}),
    ("dense mode, plain", "dense", {**OFF}),
]


def command(mode: str, overrides: dict) -> str:
    env = " ".join(f"LABORLEX_{k.upper()}={v}" for k, v in overrides.items())
    return f"{env} laborlex eval --qrels JUDGMENTS --mode {mode}".strip()


def main(qrels: Path) -> None:
    judgments = load_qrels(qrels)
    base = Settings()
    store = open_store(base)
    languages = {d["doc_id"]: d.get("language") for d in store.list_documents()}
    print("| change | mode | nDCG@10 | R@10 | es | en | ka | xl nDCG@10 | xl R@10 | command |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, mode, overrides in ROWS:
        searcher = Searcher(base.model_copy(update=overrides), store)

        def run(query: str, mode: str = mode, searcher: Searcher = searcher) -> list[tuple[str, str]]:
            return [(d.meta["doc_id"], str(d.meta["article"])) for d in searcher.search_documents(query, mode, top_k=RUN_DEPTH)]  # type: ignore[arg-type]

        report = evaluate(judgments, run, languages)
        by = {lang: values["ndcg@10"] for lang, values in report["by_lang"].items()}
        cells = [report["overall"]["ndcg@10"], report["overall"]["recall@10"], by.get("es"), by.get("en"), by.get("ka")]
        cells += [report["cross_lingual"]["ndcg@10"], report["cross_lingual"]["recall@10"]]
        numbers = " | ".join(f"{c:.3f}" if c is not None else "–" for c in cells)
        print(f"| {label} | {mode} | {numbers} | `{command(mode, overrides)}` |", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))

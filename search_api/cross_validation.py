"""K-fold cross-validation of the tuned retrieval settings.

The development judgments are few (about a hundred queries), so a weight chosen because it
scores best on all of them mostly describes those queries. Here every choice is made on the
training folds only and scored on the held-out fold; the held-out runs of all folds together
give the cross-validated figure, the one to trust for queries nobody has seen. The folds are
fixed by a seed and stratified by query language so each fold sees es, en and ka alike.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ir_measures
from ir_measures import nDCG

from search_api.evaluation import WILDCARD, Judged, evaluate, qrels_for_query, run_for_query

Results = list[tuple[str, str]]  # ranked (doc id, article)
Config = dict[str, Any]  # settings overrides, e.g. {"rrf_k": 20}
RunConfig = Callable[[Config], Mapping[str, Results]]  # config → results per query id

# The settings tuned by cross-validation and the values tried. Each lever has its "off" value
# in the grid, so that whether it helps is itself decided by cross-validation (and an
# ablation is a selection among the configurations with the lever off: see ``select``).
# Values are round and few: a finer grid would fit the training folds' noise. Fixed here to
# keep the sweep small, each chosen in every fold of an earlier sweep (docs/retrieval-quality.md):
# per-language dense lists 0.5 (of 0.25 / 0.5 / 1.0), instrument lists 0 (of 0 / 0.5), and from
# the 192-configuration sweep of the OpenVINO index: RRF k 10 (of 10 / 30), lists summed (of
# sum / max), BM25 and jurisdiction lists 1.0 (of 0.5 / 1.0), feedback lists 0 (of 0 / 1),
# term table 0 / 1 (2 never chosen). ``SWEPT_BEFORE`` keeps those values for a full re-sweep
# (``laborlex eval --cv 5 --grid full``).
TUNING_GRID: dict[str, tuple[Any, ...]] = {
    "weight_terms": (0.0, 1.0),
    "prior_non_operative": (1.0, 0.5),
    "query_filler": ("keep", "bm25", "all"),
    "query_adapter": (0.0, 0.25, 0.5),
}
SWEPT_BEFORE: dict[str, tuple[Any, ...]] = {
    "rrf_k": (10, 30),
    "fusion_within_family": ("sum", "max"),
    "weight_bm25": (0.5, 1.0),
    "weight_jurisdiction": (0.5, 1.0),
    "weight_terms": (0.0, 1.0, 2.0),
    "weight_feedback": (0.0, 1.0),
}

# Each lever's "off" value: an ablation keeps only the grid's configurations with it off.
LEVERS_OFF: dict[str, Any] = {
    "weight_terms": 0.0,
    "weight_feedback": 0.0,
    "weight_instrument": 0.0,
    "prior_non_operative": 1.0,
    "fusion_within_family": "sum",
    "query_filler": "keep",
    "query_adapter": 0.0,
}


def named_grid(name: str | None, extra: Mapping[str, Sequence[Any]] | None = None) -> dict[str, tuple[Any, ...]]:
    """The grid to sweep: ``TUNING_GRID`` (None or "default"), or with the earlier sweeps'
    values too ("full"); ``extra`` replaces or adds a setting's values (one lever at a time)."""
    if name not in (None, "default", "full"):
        raise ValueError(f"unknown grid {name!r}: default or full")
    grid = dict(TUNING_GRID)
    if name == "full":
        grid = {**SWEPT_BEFORE, **grid, "weight_terms": SWEPT_BEFORE["weight_terms"]}
    grid.update({key: tuple(values) for key, values in (extra or {}).items()})
    return grid


def ablations(swept: Sweep, doc_languages: Mapping[str, str], k: int = 5, seed: int = 13) -> dict[str, CrossValidation]:
    """The cross-validated result with all levers free, then with each lever held off."""
    rows = {"all levers": select(swept, doc_languages, k, seed)}
    for lever, off in LEVERS_OFF.items():
        if any(config.get(lever) == off for config in swept.configs):
            rows[f"without {lever}"] = select(swept, doc_languages, k, seed, keep=lambda c, n=lever, v=off: c.get(n) == v)
    return rows


def grid_configs(grid: Mapping[str, Sequence[Any]], first: Config | None = None) -> list[Config]:
    """Every combination of the grid's values; ``first`` (the defaults) leads, so that ties go to it."""
    names = sorted(grid)
    configs = [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]
    if first is not None:
        lead = {n: first[n] for n in names if n in first}
        configs = [lead] + [c for c in configs if c != lead]
    return configs


def stratified_folds(judgments: Sequence[Judged], k: int, seed: int = 13) -> list[list[str]]:
    """Query ids dealt into ``k`` folds, each language shuffled (fixed seed) and dealt in turn."""
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if k > len(judgments):
        raise ValueError(f"{k} folds for {len(judgments)} queries")
    rng = random.Random(seed)
    folds: list[list[str]] = [[] for _ in range(k)]
    position = 0
    for language in sorted({j.language for j in judgments}):
        ids = [j.query_id for j in judgments if j.language == language]
        rng.shuffle(ids)
        for query_id in ids:
            folds[position % k].append(query_id)
            position += 1
    return folds


def ndcg_per_query(judgments: Sequence[Judged], runs: Mapping[str, Results]) -> dict[str, float]:
    """nDCG@10 of each query's results (0 for a query with no results)."""
    qrels = {j.query_id: qrels_for_query(j) for j in judgments}
    run = {j.query_id: run_for_query(j, runs.get(j.query_id, [])) for j in judgments}
    scores = {j.query_id: 0.0 for j in judgments}
    for metric in ir_measures.iter_calc([nDCG @ 10], qrels, run):
        scores[metric.query_id] = float(metric.value)
    return scores


@dataclass(slots=True)
class CrossValidation:
    """What a cross-validated sweep found."""

    folds: list[list[str]]
    chosen: list[Config]  # the configuration each fold's training queries chose
    held_out: dict[str, Any]  # evaluate()'s report on the held-out runs of all folds
    full_choice: Config  # chosen on every query: the configuration to ship
    full_dev: dict[str, Any]  # evaluate()'s report of full_choice on every query (optimistic)
    grid_size: int


def best_config(configs: Sequence[Config], scores: Sequence[Mapping[str, float]], query_ids: Sequence[str]) -> int:
    """Index of the configuration with the highest mean score over ``query_ids`` (first wins ties)."""
    means = [sum(s[q] for q in query_ids) / max(len(query_ids), 1) for s in scores]
    return max(range(len(configs)), key=lambda i: (round(means[i], 6), -i))


@dataclass(slots=True)
class Sweep:
    """Every configuration's results and per-query nDCG@10, computed once; selections over
    any subset of the configurations (an ablation) reuse them."""

    judgments: list[Judged]
    configs: list[Config]
    runs: list[Mapping[str, Results]]
    scores: list[dict[str, float]]


def sweep(
    judgments: Sequence[Judged],
    run_config: RunConfig,
    configs: Sequence[Config],
    progress: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Run every configuration on every query."""
    judgments = list(judgments)
    runs: list[Mapping[str, Results]] = []
    scores: list[dict[str, float]] = []
    for number, config in enumerate(configs, start=1):
        results = run_config(config)
        runs.append(results)
        scores.append(ndcg_per_query(judgments, results))
        if progress:
            progress(number, len(configs))
    return Sweep(judgments, list(configs), runs, scores)


def select(
    swept: Sweep,
    doc_languages: Mapping[str, str],
    k: int = 5,
    seed: int = 13,
    keep: Callable[[Config], bool] = lambda config: True,
) -> CrossValidation:
    """Choose among the swept configurations that ``keep`` accepts on each fold's training
    queries (best mean nDCG@10), and score the choice on the held-out fold."""
    indices = [i for i, config in enumerate(swept.configs) if keep(config)]
    if not indices:
        raise ValueError("no configuration left to choose from")
    configs = [swept.configs[i] for i in indices]
    scores = [swept.scores[i] for i in indices]
    judgments = swept.judgments
    folds = stratified_folds(judgments, k, seed)
    chosen: list[Config] = []
    held_out: dict[str, Results] = {}
    for fold in folds:
        training = [j.query_id for j in judgments if j.query_id not in set(fold)]
        index = best_config(configs, scores, training)
        chosen.append(dict(configs[index]))
        held_out.update({query_id: list(swept.runs[indices[index]].get(query_id, [])) for query_id in fold})
    full = best_config(configs, scores, [j.query_id for j in judgments])
    by_id = {j.query_id: j for j in judgments}

    def replay(source: Mapping[str, Results]) -> dict[str, Any]:
        texts = {by_id[q].query: q for q in by_id}
        return evaluate(judgments, lambda query: list(source.get(texts[query], [])), dict(doc_languages))

    return CrossValidation(folds, chosen, replay(held_out), dict(configs[full]), replay(swept.runs[indices[full]]), len(configs))


def cross_validate(
    judgments: Sequence[Judged],
    run_config: RunConfig,
    configs: Sequence[Config],
    doc_languages: Mapping[str, str],
    k: int = 5,
    seed: int = 13,
    progress: Callable[[int, int], None] | None = None,
) -> CrossValidation:
    """Choose a configuration on each fold's training queries, score it on the fold.

    Every configuration is run once on every query (``run_config``); the choice per fold is
    the best mean nDCG@10 on the other folds' queries.
    """
    return select(sweep(judgments, run_config, configs, progress), doc_languages, k, seed)


def sweep_settings(
    settings: Any,
    store: Any,
    judgments: Sequence[Judged],
    mode: str,
    grid: Mapping[str, Sequence[Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Run every configuration of ``grid`` (default: TUNING_GRID) through the real query
    pipeline on every query; each ranked list is fetched once (``MemoizedStore``), since the
    lists do not depend on the weights. The settings' own values lead, so ties go to them."""
    from laborlex_core.store.memo import MemoizedStore
    from search_api.evaluation import RUN_DEPTH
    from search_api.search import Searcher

    memo = MemoizedStore(store)
    configs = grid_configs(grid if grid is not None else TUNING_GRID, first=settings.model_dump())

    def run_config(config: Config) -> dict[str, Results]:
        searcher = Searcher(settings.model_copy(update=config), memo)
        return {
            j.query_id: [(d.meta["doc_id"], str(d.meta["article"])) for d in searcher.search_documents(j.query, mode, top_k=RUN_DEPTH)]  # type: ignore[arg-type]
            for j in judgments
        }

    return sweep(judgments, run_config, configs, progress=progress)


def is_relevant(judged: Judged, doc_id: str, article: str) -> bool:
    """Whether a provision answers a judged query (a "*" judgment accepts the whole document)."""
    return (doc_id, article) in judged.relevant or (doc_id, WILDCARD) in judged.relevant


def training_rows(judgments: Sequence[Judged], candidates: Mapping[str, Sequence[Any]], depth: int) -> tuple[Any, Any]:
    """Feature rows and 0/1 labels of the first ``depth`` candidates of every judged query."""
    import numpy as np

    from search_api.branches import profile_query
    from search_api.learned_rank import candidate_features

    rows: list[list[float]] = []
    labels: list[int] = []
    for judged in judgments:
        language = profile_query(judged.query).language
        for position, document in enumerate(list(candidates.get(judged.query_id, []))[:depth]):
            rows.append(candidate_features(document, position, language))
            labels.append(int(is_relevant(judged, str(document.meta["doc_id"]), str(document.meta["article"]))))
    return np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=np.int64)


@dataclass(slots=True)
class LearnedRankCV:
    """The learned re-ranker, fitted on each fold's training queries and scored on the fold."""

    folds: list[list[str]]
    weights: list[dict[str, Any]]  # fitted per fold
    held_out: dict[str, Any]  # evaluate()'s report of the re-ranked held-out runs
    baseline: dict[str, Any]  # the same candidates in fused order (what the re-ranker must beat)


def learned_rank_cv(
    judgments: Sequence[Judged],
    candidates: Mapping[str, Sequence[Any]],
    finish: Callable[[str, list[Any]], Results],
    doc_languages: Mapping[str, str],
    k: int = 5,
    seed: int = 13,
    depth: int | None = None,
) -> LearnedRankCV:
    """Cross-validate the learned re-ranker: for each fold, fit on the other folds' judged
    candidates, re-rank the fold's candidates, ``finish`` them (other-language versions, cut)."""
    from search_api.branches import profile_query
    from search_api.learned_rank import RERANK_DEPTH, fit_linear, rerank

    depth = depth or RERANK_DEPTH
    judgments = list(judgments)
    folds = stratified_folds(judgments, k, seed)
    by_id = {j.query_id: j for j in judgments}
    held_out: dict[str, Results] = {}
    fitted: list[dict[str, Any]] = []
    for fold in folds:
        inside = set(fold)
        features, labels = training_rows([j for j in judgments if j.query_id not in inside], candidates, depth)
        try:
            weights: dict[str, Any] | None = fit_linear(features, labels)
        except ValueError:  # no relevant candidate in the training folds: nothing to learn, fused order
            weights = None
        fitted.append(weights or {})
        for query_id in fold:
            language = profile_query(by_id[query_id].query).language
            documents = list(candidates.get(query_id, []))
            held_out[query_id] = finish(query_id, rerank(documents, weights, language, depth) if weights else documents)
    plain = {q: finish(q, list(candidates.get(q, []))) for q in by_id}

    def replay(source: Mapping[str, Results]) -> dict[str, Any]:
        texts = {by_id[q].query: q for q in by_id}
        return evaluate(judgments, lambda query: list(source.get(texts[query], [])), dict(doc_languages))

    return LearnedRankCV(folds, fitted, replay(held_out), replay(plain))


def collapsed_candidates(settings: Any, store: Any, judgments: Sequence[Judged], mode: str = "hybrid") -> tuple[dict[str, list[Any]], Callable[[str, list[Any]], Results]]:
    """Each query's provisions as fused and collapsed by the settings' pipeline (re-ranker off),
    to ``RUN_DEPTH``, and the step that finishes a (re-)ranked list as search does: the
    other-language versions of the first results, then the evaluation's cut."""
    from search_api.evaluation import RUN_DEPTH
    from search_api.pipeline import build_query_pipeline, pipeline_inputs
    from search_api.translations import TranslationExpander

    plain = settings.model_copy(update={"rerank": "off"})
    pipeline = build_query_pipeline(mode, plain, store)  # type: ignore[arg-type]
    candidates: dict[str, list[Any]] = {}
    for judged in judgments:
        inputs = pipeline_inputs(mode, plain, judged.query, None, RUN_DEPTH)  # type: ignore[arg-type]
        outputs = pipeline.run(inputs, include_outputs_from={"collapse"})
        candidates[judged.query_id] = list(outputs["collapse"]["documents"])
    expander = TranslationExpander(store, depth=settings.translation_depth)

    def finish(query_id: str, documents: list[Any]) -> Results:
        finished = expander.run(documents=documents, filters=None, top_k=RUN_DEPTH)["documents"]
        return [(str(d.meta["doc_id"]), str(d.meta["article"])) for d in finished]

    return candidates, finish

"""Cross-validated choice of settings: folds, selection on training queries only."""

from __future__ import annotations

from collections import Counter

import pytest

from search_api.cross_validation import best_config, cross_validate, grid_configs, ndcg_per_query, select, stratified_folds, sweep
from search_api.evaluation import Judged


def judged(query_id: str, language: str, doc: str) -> Judged:
    return Judged(query_id, language, f"query {query_id}", ((doc, "1"),))


JUDGMENTS = [judged(f"{lang}{i}", lang, f"doc-{lang}{i}") for lang in ("es", "en", "ka") for i in range(6)]


def test_folds_cover_every_query_once_and_spread_languages() -> None:
    folds = stratified_folds(JUDGMENTS, k=3, seed=7)
    ids = [q for fold in folds for q in fold]
    assert sorted(ids) == sorted(j.query_id for j in JUDGMENTS)
    for fold in folds:
        assert Counter(q[:2] for q in fold) == {"es": 2, "en": 2, "ka": 2}
    assert stratified_folds(JUDGMENTS, k=3, seed=7) == folds  # fixed by the seed
    assert stratified_folds(JUDGMENTS, k=3, seed=8) != folds


@pytest.mark.parametrize("k", [1, 0, 100])
def test_folds_refuse_impossible_k(k: int) -> None:
    with pytest.raises(ValueError):
        stratified_folds(JUDGMENTS, k=k)


def test_grid_puts_the_defaults_first() -> None:
    configs = grid_configs({"a": (1, 2), "b": (3, 4)}, first={"a": 2, "b": 4, "other": 0})
    assert configs[0] == {"a": 2, "b": 4}
    assert len(configs) == 4 and len({tuple(sorted(c.items())) for c in configs}) == 4


def test_best_config_prefers_the_first_on_ties() -> None:
    scores = [{"q": 0.5}, {"q": 0.5}, {"q": 0.4}]
    assert best_config([{}, {}, {}], scores, ["q"]) == 0
    assert best_config([{}, {}, {}], [{"q": 0.1}, {"q": 0.5}, {"q": 0.4}], ["q"]) == 1


def test_ndcg_per_query() -> None:
    scores = ndcg_per_query(JUDGMENTS[:2], {"es0": [("doc-es0", "1")], "es1": [("x", "1"), ("doc-es1", "1")]})
    assert scores["es0"] == pytest.approx(1.0)
    assert 0 < scores["es1"] < 1


def test_choice_is_made_on_training_folds_only() -> None:
    """Config "good" answers every query; config "lucky" answers only Georgian ones but is
    listed first. Every fold's training queries choose "good", so held-out scores are perfect."""

    def run_config(config: dict) -> dict[str, list[tuple[str, str]]]:
        return {
            j.query_id: [(j.relevant[0][0], "1")] if config["name"] == "good" or j.language == "ka" else [("miss", "1")]
            for j in JUDGMENTS
        }

    result = cross_validate(JUDGMENTS, run_config, [{"name": "lucky"}, {"name": "good"}], {}, k=3)
    assert result.chosen == [{"name": "good"}] * 3
    assert result.full_choice == {"name": "good"}
    assert result.held_out["overall"]["ndcg@10"] == pytest.approx(1.0)
    assert result.grid_size == 2


def test_held_out_figure_is_lower_than_the_optimistic_one_when_choices_overfit() -> None:
    """Each config is perfect on exactly one query: the full-dev choice looks better than
    what any fold can choose for its held-out queries."""
    few = JUDGMENTS[:6]

    def run_config(config: dict) -> dict[str, list[tuple[str, str]]]:
        return {j.query_id: [(j.relevant[0][0], "1")] if j.query_id == config["only"] else [] for j in few}

    configs = [{"only": j.query_id} for j in few]
    result = cross_validate(few, run_config, configs, {}, k=3)
    assert result.full_dev["overall"]["ndcg@10"] > result.held_out["overall"]["ndcg@10"]


def test_an_ablation_chooses_only_among_the_kept_configurations() -> None:
    def run_config(config: dict) -> dict[str, list[tuple[str, str]]]:
        return {j.query_id: [(j.relevant[0][0], "1")] if config["lever"] == "on" else [("miss", "1")] for j in JUDGMENTS}

    swept = sweep(JUDGMENTS, run_config, [{"lever": "off"}, {"lever": "on"}])
    assert select(swept, {}, k=3).held_out["overall"]["ndcg@10"] == pytest.approx(1.0)
    without = select(swept, {}, k=3, keep=lambda c: c["lever"] == "off")
    assert without.held_out["overall"]["ndcg@10"] == 0.0 and without.grid_size == 1
    with pytest.raises(ValueError):
        select(swept, {}, k=3, keep=lambda c: False)


def test_every_lever_in_the_grid_has_its_off_value_and_a_setting() -> None:
    from laborlex_core.settings import Settings
    from search_api.cross_validation import LEVERS_OFF, TUNING_GRID

    for name, values in TUNING_GRID.items():
        assert name in Settings.model_fields, name
        assert Settings.model_fields[name].default in values, name  # the shipped default was among those tried
        if name in LEVERS_OFF:
            assert LEVERS_OFF[name] in values, name


@pytest.mark.parametrize(
    ("name", "extra", "expected"),
    [
        (None, None, {"query_adapter": (0.0, 0.25, 0.5)}),
        ("full", None, {"rrf_k": (10, 30), "weight_terms": (0.0, 1.0, 2.0)}),
        (None, {"query_filler": ["keep"]}, {"query_filler": ("keep",), "prior_non_operative": (1.0, 0.5)}),
    ],
)
def test_named_grid(name, extra, expected: dict) -> None:
    from search_api.cross_validation import named_grid

    grid = named_grid(name, extra)
    for key, values in expected.items():
        assert grid[key] == values


def test_named_grid_refuses_unknown_names() -> None:
    from search_api.cross_validation import named_grid

    with pytest.raises(ValueError, match="unknown grid"):
        named_grid("everything")

"""The query pipelines as assembled (search_api/pipeline.py): which components each holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from haystack import Pipeline

from laborlex_core.ordered_pipeline import OrderedPipeline
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.pipeline import build_query_pipeline, output_component, pipeline_inputs

COMMON = {"fusion", "collapse", "translations"}


@pytest.mark.parametrize(
    ("mode", "changes", "components"),
    [
        ("hybrid", {}, COMMON | {"query_embedder", "branches"}),  # every list in one batch of the store's
        ("hybrid", {"weight_feedback": 0.5}, COMMON | {"query_embedder", "branches", "feedback"}),
        ("bm25", {"weight_feedback": 0.5}, COMMON | {"lexical"}),  # feedback reads dense lists: hybrid only
        ("dense", {}, COMMON | {"query_embedder", "semantic"}),
        ("hybrid", {"rerank": "linear"}, COMMON | {"query_embedder", "branches", "rerank"}),
    ],
)
def test_a_pipeline_holds_the_components_its_settings_weigh(mode: str, changes: dict, components: set[str], tmp_path: Path) -> None:
    """A branch of zero weight is not assembled (an idle component still costs a run of its
    own), and the run inputs name exactly the components that take the user's input."""
    settings = Settings(data_dir=tmp_path).model_copy(update=changes)
    pipeline = build_query_pipeline(mode, settings, EmbeddedDocumentStore(tmp_path / "index.sqlite3"))  # type: ignore[arg-type]
    assert set(pipeline.graph.nodes) == components
    inputs = pipeline_inputs(mode, settings, "horas extra", None, 10)  # type: ignore[arg-type]
    assert set(inputs) <= components
    assert ("feedback" in inputs) == ("feedback" in components)


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
@pytest.mark.parametrize("filters", [None, {"field": "meta.language", "operator": "==", "value": "es"}])
def test_run_in_order_it_ranks_as_haystacks_run(mode: str, filters: dict | None, api_settings: Settings) -> None:
    """The same provisions with the same scores, and the query vector handed out the same way,
    whether the pipeline runs in its fixed order or by Haystack's scheduler."""
    store = EmbeddedDocumentStore(api_settings.store_path)
    pipeline = build_query_pipeline(mode, api_settings, store)  # type: ignore[arg-type]
    assert isinstance(pipeline, OrderedPipeline)
    inputs = pipeline_inputs(mode, api_settings, "trabajo infantil peligroso", filters, 10)  # type: ignore[arg-type]
    include = {"query_embedder"} if "query_embedder" in inputs else None
    ordered, scheduled = pipeline.run(inputs, include), Pipeline.run(pipeline, inputs, include)
    assert set(ordered) == set(scheduled)
    last = output_component(mode, api_settings)  # type: ignore[arg-type]
    ranked = [(d.id, d.score, d.meta.get("ranks")) for d in ordered[last]["documents"]]
    assert ranked and ranked == [(d.id, d.score, d.meta.get("ranks")) for d in scheduled[last]["documents"]]
    if include:
        assert list(ordered["query_embedder"]["embedding"]) == list(scheduled["query_embedder"]["embedding"])

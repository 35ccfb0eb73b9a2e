"""The query pipelines as assembled (search_api/pipeline.py): which components each holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.pipeline import build_query_pipeline, pipeline_inputs

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
    """A branch of zero weight is not assembled (an idle component still costs Haystack's
    scheduling), and the run inputs name exactly the components that take the user's input."""
    settings = Settings(data_dir=tmp_path).model_copy(update=changes)
    pipeline = build_query_pipeline(mode, settings, EmbeddedDocumentStore(tmp_path / "index.sqlite3"))  # type: ignore[arg-type]
    assert set(pipeline.graph.nodes) == components
    inputs = pipeline_inputs(mode, settings, "horas extra", None, 10)  # type: ignore[arg-type]
    assert set(inputs) <= components
    assert ("feedback" in inputs) == ("feedback" in components)

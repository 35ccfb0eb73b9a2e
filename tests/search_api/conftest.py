"""A real index over a slice of the real corpus, shared by the API tests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ingest.pipeline import ingest_path
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.conftest import CORPUS_DIR, MANIFEST_PATH, shared_model_dir

API_SLICE = (
    "ilo-c182-es", "ilo-c182-ka", "ilo-c182-en", "hn-codigo-trabajo-es", "usmca-ch23-en",
    "ge-labour-code-en", "mx-scjn-tesis-181711-es", "us-scotus-encino-motorcars-v-navarro-2018-en",
)


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over an index of API_SLICE, built once per test session."""
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    data_dir = tmp_path_factory.mktemp("api-index")
    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    manifest = data_dir / "manifest.json"
    manifest.write_text(
        json.dumps([{**entries[i], "file": str(CORPUS_DIR / entries[i]["file"])} for i in API_SLICE]), "utf-8"
    )
    settings = Settings(data_dir=data_dir, model_dir=shared_model_dir(), api_token="s3cret-token")
    report = ingest_path(manifest, settings, EmbeddedDocumentStore(settings.store_path))
    assert not report.failures, report.failures
    return settings


@pytest.fixture(scope="session")
def corpus_slice_files() -> dict[str, Path]:
    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    return {i: CORPUS_DIR / entries[i]["file"] for i in API_SLICE}


@pytest.fixture(scope="session")
def legacy_api_settings(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the slice index as one made before snippet sentence vectors were stored
    (their table emptied): its snippets take the on-demand path (search_api.sentence_vectors)."""
    data_dir = tmp_path_factory.mktemp("legacy-index")
    settings = api_settings.model_copy(update={"data_dir": data_dir})
    with sqlite3.connect(api_settings.store_path) as source, sqlite3.connect(settings.store_path) as target:
        source.backup(target)
        target.execute("DELETE FROM sentence_vectors")
    return settings

"""``laborlex stats --citations`` on a small real-sentence index (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from laborlex.cli import app
from laborlex_core.settings import get_settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.laborlex_core.store.test_citations_store import GE, _passages


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LABORLEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    store.replace_document("ge-labour-code-ka", _passages("ge-labour-code-ka", GE, "ka", "statute"), {"doc_id": "ge-labour-code-ka", "title": "საქართველოს შრომის კოდექსი", "language": "ka"})
    store.close()
    yield tmp_path
    get_settings.cache_clear()


def test_stats_citations_reports_documents_share_and_most_cited(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["stats", "--citations"])
    assert result.exit_code == 0, result.output
    assert "ge-labour-code-ka" in result.output and "100%" in result.output
    assert "2 citations, 2 resolved (100.0%)" in result.output
    assert "1. " in result.output and "(ge-labour-code-ka:48)" in result.output

    as_json = json.loads(CliRunner().invoke(app, ["stats", "--citations", "--json"]).output)
    assert as_json["top"] == [{"key": "ge-labour-code-ka:48", "cited_by": 1, "citation": as_json["top"][0]["citation"]}]
    assert as_json["cited_provisions_indexed"] == 1


def test_reextract_rebuilds_citations_of_an_old_index(data_dir: Path) -> None:
    import sqlite3

    with sqlite3.connect(data_dir / "index.sqlite3") as conn:  # as if written before citations
        conn.execute("DELETE FROM citations")
    assert "0 citations" in CliRunner().invoke(app, ["stats", "--citations"]).output
    result = CliRunner().invoke(app, ["stats", "--citations", "--reextract"])
    assert result.exit_code == 0 and "2 citations, 2 resolved" in result.output

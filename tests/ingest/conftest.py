"""Fixtures shared by the reader and structure tests: the real corpus read once per session.

The 331-page LFT PDF takes ~20 s to parse; the reader tests (``lft_source``) and the structure
tests (``real_sources``) both need it, so it is parsed once here for both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from laborlex_core.schema import DocumentMeta, SourceText
from laborlex_core.settings import Settings


def meta_for(entry: dict) -> DocumentMeta:
    return DocumentMeta(
        doc_id=entry["id"],
        title=entry["title"],
        language=entry["language"],
        jurisdiction=entry["jurisdiction"],
        kind=entry["kind"],
        date=entry["date"],
        source=entry["file"],
        completeness=entry["completeness"],
    )


@pytest.fixture(scope="session")
def document_meta() -> Callable[[dict], DocumentMeta]:
    """``DocumentMeta`` from a manifest entry (as a fixture: tests do not import conftest)."""
    return meta_for


@pytest.fixture(scope="session")
def real_sources(
    corpus_dir: Path,
    manifest_entries: dict[str, dict],
    document_meta: Callable[[dict], DocumentMeta],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, SourceText]:
    """Every document of the real corpus through ``ingest.readers.read_source`` (PDFs parsed
    with the default two workers), once per session."""
    from ingest.readers import read_source

    settings = Settings(data_dir=tmp_path_factory.mktemp("real-sources-data"))
    return {
        doc_id: read_source(corpus_dir / e["file"], document_meta(e), settings)
        for doc_id, e in manifest_entries.items()
    }

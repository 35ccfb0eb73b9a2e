"""The real corpus as ``SourceText``s, for the structure tests.

Fast path: text files are read as they are, PDFs are taken from their pdftotext rendering in
``pdf-text/`` and the SJF JSON is rendered in the reader's "Registro digital: N" form, so the
splitter is tested on every document without parsing PDFs. ``test_structure_real_readers``
goes through ``ingest.readers.read_source`` instead (``real_sources``, in ``tests/ingest/conftest.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from laborlex_core.schema import DocumentMeta, Provision, SourceText

from ingest.structure import split_provisions

REGISTRY_PREFIX = "Registro digital: "  # the readers' contract, checked in test_structure_real_readers


def _render_rulings_json(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [x for v in data.values() if isinstance(v, list) for x in v]
    return "\n\n".join(f"{REGISTRY_PREFIX}{x['registro_digital']}\n{x['rubro']}" for x in items)


def fast_text(corpus_dir: Path, entry: dict) -> str:
    path = corpus_dir / entry["file"]
    if path.suffix == ".pdf":
        return (corpus_dir / "pdf-text" / f"{path.stem}.txt").read_text(encoding="utf-8")
    if path.suffix == ".json":
        return _render_rulings_json(path)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def registry_prefix() -> str:
    return REGISTRY_PREFIX


@pytest.fixture(scope="session")
def corpus_sources(
    corpus_dir: Path, manifest_entries: dict[str, dict], document_meta: Callable[[dict], DocumentMeta]
) -> dict[str, SourceText]:
    return {doc_id: SourceText(document_meta(e), fast_text(corpus_dir, e)) for doc_id, e in manifest_entries.items()}


@pytest.fixture(scope="session")
def corpus_provisions(corpus_sources: dict[str, SourceText]) -> dict[str, list[Provision]]:
    return {doc_id: split_provisions(src) for doc_id, src in corpus_sources.items()}


@pytest.fixture(scope="session")
def dev_judgments(corpus_dir: Path) -> list[tuple[str, str, str]]:
    """(query id, doc, article) for every judgment that names an article."""
    path = corpus_dir.parent / "eval" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"no development judgments at {path}")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            query = json.loads(line)
            out.extend((query["id"], r["doc"], r["article"]) for r in query["relevant"] if r["article"] != "*")
    return out

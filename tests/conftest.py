"""Shared fixtures: where the real corpus lives, and isolated settings for each test."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from laborlex_core.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("LABORLEX_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()
CORPUS_DIR = SHARED_DIR / "corpus"
DOCS_DIR = CORPUS_DIR / "docs"
PDF_TEXT_DIR = CORPUS_DIR / "pdf-text"
MANIFEST_PATH = CORPUS_DIR / "manifest.json"
DEV_QRELS = SHARED_DIR / "eval" / "dev.jsonl"


VECTOR_CACHE_ENV = "LABORLEX_VECTOR_CACHE_FILE"
_session_cache_dir: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    """One vector cache for the session, in this process and every CLI or server it starts.

    The suite builds many small indexes of the same real passages (the API, UI and backend
    slices, the whole corpus); each passage goes through the real model once, not once per
    index. Tests about the cache itself ask for ``private_vector_cache``.
    """
    global _session_cache_dir
    if VECTOR_CACHE_ENV not in os.environ:
        _session_cache_dir = Path(tempfile.mkdtemp(prefix="laborlex-test-vectors-"))
        os.environ[VECTOR_CACHE_ENV] = str(_session_cache_dir / "vectors.sqlite3")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session_cache_dir is not None:
        os.environ.pop(VECTOR_CACHE_ENV, None)
        shutil.rmtree(_session_cache_dir, ignore_errors=True)


@pytest.fixture()
def private_vector_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index's own vector cache, for tests that count what the model embedded."""
    monkeypatch.delenv(VECTOR_CACHE_ENV, raising=False)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def manifest_entries(corpus_dir: Path) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))}


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings with a private data dir; the model dir is shared so the model is built once."""
    return Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir())


def shared_model_dir() -> Path:
    return Settings().resolved_model_dir

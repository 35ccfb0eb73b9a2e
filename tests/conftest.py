"""Shared fixtures: where the real corpus lives, and isolated settings for each test."""

from __future__ import annotations

import json
import os
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

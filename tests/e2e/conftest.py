"""End-to-end fixtures: the real CLI, the real model, the real corpus, run as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CORPUS_DIR, MANIFEST_PATH, shared_model_dir

LABORLEX = [sys.executable, "-m", "laborlex.cli"]


def cli_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LABORLEX_DATA_DIR": str(data_dir),
            "LABORLEX_MODEL_DIR": str(shared_model_dir()),
            "HF_HUB_OFFLINE": "1",
        }
    )
    return env


def run_cli(data_dir: Path, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LABORLEX, *args], env=cli_env(data_dir), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def write_manifest_slice(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[str]], Path]:
    """A manifest listing some documents of the real corpus, pointing at the real files."""
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}

    def write(ids: list[str]) -> Path:
        folder = tmp_path_factory.mktemp("slice")
        chosen = [{**entries[i], "file": str(CORPUS_DIR / entries[i]["file"])} for i in ids]
        path = folder / "manifest.json"
        path.write_text(json.dumps(chosen, ensure_ascii=False), "utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def full_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The whole real corpus ingested once through the CLI."""
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    data_dir = tmp_path_factory.mktemp("full-index")
    # Its tests evaluate rankings and show no snippet: storing the whole corpus's ~9.8k snippet
    # sentence vectors would add a model pass to the suite for nothing (the slices cover them).
    env = {**cli_env(data_dir), "LABORLEX_SNIPPET_VECTORS": "false"}
    result = subprocess.run([*LABORLEX, "ingest", str(CORPUS_DIR)], env=env, capture_output=True, text=True, timeout=1200)
    return data_dir, result

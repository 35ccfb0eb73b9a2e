"""kill -9 of `laborlex ingest` mid-run (issue 17): the documents already written are whole,
the index is sound, no PDF worker outlives the ingest, and a re-run skips what was complete.

The ingest runs as a real process over a small real document followed by the 331-page LFT
PDF: the kill lands while the PDF workers are parsing, right after the first document was
committed (the test waits for it in the index, no sleeps).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import ingest_path
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.conftest import CORPUS_DIR, MANIFEST_PATH, shared_model_dir

pytestmark = pytest.mark.slow


def documents(store_path: Path) -> dict[str, int]:
    if not store_path.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=5) as conn:
            return dict(conn.execute("SELECT doc_id, passages FROM documents").fetchall())
    except sqlite3.OperationalError:  # schema not written yet
        return {}


def workers_of(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if b"pdf_pages.py" in (proc / "cmdline").read_bytes() and f"LABORLEX_PDF_PARENT={pid}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def test_killed_ingest_keeps_whole_documents_and_resumes(tmp_path: Path) -> None:
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(
        [{**entries[i], "file": str(CORPUS_DIR / entries[i]["file"])} for i in ("ilo-c182-en", "mx-lft-es")]
    ), "utf-8")
    data_dir = tmp_path / "data"
    env = {**os.environ, "LABORLEX_DATA_DIR": str(data_dir), "LABORLEX_MODEL_DIR": str(shared_model_dir()),
           "HF_HUB_OFFLINE": "1", "LABORLEX_PARSE_WORKERS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "laborlex.cli", "ingest", str(manifest)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store_path = data_dir / "index.sqlite3"
    deadline = time.monotonic() + 600
    while proc.poll() is None and "ilo-c182-en" not in documents(store_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    seen_workers = False
    while proc.poll() is None and not seen_workers and time.monotonic() < deadline:
        seen_workers = bool(workers_of(proc.pid))  # the LFT is being parsed
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest ended before it could be killed mid-run"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(100):  # the workers get SIGKILL from the kernel when their parent dies
        if not workers_of(proc.pid):
            break
        time.sleep(0.05)
    assert workers_of(proc.pid) == []

    with sqlite3.connect(store_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counted = dict(conn.execute("SELECT doc_id, COUNT(*) FROM passages GROUP BY doc_id").fetchall())
    assert documents(store_path) == counted  # no half document
    assert set(counted) == {"ilo-c182-en"}  # the LFT was in flight: nothing of it went in

    settings = Settings(data_dir=data_dir, model_dir=shared_model_dir())
    store = EmbeddedDocumentStore(settings.store_path)
    small = tmp_path / "small.json"  # resume over the committed document only (the LFT costs minutes)
    small.write_text(json.dumps(json.loads(manifest.read_text("utf-8"))[:1]), "utf-8")
    again = ingest_path(small, settings, store)
    assert again.unchanged == ["ilo-c182-en"] and again.embedded == 0 and not again.failures
    assert store.count_documents() == counted["ilo-c182-en"]  # the index opens and holds it whole

"""The reliability benchmark (issue 17) run as its README says, briefly, over the whole corpus.

Short legs (3 s, 1 and 4 clients), no ingest or kill legs: this checks that the script runs
from a checkout and writes the figures the README's table comes from, not the figures
themselves (timings depend on the machine and are never asserted).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEV_QRELS, MANIFEST_PATH
from tests.e2e.conftest import cli_env
from tests.ui.servers import free_port

pytestmark = pytest.mark.slow


def test_reliability_benchmark_writes_every_leg(full_index: tuple[Path, object], tmp_path: Path) -> None:
    data_dir, _ = full_index
    out = tmp_path / "reliability.json"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.reliability", "--seconds", "3", "--clients", "1,4", "--no-ingest", "--no-crash",
         "--port", str(free_port()), "--json", str(out), "--corpus", str(MANIFEST_PATH.parent), "--qrels", str(DEV_QRELS)],
        env=cli_env(data_dir), capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text("utf-8"))
    legs = data["closed_loop"]
    assert set(legs) == {"1", "4"}
    for leg in legs.values():
        assert leg["requests"] > 0 and leg["errors_5xx"] == 0 and leg["failed_connections"] == 0
        assert set(leg["per_mode"]) == {"hybrid", "bm25", "dense"}
    assert data["open_loop"]["requests"] > 0 and data["open_loop"]["errors_5xx"] == 0
    assert isinstance(data["open_loop"]["p95_over_idle_p95"], float)
    assert len(data["hostile"]) == 30 and all(0 < h["status"] < 500 for h in data["hostile"])
    assert isinstance(data["memory_growth_after_warmup"], float) and data["memory_mb_over_time"]
    assert "| 4 clients, closed loop |" in result.stdout  # the table the README shows

"""`laborlex opensearch local start|stop|status` (scripts/opensearch-local.sh) as subprocesses.

Starting a node from nothing takes a Maven fetch and half a minute of JVM start, so it is done
once, by .ci/run; here: status on a port where nothing runs, the usage error, and — when
OPENSEARCH_URL names a node this script started — that `start` again only reports it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO_ROOT
from tests.ui.servers import free_port

SCRIPT = REPO_ROOT / "scripts" / "opensearch-local.sh"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "laborlex.cli", "opensearch", "local", *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )


def test_script_is_valid_bash() -> None:
    assert subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True).returncode == 0


def test_status_where_nothing_runs() -> None:
    port = free_port()
    result = _cli("status", "--port", str(port))
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"not running (port {port})" in result.stdout


def test_stop_where_nothing_runs_is_a_no_op() -> None:
    assert _cli("stop", "--port", str(free_port())).returncode == 0


def test_stop_after_the_node_is_gone_is_a_no_op(tmp_path) -> None:
    """State left by a stopped (or killed) node: stop again exits 0 (pgrep finding nothing is fine)."""
    port = free_port()
    (tmp_path / "nodes" / str(port) / "node0").mkdir(parents=True)
    (tmp_path / "nodes" / str(port) / "nodes").write_text("1\n")
    env = {**os.environ, "LABORLEX_OPENSEARCH_LOCAL_HOME": str(tmp_path)}
    result = subprocess.run(["bash", str(SCRIPT), "stop", "--port", str(port)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"stopped OpenSearch on port {port}" in result.stderr
    pid = subprocess.run(["bash", str(SCRIPT), "pid", "--port", str(port)], env=env, capture_output=True, text=True)
    assert pid.returncode == 0 and pid.stdout == ""


def test_unknown_action_prints_usage() -> None:
    result = subprocess.run(["bash", str(SCRIPT), "launch"], capture_output=True, text=True)
    assert result.returncode == 1 and "usage:" in result.stderr


def test_second_start_reports_the_running_node() -> None:
    url = os.environ.get("OPENSEARCH_URL", "")
    parsed = urlparse(url)
    if parsed.hostname != "127.0.0.1" or not parsed.port:
        pytest.skip("needs OPENSEARCH_URL=http://127.0.0.1:<port> of a node started by this script (.ci/run)")
    status = _cli("status", "--port", str(parsed.port))
    assert status.returncode == 0 and f"OPENSEARCH_URL=http://127.0.0.1:{parsed.port}" in status.stdout
    assert '"status":"green"' in status.stdout or '"status":"yellow"' in status.stdout
    again = _cli("start", "--port", str(parsed.port))
    assert again.returncode == 0, again.stderr
    assert f"OPENSEARCH_URL=http://127.0.0.1:{parsed.port}" in again.stdout
    assert "ready in" in again.stderr and "fetching" not in again.stderr and "assembling" not in again.stderr

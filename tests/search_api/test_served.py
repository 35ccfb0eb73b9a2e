"""`laborlex serve` as a real process on a loopback socket, and schemathesis against its
OpenAPI spec: no generated request may produce a server error."""

from __future__ import annotations

import os
import sqlite3
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from laborlex_core.processes import wait_for_http
from laborlex_core.settings import Settings
from tests.conftest import shared_model_dir

TOKEN = "fuzz-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served_api(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API process over a private copy of the slice index (the fuzzer may write to it)."""
    data_dir = tmp_path_factory.mktemp("served")
    with sqlite3.connect(api_settings.store_path) as source, sqlite3.connect(data_dir / api_settings.store_path.name) as copy:
        source.backup(copy)  # a consistent copy, WAL included
    port = free_port()
    env = {**os.environ, "LABORLEX_DATA_DIR": str(data_dir), "LABORLEX_MODEL_DIR": str(shared_model_dir()),
           "LABORLEX_API_TOKEN": TOKEN, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "laborlex.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_for_http(f"{url}/health", proc, timeout=120):
        if proc.poll() is not None:
            pytest.fail(f"laborlex serve exited: {proc.stdout.read() if proc.stdout else ''}")
        proc.kill()
        pytest.fail("laborlex serve did not answer /health within 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_serve_answers_over_a_socket(served_api: str) -> None:
    health = httpx.get(f"{served_api}/health").json()
    assert health["documents"] == 8
    # the first search loads the model and builds the pipelines: on a loaded machine that can
    # take longer than httpx's 5 s default
    body = httpx.get(f"{served_api}/search", params={"q": "trabajo forzoso u obligatorio"}, timeout=120).json()
    assert body["results"] and body["results"][0]["citation"]
    assert httpx.get(f"{served_api}/docs").status_code == 200


def test_schemathesis_finds_no_server_error(served_api: str) -> None:
    """Fuzz every operation of the OpenAPI spec (writes included, with the token), with all
    of schemathesis' checks: statuses, bodies, headers and parameters are as the spec says.
    Speed is the benchmark's business (the response time limit is the request timeout)."""
    schemathesis_cli = Path(sys.executable).with_name("st")
    config = Path(__file__).resolve().parents[2] / "schemathesis.toml"
    result = subprocess.run(
        [str(schemathesis_cli), "--config-file", str(config), "run", f"{served_api}/openapi.json",
         "--checks", "all", "--max-response-time", "120",  # (all's default is 10 s)
         "--max-examples", "30", "--seed", "1",
         # this checks for server errors, not speed: a first /compare loads snippet vectors
         "--request-timeout", "120",
         "--header", f"Authorization: Bearer {TOKEN}", "--no-color"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Server error" not in result.stdout
    spec = httpx.get(f"{served_api}/openapi.json").json()
    methods = {"get", "post", "put", "patch", "delete"}
    operations = sum(method in methods for item in spec["paths"].values() for method in item)
    assert f"Tested: {operations}" in result.stdout  # every operation of the spec was exercised

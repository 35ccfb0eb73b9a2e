"""`laborlex up`: ingest when the index is empty, then API and UI, addresses printed."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import LABORLEX, cli_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(url: str, proc: subprocess.Popen, timeout: float = 240) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "laborlex up exited early"
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.mark.slow
def test_up_ingests_then_serves_api_and_ui(tmp_path: Path, write_manifest_slice: Callable[[list[str]], Path]) -> None:
    manifest = write_manifest_slice(["usmca-ch23-en", "ilo-c182-en"])
    api_port, ui_port = free_port(), free_port()
    proc = subprocess.Popen(
        [*LABORLEX, "up", "--corpus", str(manifest), "--api-port", str(api_port), "--ui-port", str(ui_port)],
        env=cli_env(tmp_path / "data"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        health = wait_until(f"http://127.0.0.1:{api_port}/health", proc).json()
        assert health["documents"] == 2
        page = wait_until(f"http://127.0.0.1:{ui_port}/", proc)
        assert "streamlit" in page.text.lower() or "<html" in page.text.lower()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert f"API: http://127.0.0.1:{api_port}" in out
    assert f"UI:  http://127.0.0.1:{ui_port}" in out
    assert "ingesting" in err.lower()

"""Real processes and a real browser for the UI's end-to-end tests: `laborlex serve` and
`laborlex ui` as subprocesses over a test index, and Debian's headless Chromium driven by
Playwright (its own browser download is not used)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from laborlex_core.settings import Settings
from tests.conftest import REPO_ROOT
from tests.ui.servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LABORLEX_DATA_DIR": str(settings.data_dir),
            "LABORLEX_MODEL_DIR": str(settings.resolved_model_dir),
            "HF_HUB_OFFLINE": "1",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            # What a colleague on another machine sees: no developer toolbar ("Deploy"), which
            # Streamlit shows only to a browser on localhost, as this one is.
            "STREAMLIT_CLIENT_TOOLBAR_MODE": "viewer",
        }
    )
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A child in its own process group, so stopping it stops what it started (streamlit)."""
    with log.open("wb") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO_ROOT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not come up in {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def served_ui(settings: Settings, logs: Path) -> Iterator[str]:
    """`laborlex serve` over ``settings``' index and `laborlex ui` pointed at it; the UI's URL."""
    env = _env(settings)
    api_port, ui_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    cli = [sys.executable, "-m", "laborlex.cli"]
    api = _start([*cli, "serve", "--host", "127.0.0.1", "--port", str(api_port)], env, logs / "api.log")
    ui = None
    try:
        _wait_until_up(f"{api_url}/health", api, logs / "api.log")
        ui = _start([*cli, "ui", "--port", str(ui_port), "--api-url", api_url], env, logs / "ui.log")
        ui_url = f"http://127.0.0.1:{ui_port}"
        _wait_until_up(f"{ui_url}/_stcore/health", ui, logs / "ui.log")
        yield ui_url
    finally:
        if ui is not None:
            _stop(ui)
        _stop(api)


@contextmanager
def chromium_page(browser_api: ModuleType, profile: Path, viewport: dict[str, int]) -> Iterator[Any]:
    """A page of a fresh headless Chromium (English locale), closed afterwards."""
    with browser_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport,
            locale="en-US",
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def settled(page: Any, timeout_ms: int = 120_000) -> None:
    """Wait until Streamlit's script has finished running and the last layout pass is drawn."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"] button')", timeout=timeout_ms)
    page.wait_for_timeout(800)

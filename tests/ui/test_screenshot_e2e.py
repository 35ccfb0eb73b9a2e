"""End to end: `laborlex serve` and `laborlex ui` as subprocesses, a real headless Chromium
loading the results page; its screenshot is the README's docs/screenshot-results.png.

Needs Debian's chromium at /usr/bin/chromium and Playwright's Python library (Playwright's
own browser download is not used).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

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
SCREENSHOT = REPO_ROOT / "docs" / "screenshot-results.png"
QUERY = "worst forms of child labour"
VIEWPORT = {"width": 1440, "height": 1024}

pytestmark = pytest.mark.slow


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


@pytest.fixture()
def browser_api() -> ModuleType:
    """Playwright's sync API, once Chromium and Playwright are known to be there."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    return pytest.importorskip("playwright.sync_api", reason="Playwright's Python library is not installed")


@pytest.fixture()
def running_ui(browser_api: ModuleType, ui_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`laborlex serve` over the test index, and `laborlex ui` pointed at it."""
    env = _env(ui_settings)
    api_port, ui_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    cli = [sys.executable, "-m", "laborlex.cli"]
    api = _start([*cli, "serve", "--host", "127.0.0.1", "--port", str(api_port)], env, tmp_path / "api.log")
    ui = None
    try:
        _wait_until_up(f"{api_url}/health", api, tmp_path / "api.log")
        ui = _start([*cli, "ui", "--port", str(ui_port), "--api-url", api_url], env, tmp_path / "ui.log")
        ui_url = f"http://127.0.0.1:{ui_port}"
        _wait_until_up(f"{ui_url}/_stcore/health", ui, tmp_path / "ui.log")
        yield ui_url
    finally:
        if ui is not None:
            _stop(ui)
        _stop(api)


def test_results_page_screenshot(browser_api: ModuleType, running_ui: str, tmp_path: Path) -> None:
    with browser_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"),  # fresh for this run
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="en-US",
        )
        try:
            page = context.new_page()
            page.goto(f"{running_ui}/?{urlencode({'q': QUERY})}", wait_until="domcontentloaded", timeout=60_000)
            # Streamlit renders over a websocket after the page loads: wait for the result cards,
            # then for the pager, drawn after the last card, and for the script to finish.
            page.wait_for_selector(".ll-card .ll-citation", timeout=120_000)
            page.get_by_role("button", name="Next →").wait_for(timeout=60_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"] button')", timeout=60_000
            )
            page.wait_for_timeout(800)  # fonts and the last layout pass
            cards = page.locator(".ll-card .ll-citation").count()
            body = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "results.png"), full_page=False)
        finally:
            context.close()

    assert cards >= 5
    assert "Traceback" not in body and "cannot be reached" not in body
    assert "Worst Forms of Child Labour Convention" in body
    assert (tmp_path / "results.png").stat().st_size > 20_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "results.png", SCREENSHOT)  # only a page that passed the checks

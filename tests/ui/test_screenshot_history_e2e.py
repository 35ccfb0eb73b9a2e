"""End to end: a provision's amendment history in the UI, in a real headless Chromium over
`laborlex serve` and `laborlex ui` processes, on the LFT's first articles (the index of
tests/search_api/test_history_api.py). Results carry their amendment badges; the provision page
of an article added in 2012 and repealed in 2021 shows its timeline. The screenshot is the
README's docs/screenshot-history.png.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import pytest

from ingest.pipeline import ingest_path
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.conftest import REPO_ROOT, shared_model_dir
from tests.search_api.test_history_api import history_manifest  # noqa: F401 - fixture
from tests.ui.servers import free_port
from tests.ui.test_screenshot_e2e import CHROMIUM, CHROMIUM_ARGS, _env, _start, _stop, _wait_until_up, browser_api  # noqa: F401

SCREENSHOT = REPO_ROOT / "docs" / "screenshot-history.png"
VIEWPORT = {"width": 1440, "height": 1100}
REPEALED_ARTICLE = "15-A"  # added DOF 30-11-2012, repealed DOF 23-04-2021

pytestmark = pytest.mark.slow


@pytest.fixture()
def history_ui(browser_api: ModuleType, history_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """The LFT excerpt indexed, served, and the UI pointed at it."""
    folder = tmp_path_factory.mktemp("history-ui")
    settings = Settings(data_dir=folder / "data", model_dir=shared_model_dir())
    report = ingest_path(history_manifest, settings, EmbeddedDocumentStore(settings.store_path))
    assert not report.failures, report.failures
    env = _env(settings)
    api_port, ui_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    cli = [sys.executable, "-m", "laborlex.cli"]
    api = _start([*cli, "serve", "--host", "127.0.0.1", "--port", str(api_port)], env, folder / "api.log")
    ui = None
    try:
        _wait_until_up(f"{api_url}/health", api, folder / "api.log")
        ui = _start([*cli, "ui", "--port", str(ui_port), "--api-url", api_url], env, folder / "ui.log")
        ui_url = f"http://127.0.0.1:{ui_port}"
        _wait_until_up(f"{ui_url}/_stcore/health", ui, folder / "ui.log")
        yield ui_url
    finally:
        if ui is not None:
            _stop(ui)
        _stop(api)


def _settled(page: object) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"] button')", timeout=120_000)  # type: ignore[attr-defined]
    page.wait_for_timeout(800)  # type: ignore[attr-defined]


def test_badges_on_results_and_timeline_on_the_provision_page(browser_api: ModuleType, history_ui: str, tmp_path: Path) -> None:  # noqa: F811
    with browser_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="en-US",
        )
        try:
            page = context.new_page()
            page.goto(f"{history_ui}/?{urlencode({'q': 'subcontratación de personal'})}", wait_until="domcontentloaded", timeout=60_000)
            page.wait_for_selector(".ll-card .ll-citation", timeout=240_000)
            _settled(page)
            results = page.inner_text("body")
            page.goto(
                f"{history_ui}/?{urlencode({'doc': 'mx-lft-es', 'article': REPEALED_ARTICLE})}",
                wait_until="domcontentloaded",
                timeout=60_000,
            )
            page.get_by_text("Amendment history").first.wait_for(timeout=240_000)
            _settled(page)
            provision = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "history.png"), full_page=False)
        finally:
            context.close()

    assert "Traceback" not in results + provision
    assert "amended 2021-04-23" in results  # the 2021 subcontracting reform, as a badge on the cards
    assert "Amendment history" in provision and "Timeline" in provision
    assert "2012-11-30" in provision and "2021-04-23" in provision  # added, then repealed
    assert (tmp_path / "history.png").stat().st_size > 20_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "history.png", SCREENSHOT)

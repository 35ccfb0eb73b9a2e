"""End to end: `laborlex serve` and `laborlex ui` as subprocesses, a real headless Chromium
loading the results page; its screenshot is the README's docs/screenshot-results.png.

Needs Debian's chromium at /usr/bin/chromium and Playwright's Python library (Playwright's
own browser download is not used).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import pytest

from tests.conftest import REPO_ROOT
from tests.ui.browser import chromium_page, settled

SCREENSHOT = REPO_ROOT / "docs" / "screenshot-results.png"
QUERY = "worst forms of child labour"
VIEWPORT = {"width": 1440, "height": 1024}

pytestmark = pytest.mark.slow


def test_results_page_screenshot(browser_api: ModuleType, running_ui: str, tmp_path: Path) -> None:
    with chromium_page(browser_api, tmp_path / "chromium-profile", VIEWPORT) as page:
        page.goto(f"{running_ui}/?{urlencode({'q': QUERY})}", wait_until="domcontentloaded", timeout=60_000)
        # Streamlit renders over a websocket after the page loads: wait for the result cards,
        # then for the pager, drawn after the last card, and for the script to finish.
        page.wait_for_selector(".ll-card .ll-citation", timeout=120_000)
        page.get_by_role("button", name="Next →").wait_for(timeout=60_000)
        settled(page, timeout_ms=60_000)
        cards = page.locator(".ll-card .ll-citation").count()
        body = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "results.png"), full_page=False)

    assert cards >= 5
    assert "Traceback" not in body and "cannot be reached" not in body
    assert "Worst Forms of Child Labour Convention" in body
    assert (tmp_path / "results.png").stat().st_size > 20_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "results.png", SCREENSHOT)  # only a page that passed the checks

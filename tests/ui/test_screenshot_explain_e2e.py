"""End to end: the results page with a result's "Why this result?" opened, its copy-citation
button and the export buttons, in a real headless Chromium over `laborlex serve` and
`laborlex ui` processes. Its screenshot is the README's docs/screenshot-explain.png.

Reuses the process and browser helpers of tests/ui/browser.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import pytest

from tests.conftest import REPO_ROOT
from tests.ui.browser import chromium_page, settled

SCREENSHOT = REPO_ROOT / "docs" / "screenshot-explain.png"
QUERY = "peores formas de trabajo infantil"
VIEWPORT = {"width": 1440, "height": 1100}

pytestmark = pytest.mark.slow


def test_explanation_and_copy_export_buttons_screenshot(browser_api: ModuleType, running_ui: str, tmp_path: Path) -> None:
    with chromium_page(browser_api, tmp_path / "chromium-profile", VIEWPORT) as page:
        page.goto(f"{running_ui}/?{urlencode({'q': QUERY})}", wait_until="domcontentloaded", timeout=60_000)
        page.wait_for_selector(".ll-card .ll-citation", timeout=240_000)
        settled(page)
        page.get_by_text("Explain each result").first.click()  # explanations are opt-in
        page.get_by_text("Why this result?").first.wait_for(timeout=120_000)
        settled(page)
        why = page.get_by_text("Why this result?").first
        why.click()
        page.get_by_text("Words found").first.wait_for(timeout=30_000)
        code = page.locator('[data-testid="stCode"]').first
        code.hover()  # shows the code block's copy button
        copy_buttons = page.locator('[data-testid="stCode"] button').count()
        export_labels = [page.get_by_text(text).count() for text in ("Export CSV", "Export CSL-JSON (Zotero)")]
        page.wait_for_timeout(800)
        body = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "explain.png"), full_page=False)

    assert "Traceback" not in body
    assert copy_buttons >= 1 and "Copy citation" in body and all(export_labels)
    assert "of the score" in body and "Permanent link" in body
    assert (tmp_path / "explain.png").stat().st_size > 20_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "explain.png", SCREENSHOT)

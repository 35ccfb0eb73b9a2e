"""End to end: a provision's amendment history in the UI, in a real headless Chromium over
`laborlex serve` and `laborlex ui` processes, on the LFT's first articles (the index of
tests/search_api/test_history_api.py). Results carry their amendment badges; the provision page
of an article added in 2012 and repealed in 2021 shows its timeline. The screenshot is the
README's docs/screenshot-history.png.
"""

from __future__ import annotations

import shutil
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
from tests.ui.browser import chromium_page, served_ui, settled

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
    with served_ui(settings, folder) as url:
        yield url


def test_badges_on_results_and_timeline_on_the_provision_page(browser_api: ModuleType, history_ui: str, tmp_path: Path) -> None:  # noqa: F811
    with chromium_page(browser_api, tmp_path / "chromium-profile", VIEWPORT) as page:
        page.goto(f"{history_ui}/?{urlencode({'q': 'subcontratación de personal'})}", wait_until="domcontentloaded", timeout=60_000)
        page.wait_for_selector(".ll-card .ll-citation", timeout=240_000)
        settled(page)
        results = page.inner_text("body")
        page.goto(
            f"{history_ui}/?{urlencode({'doc': 'mx-lft-es', 'article': REPEALED_ARTICLE})}",
            wait_until="domcontentloaded",
            timeout=60_000,
        )
        page.get_by_text("Amendment history").first.wait_for(timeout=240_000)
        settled(page)
        provision = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "history.png"), full_page=False)

    assert "Traceback" not in results + provision
    assert "amended 2021-04-23" in results  # the 2021 subcontracting reform, as a badge on the cards
    assert "Amendment history" in provision and "Timeline" in provision
    assert "2012-11-30" in provision and "2021-04-23" in provision  # added, then repealed
    assert (tmp_path / "history.png").stat().st_size > 20_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "history.png", SCREENSHOT)

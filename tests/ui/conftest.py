"""The interface is tested against the real API: uvicorn on a free loopback port, serving an
index built from a slice of the real corpus with the real model.

The slice spans all five jurisdictions, the three languages and four kinds of instrument,
and holds ILO C182 in Spanish, Georgian and English so "similar provisions" has true
translations to find; every document is small, so the index builds in seconds.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from laborlex_core.settings import Settings
from tests.conftest import CORPUS_DIR, MANIFEST_PATH, REPO_ROOT, shared_model_dir
from tests.ui.browser import CHROMIUM, served_ui
from tests.ui.servers import free_port, start_api

SLICE: tuple[str, ...] = (
    "ilo-c182-es",  # INTL, es, convention (PDF)
    "ilo-c182-ka",  # INTL, ka
    "ilo-c182-en",  # INTL, en
    "hn-codigo-trabajo-es",  # HN statute: neighbouring articles
    "usmca-ch23-en",  # INTL treaty
    "ge-labour-code-en",  # GE statute
    "us-scotus-encino-motorcars-v-navarro-2018-en",  # US ruling
    "mx-scjn-tesis-181711-es",  # MX ruling
)
APP_PATH = REPO_ROOT / "ui" / "app.py"
APP_TIMEOUT_S = 90  # a cold dense query on two cores, with margin


def write_slice_manifest(folder: Path, ids: tuple[str, ...]) -> Path:
    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    chosen = [{**entries[i], "file": str(CORPUS_DIR / entries[i]["file"])} for i in ids]
    path = folder / "manifest.json"
    path.write_text(json.dumps(chosen, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over an index of :data:`SLICE`, ingested through the real pipeline."""
    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    from ingest.pipeline import ingest_path
    from laborlex_core.store import open_store

    folder = tmp_path_factory.mktemp("ui-index")
    settings = Settings(data_dir=folder / "data", model_dir=shared_model_dir())
    report = ingest_path(write_slice_manifest(folder, SLICE), settings, open_store(settings))
    assert not report.failures, report.failures
    assert set(report.written) == set(SLICE)
    return settings


@pytest.fixture(scope="session")
def api_url(ui_settings: Settings) -> Iterator[str]:
    api = start_api(ui_settings)
    # The first dense query loads the model; pay for it here, not inside a test's timeout.
    httpx.get(f"{api.url}/search", params={"q": "warm up", "mode": "dense", "limit": 1}, timeout=300).raise_for_status()
    yield api.url
    api.stop()


@pytest.fixture(scope="session")
def empty_api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("empty-index") / "data", model_dir=shared_model_dir())
    api = start_api(settings)
    yield api.url
    api.stop()


@pytest.fixture(scope="session")
def browser_api() -> ModuleType:
    """Playwright's sync API, once Chromium and Playwright are known to be there."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    return pytest.importorskip("playwright.sync_api", reason="Playwright's Python library is not installed")


@pytest.fixture(scope="session")
def running_ui(browser_api: ModuleType, ui_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`laborlex serve` over the test index, and `laborlex ui` pointed at it: started once for
    the screenshot tests (each opens its own browser, so its own Streamlit session)."""
    with served_ui(ui_settings, tmp_path_factory.mktemp("served-ui")) as url:
        yield url


@pytest.fixture()
def closed_url() -> str:
    """An address where nothing listens: a port just released by this process."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture()
def make_app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """The real script, given ``--api-url`` exactly as ``laborlex ui`` passes it."""

    def make(url: str, query_params: dict[str, str] | None = None) -> AppTest:
        monkeypatch.setattr(sys, "argv", [str(APP_PATH), "--api-url", url])
        app = AppTest.from_file(str(APP_PATH), default_timeout=APP_TIMEOUT_S)
        app.query_params.update(query_params or {})
        return app

    return make

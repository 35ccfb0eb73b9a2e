"""The interface on the OpenSearch backend: the real API serving a live OpenSearch node.

The UI slice's embedded index (built once per session by ``ui_settings``) is copied into the
node with its vectors, so no passage is embedded twice; then the Streamlit script is driven
as in test_app.py. Skipped without OPENSEARCH_URL (.ci/run starts a node).
"""

from __future__ import annotations

import html
import os
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from laborlex_core.settings import Settings
from tests.laborlex_core.store.opensearch_fixtures import REAL_CLUSTER_REASON, real_cluster_settings
from tests.ui.helpers import assert_clean, card_jurisdiction, card_language, citations, result_cards
from tests.ui.servers import start_api

pytestmark = pytest.mark.skipif(not os.environ.get("OPENSEARCH_URL"), reason=REAL_CLUSTER_REASON)
AppFactory = Callable[..., AppTest]


@pytest.fixture(scope="module")
def opensearch_api_url(ui_settings: Settings) -> Iterator[str]:
    from laborlex_core.store import opensearch_admin
    from laborlex_core.store.embedded import EmbeddedDocumentStore
    from laborlex_core.store.opensearch import OpenSearchBackend
    from laborlex_core.store.opensearch_copy import copy_store

    settings = real_cluster_settings(f"laborlex-ui-{uuid.uuid4().hex[:8]}").model_copy(
        update={"data_dir": ui_settings.data_dir, "model_dir": ui_settings.model_dir}
    )
    store = OpenSearchBackend(settings)
    opensearch_admin.setup(store.client, settings, search_pipeline=False)
    try:
        report = copy_store(EmbeddedDocumentStore(ui_settings.store_path), store, 384)
        assert not report.failures and report.documents == 8, report
        api = start_api(settings)
        httpx.get(f"{api.url}/search", params={"q": "warm up", "mode": "dense", "limit": 1}, timeout=300).raise_for_status()
        yield api.url
        api.stop()
    finally:
        for index in opensearch_admin.alias_targets(store.client, settings.opensearch_index):
            store.client.indices.delete(index=index)
        store.client.indices.delete(index=store.docs_index, ignore_unavailable=True)


def _search(app: AppTest, text: str) -> AppTest:
    app.run()
    assert_clean(app)
    app.text_input(key="q").input(text).run()
    assert_clean(app)
    return app


def test_ui_on_opensearch_search_filters_and_highlights(make_app: AppFactory, opensearch_api_url: str) -> None:
    assert httpx.get(f"{opensearch_api_url}/health").json()["backend"] == "opensearch"
    app = _search(make_app(opensearch_api_url), "trabajo infantil")
    expected = httpx.get(f"{opensearch_api_url}/search", params={"q": "trabajo infantil"}).json()
    assert citations(app) == [hit["citation"] for hit in expected["results"]] and citations(app)
    assert any("<mark>" in card for card in result_cards(app))
    app.multiselect(key="f_jurisdiction").set_value(["HN"]).run()
    assert_clean(app)
    cards = result_cards(app)
    assert cards and {card_jurisdiction(c) for c in cards} == {"HN"}


def test_ui_on_opensearch_similar_provisions(make_app: AppFactory, opensearch_api_url: str) -> None:
    app = _search(make_app(opensearch_api_url), "worst forms of child labour")
    key = next(b.key for b in app.button if b.key and b.key.startswith("similar:search:") and "ilo-c182-en" in b.key)
    app.button(key=key).click().run()
    assert_clean(app)
    source = [m.value for m in app.main.markdown if m.value.startswith('<div class="ll-citation">')]
    assert source and "Worst Forms of Child Labour Convention" in html.unescape(source[0])
    assert {card_language(c) for c in result_cards(app)} & {"es", "ka"}  # translations, by k-NN on OpenSearch

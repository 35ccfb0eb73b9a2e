"""Labels, navigation state and configuration: the parts of the interface without a server."""

from __future__ import annotations

import string

import pytest

from laborlex_core.settings import Settings
from ui.client import JURISDICTIONS, KINDS, LANGUAGES, MODES
from ui.config import load_config
from ui.i18n import LANGUAGE_NAMES, Labels, catalog
from ui.state import Detail, clear_filters, detail, go_back, open_detail, restore_from_url, url_params


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", ["es", "ka"])
def test_every_label_is_translated_with_the_same_placeholders(language: str) -> None:
    english, other = catalog()["en"], catalog()[language]
    assert set(other) == set(english)
    for key, text in english.items():
        assert other[key].strip(), key
        assert _placeholders(other[key]) == _placeholders(text), key


def test_every_code_the_api_sends_has_a_name() -> None:
    labels = Labels("en")
    for code in JURISDICTIONS:
        assert labels.jurisdiction(code) != code
    for code in LANGUAGES:
        assert labels.language_name(code) != code
    for code in KINDS:
        assert labels.kind(code) != code
    for mode in MODES:
        assert labels(f"mode.{mode}") != f"mode.{mode}"
    assert set(catalog()) == set(LANGUAGE_NAMES)


def test_labels_fall_back_and_format() -> None:
    assert Labels("fr")("view.search") == "Search"  # unknown language: English
    assert Labels("ka").jurisdiction("XX") == "XX"  # unknown code: shown as sent
    assert Labels("es")("results.page", page=2, pages=5) == "Página 2 de 5"
    assert Labels("ka").jurisdiction("GE") == "საქართველო"


def test_navigation_back_returns_through_the_trail() -> None:
    state: dict = {}
    open_detail(state, Detail("provision", "hn", "19"))
    open_detail(state, Detail("provision", "hn", "20"), replace=True)  # next article: no new step
    open_detail(state, Detail("similar", "hn", "20"))
    assert detail(state) == Detail("similar", "hn", "20")
    go_back(state)
    assert detail(state) == Detail("provision", "hn", "20")
    go_back(state)
    assert detail(state) is None
    go_back(state)  # nothing left: stays on the main view
    assert detail(state) is None


def test_url_round_trip() -> None:
    state: dict = {"view": "compare", "q": "horas extra", "mode": "dense"}
    open_detail(state, Detail("similar", "mx-lft-es", "22 Bis"))
    params = url_params(state)
    assert params == {"view": "compare", "q": "horas extra", "mode": "dense", "doc": "mx-lft-es", "article": "22 Bis", "show": "similar"}
    restored: dict = {}
    restore_from_url(restored, params)
    assert url_params(restored) == params
    go_back(restored)
    assert detail(restored) is None


def test_url_with_unknown_values_is_ignored() -> None:
    state: dict = {}
    restore_from_url(state, {"view": "admin", "mode": "magic", "doc": "x"})
    assert state == {}
    assert url_params({"view": "search", "mode": "hybrid", "q": ""}) == {}


def test_clear_filters_leaves_the_question() -> None:
    state = {"q": "x", "f_jurisdiction": ["MX"], "f_date_from": "2000", "mode": "bm25"}
    clear_filters(state)
    assert state == {"q": "x", "mode": "bm25"}


def test_config_argument_wins_over_settings() -> None:
    settings = Settings(api_url="http://api.example:9000/", ui_language="ka")
    assert load_config([], settings).api_url == "http://api.example:9000"
    assert load_config([], settings).language == "ka"
    config = load_config(["-q", "tests/ui", "--api-url", "http://127.0.0.1:1234", "--language", "es"], settings)
    assert (config.api_url, config.language) == ("http://127.0.0.1:1234", "es")
    assert load_config(["--language", "fr"], settings).language == "en"
    with pytest.raises(ValueError, match="api-url"):
        load_config(["--api-url"], settings)

"""Reading what the interface rendered, as a user would see it, from an AppTest run."""

from __future__ import annotations

import html
import re

from streamlit.testing.v1 import AppTest

CITATION = re.compile(r'<span class="ll-citation">(.*?)</span>')
JURISDICTION_BADGE = re.compile(r'class="ll-badge ll-j-([A-Za-z_]+)"')
DATE_BADGE = re.compile(r'class="ll-badge ll-date">([0-9-]+)<')
LANGUAGE_BADGE = re.compile(r'class="ll-badge ll-lang"[^>]*>([A-Z]+)<')


def result_cards(app: AppTest) -> list[str]:
    """The markup of each result card, in page order (main area only)."""
    return [m.value for m in app.main.markdown if m.value.startswith('<div class="ll-card"><div class="ll-head"><span class="ll-citation">')]


def citations(app: AppTest) -> list[str]:
    return [html.unescape(CITATION.search(card).group(1)) for card in result_cards(app)]


def card_jurisdiction(card: str) -> str:
    found = JURISDICTION_BADGE.search(card)
    assert found, card
    return found.group(1)


def card_language(card: str) -> str:
    found = LANGUAGE_BADGE.search(card)
    assert found, card
    return found.group(1).lower()


def card_date(card: str) -> str:
    found = DATE_BADGE.search(card)
    assert found, card
    return found.group(1)


def button_keys(app: AppTest, prefix: str) -> list[str]:
    return [b.key for b in app.button if b.key and b.key.startswith(prefix)]


def messages(app: AppTest) -> str:
    """All info, warning and error texts on the page, for assertions on wording."""
    return "\n".join(e.value for e in [*app.info, *app.warning, *app.error])


def assert_clean(app: AppTest) -> None:
    """The page ran to the end and shows no traceback."""
    assert not app.exception, [e.value for e in app.exception]

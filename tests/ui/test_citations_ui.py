"""Citations in the interface, against the real API: "Cited by" and "Cites" on a provision open
the other side; in a ruling the citations are marked in the text (links where indexed)."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.ui.helpers import assert_clean, button_keys

AppFactory = Callable[..., AppTest]


def test_cited_by_and_cites_open_the_other_provision(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url, {"doc": "ilo-c182-es", "article": "3"})
    app.run()
    assert_clean(app)
    assert any(m.value.startswith("**Cited by (") for m in app.main.markdown)
    citing = [k for k in button_keys(app, "citedby:") if k.startswith("citedby:ilo-c182-es#")]
    assert citing
    app.button(key=citing[0]).click().run()
    assert_clean(app)
    assert app.query_params.get("doc") in ("ilo-c182-es", ["ilo-c182-es"])
    opened = app.query_params.get("article")
    assert opened not in ("3", ["3"])

    # from the citing provision, "Cites" leads back to article 3
    back = [k for k in button_keys(app, "cites:") if app.button(key=k).label.endswith("art. 3 (INTL)")]
    assert back
    app.button(key=back[0]).click().run()
    assert_clean(app)
    assert app.query_params.get("article") in ("3", ["3"])


def test_citations_in_a_ruling_are_marked(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url, {"doc": "mx-scjn-tesis-181711-es", "article": "1"})
    app.run()
    assert_clean(app)
    text = next(m.value for m in app.main.markdown if m.value.startswith('<div class="ll-text">'))
    # the Ley Federal del Trabajo is not in this index: marked, with the instrument named, not a link
    assert 'class="ll-cite-off" title="Ley Federal del Trabajo">Ley Federal del Trabajo</span>' in text
    assert any("not in the index" in c.value for c in app.main.caption)

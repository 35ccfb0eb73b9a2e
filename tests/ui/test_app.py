"""The Streamlit script driven as a user drives it, against the real API over HTTP."""

from __future__ import annotations

import html
from collections.abc import Callable

import httpx
from streamlit.testing.v1 import AppTest

from tests.ui.helpers import (
    assert_clean,
    button_keys,
    card_date,
    card_jurisdiction,
    card_language,
    citations,
    messages,
    result_cards,
)

AppFactory = Callable[..., AppTest]


def search(app: AppTest, text: str) -> AppTest:
    app.run()
    assert_clean(app)
    app.text_input(key="q").input(text).run()
    assert_clean(app)
    return app


def test_search_shows_cited_results_with_highlighted_snippets(make_app: AppFactory, api_url: str) -> None:
    app = search(make_app(api_url), "trabajo infantil")

    expected = httpx.get(f"{api_url}/search", params={"q": "trabajo infantil"}).json()
    assert citations(app) == [hit["citation"] for hit in expected["results"]]
    cards = result_cards(app)
    assert any("<mark>" in card for card in cards)
    marked = {html.unescape(m) for card in cards for m in _marked(card)}
    assert {"trabajo", "infantil"} <= {word.lower() for m in marked for word in m.split()}
    # every card carries its jurisdiction and language badges
    assert all(card_jurisdiction(card) and card_language(card) for card in cards)
    assert len(button_keys(app, "open:search:")) == len(cards) == len(button_keys(app, "similar:search:"))
    # facet counts, and where the answers are across the index
    facets = [m.value for m in app.main.markdown if m.value.startswith('<div class="ll-facets">')]
    assert facets and "Honduras" in facets[0] and "International" in facets[0]
    assert any("of" in c.value and "found" in c.value for c in app.main.caption)
    assert app.query_params.get("q") in ("trabajo infantil", ["trabajo infantil"])


def _marked(card: str) -> list[str]:
    parts = card.split("<mark>")[1:]
    return [p.split("</mark>", 1)[0] for p in parts]


def test_an_example_question_runs_a_search(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url)
    app.run()
    assert not result_cards(app)
    app.pills(key="example").set_value("worst forms of child labour").run()
    assert_clean(app)
    assert app.text_input(key="q").value == "worst forms of child labour"
    assert result_cards(app)


def test_filters_change_what_is_shown(make_app: AppFactory, api_url: str) -> None:
    app = search(make_app(api_url), "trabajo infantil")
    assert {card_jurisdiction(c) for c in result_cards(app)} == {"INTL"}

    app.multiselect(key="f_jurisdiction").set_value(["HN"]).run()
    assert_clean(app)
    cards = result_cards(app)
    assert cards and {card_jurisdiction(c) for c in cards} == {"HN"}
    assert all(c.endswith("(HN)") for c in citations(app))

    app.multiselect(key="f_jurisdiction").set_value([]).run()
    app.multiselect(key="f_language").set_value(["ka"]).run()
    assert_clean(app)
    cards = result_cards(app)
    assert cards and {card_language(c) for c in cards} == {"ka"}

    app.multiselect(key="f_language").set_value([]).run()
    app.multiselect(key="f_kind").set_value(["case_law"]).run()
    assert {card_jurisdiction(c) for c in result_cards(app)} <= {"MX", "US"}

    # a date range: only instruments dated 2018 or later (a US ruling, USMCA, a Georgian code)
    app.multiselect(key="f_kind").set_value([]).run()
    app.text_input(key="f_date_from").input("2018").run()
    assert_clean(app)
    dates = [card_date(c) for c in result_cards(app)]
    assert dates and all(d >= "2018" for d in dates)

    # a date the API refuses is reported against the field, in words
    app.text_input(key="f_date_from").input("18th century").run()
    assert_clean(app)
    assert "Dated from" in messages(app) and "YYYY" in messages(app)
    assert not result_cards(app)

    # one click clears every filter, the question stays
    app.multiselect(key="f_jurisdiction").set_value(["HN"]).run()
    app.button(key="clear_filters").click().run()
    assert_clean(app)
    assert app.text_input(key="f_date_from").value == "" and app.multiselect(key="f_jurisdiction").value == []
    assert app.text_input(key="q").value == "trabajo infantil"
    assert {card_jurisdiction(c) for c in result_cards(app)} == {"INTL"}

    # a single document
    app.selectbox(key="f_doc").set_value("hn-codigo-trabajo-es").run()
    assert_clean(app)
    assert result_cards(app) and all(c.startswith("Código del Trabajo de Honduras") for c in citations(app))


def test_paging_moves_through_the_results(make_app: AppFactory, api_url: str) -> None:
    app = search(make_app(api_url), "trabajador")
    first = citations(app)
    assert len(first) == 10
    app.button(key="page_next").click().run()
    assert_clean(app)
    second = citations(app)
    assert second and not set(second) & set(first[:1])
    assert any("11–" in c.value for c in app.main.caption)


def test_explanations_are_asked_for_only_when_switched_on(make_app: AppFactory, api_url: str) -> None:
    app = search(make_app(api_url), "trabajador")
    assert not app.main.expander  # off by default: a search is not explained
    app.button(key="page_next").click().run()
    second = citations(app)

    app.toggle(key="explain").set_value(True).run()
    assert_clean(app)
    assert citations(app) == second  # explaining keeps the page the reader is on
    assert app.main.expander and all(e.label == "Why this result?" for e in app.main.expander)
    assert any("of the score" in m.value for e in app.main.expander for m in e.markdown)

    app.toggle(key="explain").set_value(False).run()
    assert not app.main.expander and citations(app) == second


def test_compare_shows_one_column_per_jurisdiction(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url)
    app.run()
    app.radio(key="view").set_value("compare").run()
    app.text_input(key="q").input("child labour").run()
    app.multiselect(key="cmp_jurisdictions").set_value(["HN", "INTL", "US"]).run()
    assert_clean(app)

    columns = [c for c in app.main.columns if any(m.value.startswith('<div class="ll-colhead">') for m in c.markdown)]
    assert len(columns) == 3
    for column, code in zip(columns, ["HN", "INTL", "US"], strict=True):
        header = next(m.value for m in column.markdown if m.value.startswith('<div class="ll-colhead">'))
        assert f">{code}<" in header
        cards = [m.value for m in column.markdown if m.value.startswith('<div class="ll-card">')]
        assert 1 <= len(cards) <= 3
        assert {card_jurisdiction(c) for c in cards} == {code}
    assert app.query_params.get("view") in ("compare", ["compare"])


def test_similar_provisions_from_a_result(make_app: AppFactory, api_url: str) -> None:
    app = search(make_app(api_url), "worst forms of child labour")
    key = next(k for k in button_keys(app, "similar:search:") if "ilo-c182-en" in k)
    app.button(key=key).click().run()
    assert_clean(app)

    source = [m.value for m in app.main.markdown if m.value.startswith('<div class="ll-citation">')]
    assert source and "Worst Forms of Child Labour Convention" in html.unescape(source[0])
    cards = result_cards(app)
    assert cards
    assert all("Worst Forms of Child Labour Convention, 1999 (No. 182)," not in c for c in citations(app))  # other documents
    assert {card_language(c) for c in cards} & {"es", "ka"}  # the translations are found
    assert all("similarity" in c for c in cards)

    app.multiselect(key="sim_language").set_value(["ka"]).run()
    assert {card_language(c) for c in result_cards(app)} == {"ka"}

    app.button(key="back").click().run()
    assert_clean(app)
    assert app.text_input(key="q").value == "worst forms of child labour"
    assert result_cards(app)


def test_opening_a_provision_shows_it_with_its_neighbours(make_app: AppFactory, api_url: str) -> None:
    app = search(make_app(api_url), "jornada ordinaria de trabajo")
    app.multiselect(key="f_jurisdiction").set_value(["HN"]).run()
    hits = httpx.get(f"{api_url}/search", params={"q": "jornada ordinaria de trabajo", "jurisdiction": "HN"}).json()["results"]
    views = {h["passage_id"]: httpx.get(f"{api_url}/documents/{h['doc_id']}/provisions/{h['article']}").json() for h in hits}
    hit = next(h for h in hits if views[h["passage_id"]]["next"] and views[h["passage_id"]]["previous"])
    expected = views[hit["passage_id"]]
    app.button(key=f"open:search:{hit['passage_id']}").click().run()
    assert_clean(app)

    assert app.main.subheader[0].value == expected["provision"]["label"]
    assert [c.value for c in app.main.code] == [expected["provision"]["citation"]]
    body = next(m.value for m in app.main.markdown if m.value.startswith('<div class="ll-text">'))
    assert html.unescape(body.split(">", 1)[1][:40]).strip()[:20] == expected["provision"]["text"][:20]
    assert app.query_params.get("article") in (hit["article"], [hit["article"]])

    following = expected["next"]
    assert app.button(key="neighbour_previous").label.endswith(expected["previous"]["label"])
    assert app.button(key="neighbour_next").label.startswith(following["label"])
    app.button(key="neighbour_next").click().run()
    assert_clean(app)
    assert app.main.subheader[0].value == following["label"]
    assert app.button(key="neighbour_previous").label.endswith(expected["provision"]["label"])

    # the table of contents jumps anywhere in the document
    app.selectbox(key="toc").set_value(hit["article"]).run()
    assert app.main.subheader[0].value == expected["provision"]["label"]

    # Back returns to the results, the question and filters kept
    app.button(key="back").click().run()
    assert_clean(app)
    assert app.text_input(key="q").value == "jornada ordinaria de trabajo"
    assert app.multiselect(key="f_jurisdiction").value == ["HN"]
    assert result_cards(app)


def test_a_provision_can_be_opened_from_its_url(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url, {"doc": "ilo-c182-ka", "article": "3"})
    app.run()
    assert_clean(app)
    assert app.main.subheader[0].value == "მუხლი 3"
    assert "მუხ. 3" in app.main.code[0].value


def test_language_switch_changes_labels(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url)
    app.run()
    assert app.text_input(key="q").label == "Question or keywords"
    assert app.radio(key="view").options == ["Search", "Compare jurisdictions"]

    app.selectbox(key="lang").set_value("es").run()
    assert_clean(app)
    assert app.text_input(key="q").label == "Pregunta o palabras clave"
    assert app.radio(key="view").options == ["Buscar", "Comparar jurisdicciones"]
    assert app.multiselect(key="f_jurisdiction").options[0] == "México"

    app.selectbox(key="lang").set_value("ka").run()
    assert_clean(app)
    assert app.radio(key="view").options == ["ძიება", "იურისდიქციების შედარება"]
    app.text_input(key="q").input("child labour").run()
    assert any(b.label == "კონტექსტში წაკითხვა" for b in app.button)


def test_interface_language_can_be_set_by_argument(make_app: AppFactory, api_url: str, monkeypatch) -> None:
    app = make_app(api_url)
    import sys

    monkeypatch.setattr(sys, "argv", [*sys.argv, "--language", "es"])
    app.run()
    assert app.selectbox(key="lang").value == "es"
    assert app.text_input(key="q").label == "Pregunta o palabras clave"


def test_empty_index_says_how_to_ingest(make_app: AppFactory, empty_api_url: str) -> None:
    app = make_app(empty_api_url)
    app.run()
    assert_clean(app)
    assert "No documents indexed yet" in messages(app)
    assert "laborlex ingest" in messages(app)
    assert not app.main.text_input  # nothing to search yet


def test_no_results_message(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url)
    app.run()
    app.radio(key="mode").set_value("bm25").run()
    app.text_input(key="q").input("zzqxv wvyyk").run()
    assert_clean(app)
    assert not result_cards(app)
    assert "No provision matches this search" in messages(app)

    app.selectbox(key="lang").set_value("es").run()
    assert "Ninguna disposición coincide" in messages(app)


def test_unreachable_api_is_explained(make_app: AppFactory, closed_url: str) -> None:
    app = make_app(closed_url)
    app.run()
    assert_clean(app)
    text = messages(app)
    assert "cannot be reached" in text and closed_url in text and "laborlex serve" in text
    assert "Traceback" not in text

    app.selectbox(key="lang").set_value("es").run()
    assert "No se puede contactar" in messages(app)


def test_unknown_provision_in_url_is_a_message(make_app: AppFactory, api_url: str) -> None:
    app = make_app(api_url, {"doc": "ilo-c182-en", "article": "999"})
    app.run()
    assert_clean(app)
    assert "not in the index" in messages(app)

"""Markup built from API answers: escaped, highlighted, and safe from Markdown."""

from __future__ import annotations

from ui.i18n import Labels
from ui.render import (
    badges,
    escape,
    escape_block,
    facet_summary,
    hit_card,
    highlight,
    merge_spans,
    provision_text,
    shorten,
)

HIT = {
    "doc_id": "mx-lft-es",
    "title": "Ley Federal del Trabajo",
    "jurisdiction": "MX",
    "language": "es",
    "kind": "statute",
    "date": "2022-12-27",
    "article": "67",
    "unit": "article",
    "heading_path": ["TITULO TERCERO", "Capítulo II Jornada de trabajo"],
    "citation": "Ley Federal del Trabajo, art. 67 (MX)",
    "snippet": "Las horas de trabajo extraordinario se pagarán con un ciento por ciento más",
    "highlights": [[4, 9], [13, 20]],
    "score": 0.03,
    "ranks": {"bm25": 1, "dense": 3},
    "passage_id": "mx-lft-es#00070.00",
    "page": 21,
}


def test_highlight_marks_spans_and_escapes_between_them() -> None:
    assert highlight("a <b> & c", [[0, 1], [8, 9]]) == "<mark>a</mark> &lt;b&gt; &amp; <mark>c</mark>"
    assert highlight("x<y", [[1, 2]]) == "x<mark>&lt;</mark>y"  # a span over a special character


def test_spans_apart_only_by_spaces_read_as_one_phrase() -> None:
    text = "worst forms of child labour"
    assert merge_spans([[0, 5], [6, 11], [15, 20]], text) == [(0, 11), (15, 20)]
    assert merge_spans([[6, 11], [0, 5]], text) == [(0, 11)]  # order does not matter


def test_bad_spans_are_clamped_or_dropped() -> None:
    assert merge_spans([[-3, 2], [5, 99], [4, 4], [7]], "abcdefgh") == [(0, 2), (5, 8)]
    assert highlight("abc", [[2, 50]]) == "ab<mark>c</mark>"


def test_markdown_and_latex_characters_are_neutralised() -> None:
    assert escape("costs $5 and $6") == "costs &#36;5 and &#36;6"
    assert "\n" not in escape("line\n\nbreak")  # a blank line would end the HTML block
    assert escape_block("one\n\ntwo") == "one<br><br>two"
    assert "\n" not in provision_text("a\n\n    b *c*")


def test_script_in_a_legal_text_is_shown_not_run() -> None:
    hit = {**HIT, "snippet": '<script>alert("x")</script>', "highlights": [], "citation": "<img src=x onerror=1>"}
    card = hit_card(hit, Labels("en"))
    assert "<script>" not in card and "<img" not in card
    assert "&lt;script&gt;" in card and "&lt;img src=x onerror=1&gt;" in card


def test_card_has_citation_badges_trail_snippet_and_ranks() -> None:
    card = hit_card(HIT, Labels("en"))
    assert card.startswith('<div class="ll-card">') and "\n" not in card
    assert '<span class="ll-citation">Ley Federal del Trabajo, art. 67 (MX)</span>' in card
    assert 'class="ll-badge ll-j-MX" title="Mexico">MX<' in card
    assert 'title="Spanish">ES<' in card and ">Statute<" in card and ">2022-12-27<" in card
    assert "TITULO TERCERO › Capítulo II Jornada de trabajo" in card
    assert "<mark>horas</mark>" in card
    assert "keywords #1 · meaning #3" in card and "p. 21" in card
    assert card.count("Ley Federal del Trabajo") == 1  # the title is in the citation already


def test_card_in_spanish_and_for_similar_provisions() -> None:
    card = hit_card({**HIT, "score": 0.8912}, Labels("es"), similarity=True)
    assert 'title="México"' in card and ">Ley<" in card and "similitud 0.89" in card
    assert "n.º" not in card  # similarity replaces the ranks


def test_shorten_cuts_at_a_word_and_keeps_fitting_spans() -> None:
    text, spans = shorten("alpha beta gamma delta", [[0, 5], [11, 16], [17, 22]], 15)
    assert text == "alpha beta…"
    assert spans == [(0, 5)]


def test_badges_tolerate_missing_and_odd_values() -> None:
    assert badges({}, Labels("en")) == '<span class="ll-badges"></span>'
    markup = badges({"jurisdiction": 'X" onmouseover="1'}, Labels("en"))
    assert 'onmouseover="1' not in markup and "ll-j-other" in markup


def test_facet_summary_names_values_and_marks_the_chosen() -> None:
    facets = {"jurisdiction": {"MX": 40, "INTL": 10}, "language": {"ka": 5}, "kind": {}}
    markup = facet_summary(facets, Labels("en"), {"jurisdiction": ("MX",)})
    assert '<span class="ll-facet ll-on">Mexico 40</span>' in markup
    assert "International (ILO, USMCA) 10" in markup and "Georgian 5" in markup
    assert "Type of instrument" not in markup  # an empty group is left out
    assert facet_summary({}, Labels("en"), {}) == ""


def test_linked_text_links_indexed_citations_and_escapes() -> None:
    from ui.render import linked_text

    text = "De acuerdo con el artículo 784 de la <Ley>, y el artículo 784 otra vez."
    cites = [
        {"text": "artículo 784 de la <Ley>", "linked": True, "target_doc": "mx-lft-es", "target_article": "784",
         "target_citation": "Ley Federal del Trabajo, art. 784 (MX)"},
        {"text": "artículo 784", "linked": False, "instrument": "LFT"},
    ]
    html_text = linked_text(text, cites)
    assert '<a class="ll-cite" href="?doc=mx-lft-es&amp;article=784" target="_self"' in html_text
    assert "&lt;Ley&gt;</a>" in html_text
    assert '<span class="ll-cite-off" title="LFT">artículo 784</span> otra vez.' in html_text

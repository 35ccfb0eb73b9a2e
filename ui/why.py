"""A result's explanation (``explain=true``, docs/api.md) in sentences a person reads, in the
interface language; the citation to copy (Streamlit's code block has the copy button: an
HTML button needs an iframe per result, which made the page far slower to settle), the
permanent link and the export links.

Pure functions turn the API's explanation into text (tested without a browser); the
Streamlit pieces only place that text and the buttons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from ui.i18n import Labels


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def list_phrase(entry: Mapping[str, Any], labels: Labels) -> str:
    """What one ranked list is, in words: "closeness in meaning among texts in Spanish"."""
    kind, language = str(entry.get("kind")), entry.get("language")
    if kind == "dense" and language:
        what = labels("why.kind.dense_language", language=labels.language_name(language))
    elif kind in ("terms", "feedback"):
        what = labels(f"why.kind.{kind}", language=labels.language_name(language))
    elif kind == "translation":
        what = labels("why.kind.translation", rank=entry.get("rank"))
    else:
        what = labels(f"why.kind.{kind}")
    if entry.get("jurisdiction"):
        what = labels("why.within", what=what, jurisdiction=labels.jurisdiction(entry["jurisdiction"]))
    return what


def word_phrase(match: Mapping[str, Any], labels: Labels) -> str:
    matched = ", ".join(match.get("matched") or ())
    origin = str(match.get("origin"))
    if origin == "cross_lingual":
        text = labels("why.word.cross_lingual", word=match["query_word"], matched=matched, pair=match.get("pair"),
                      score=f"{float(match.get('score') or 0):.2f}")
    elif origin == "stemmed":
        text = labels("why.word.stemmed", word=match["query_word"], matched=matched)
    else:
        text = labels("why.word.typed", word=match["query_word"])
    return labels("why.word.context", text=text) if match.get("where") == "context" else text


def explanation_lines(explanation: Mapping[str, Any] | None, labels: Labels) -> list[str]:
    """The explanation as sentences, most important first: the lists and their shares, the
    words, the meaning, the prior, the engine's own account."""
    if not explanation:
        return []
    lines: list[str] = []
    fusion = explanation.get("fusion") or {}
    for entry in fusion.get("lists") or ():
        if entry.get("kind") in ("translation", "hybrid", "word_match"):
            lines.append(list_phrase(entry, labels))
        elif entry.get("counted"):
            lines.append(labels("why.list", list=list_phrase(entry, labels), rank=entry["rank"], share=_percent(entry["share"])))
        else:
            lines.append(labels("why.list.uncounted", list=list_phrase(entry, labels), rank=entry["rank"]))
    words = [word_phrase(m, labels) for m in explanation.get("lexical") or ()]
    if words:
        lines.append(labels("why.words", words="; ".join(words)))
    dense = explanation.get("dense")
    if dense:
        lines.append(labels("why.dense", cosine=f"{float(dense['cosine']):.2f}", chunk=int(dense["chunk"]) + 1, chunks=dense["chunks"]))
    prior = fusion.get("prior")
    if prior:
        lines.append(labels("why.prior", factor=prior["factor"], unit=prior["unit"]))
    engine = explanation.get("engine")
    if engine and engine.get("terms"):
        terms = ", ".join(f"{t['term']} ({t['field']}, {float(t['score']):.2f})" for t in engine["terms"][:6])
        lines.append(labels("why.engine", terms=terms))
    return lines


def export_url(api_url: str, path: str, params: Mapping[str, Any], fmt: str) -> str:
    """The API address that downloads a result list (or the compare view) in ``fmt``."""
    return api_url.rstrip("/") + path + "?" + urlencode({**params, "format": fmt, "offset": params.get("offset", 0)})


def export_links(api_url: str, path: str, params: Mapping[str, Any], labels: Labels) -> Sequence[tuple[str, str]]:
    return [(labels("export.csv"), export_url(api_url, path, params, "csv")), (labels("export.csl"), export_url(api_url, path, params, "csl-json"))]


# ---- Streamlit pieces ----------------------------------------------------------------------


def result_extras(hit: Mapping[str, Any], labels: Labels, provision_link: str) -> None:
    """Under a result: copy its citation, its permanent link, and "Why this result?"."""
    import streamlit as st

    citation = str(hit.get("formal_citation") or hit.get("citation") or "")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(labels("cite.copy"))
        with st.container(width="content"):
            st.code(citation, language=None, wrap_lines=True)  # Streamlit's code block carries a copy button
        st.link_button(labels("hit.permalink"), provision_link, type="tertiary", icon=":material/link:")
    lines = explanation_lines(hit.get("explanation"), labels)
    if lines:
        with st.expander(labels("why.title")):
            st.markdown("\n".join(f"- {line}" for line in lines))


def explain_toggle(labels: Labels) -> None:
    """Asks the API to explain each result ("Why this result?" under it); off by default, since
    an explanation re-reads every result's lists and matching words."""
    import streamlit as st

    st.toggle(labels("why.toggle"), key="explain", help=labels("why.toggle.help"))


def export_buttons(api_url: str, path: str, params: Mapping[str, Any], labels: Labels) -> None:
    """Download links for the list on screen (the API renders the file)."""
    import streamlit as st

    with st.container(horizontal=True):
        for text, url in export_links(api_url, path, {k: v for k, v in params.items() if k != "explain"}, labels):
            st.link_button(text, url, icon=":material/download:")

"""The sidebar: interface language, view, search mode, filters, and what the index holds.

Widget defaults are set once through session state rather than as ``default=`` arguments,
so a value restored from the URL or kept from an earlier page is never overridden.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import data, history
from ui import state as nav
from ui.client import JURISDICTIONS, KINDS, LANGUAGES, MODES
from ui.i18n import LANGUAGE_NAMES, Labels

DOC_TITLE_CHARS = 70


def _close_detail() -> None:
    nav.close_detail(st.session_state)


def _clear_filters() -> None:
    nav.clear_filters(st.session_state)


def set_defaults(language: str) -> None:
    """Initial values of the widgets and of the navigation state."""
    defaults: dict[str, Any] = {
        "lang": language,
        "view": "search",
        "mode": "hybrid",
        "q": "",
        "offset": 0,
        "cmp_jurisdictions": list(JURISDICTIONS),
        "cmp_limit": 3,
        "trail": [],
        "detail": None,
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def brand(labels: Labels) -> None:
    with st.sidebar:
        st.markdown("## laborlex")
        st.caption(labels("tagline"))


def language_selector() -> Labels:
    st.sidebar.selectbox(
        Labels(st.session_state["lang"])("interface_language"),
        options=list(LANGUAGE_NAMES),
        format_func=LANGUAGE_NAMES.__getitem__,
        key="lang",
        persist_state="session",
    )
    return Labels(st.session_state["lang"])


def view_and_mode(labels: Labels) -> None:
    with st.sidebar:
        st.radio(
            labels("view"),
            options=list(nav.VIEWS),
            format_func=lambda v: labels(f"view.{v}"),
            key="view",
            on_change=_close_detail,
            persist_state="session",
        )
        st.radio(
            labels("mode"),
            options=list(MODES),
            format_func=lambda m: labels(f"mode.{m}"),
            captions=[labels(f"mode.{m}.help") for m in MODES],
            key="mode",
            persist_state="session",
        )


def index_footer(labels: Labels, api_url: str, health: dict[str, Any] | None) -> None:
    with st.sidebar:
        st.divider()
        if health is not None:
            counts = {"documents": health.get("documents", 0), "passages": health.get("passages", 0)}
            st.caption(labels("index.stats", **counts))
        st.caption(labels("index.api", url=api_url))


def _document_label(documents: dict[str, str], labels: Labels, doc_id: str) -> str:
    if not doc_id:
        return labels("filter.all_documents")
    title = documents.get(doc_id, doc_id)
    return title if len(title) <= DOC_TITLE_CHARS else title[: DOC_TITLE_CHARS - 1] + "…"


def filters(api_url: str, labels: Labels) -> None:
    documents = {d["doc_id"]: str(d.get("title") or d["doc_id"]) for d in data.documents(api_url)}
    if st.session_state.get("f_doc") not in ("", None, *documents):
        st.session_state["f_doc"] = ""  # a document removed from the index since
    with st.sidebar:
        st.subheader(labels("filters"))
        choices = (("jurisdiction", JURISDICTIONS, labels.jurisdiction), ("language", LANGUAGES, labels.language_name),
                   ("kind", KINDS, labels.kind))
        for name, options, namer in choices:
            st.multiselect(labels(f"filter.{name}"), options=list(options), format_func=namer, key=f"f_{name}", persist_state="session")
        st.selectbox(
            labels("filter.document"),
            options=["", *sorted(documents, key=lambda d: documents[d].casefold())],
            format_func=lambda d: _document_label(documents, labels, d),
            key="f_doc",
            persist_state="session",
        )
        left, right = st.columns(2)
        for slot, name in ((left, "date_from"), (right, "date_to")):
            slot.text_input(labels(f"filter.{name}"), key=f"f_{name}", placeholder=labels("filter.date_help"), persist_state="session")
        history.as_of_input(labels)
        st.button(labels("filter.clear"), key="clear_filters", on_click=_clear_filters, type="tertiary")

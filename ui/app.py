"""laborlex in the browser: ``streamlit run ui/app.py -- --api-url http://127.0.0.1:8000``.

This script only wires things together: configuration, the language and view selectors,
the check that the API is there and has documents, then the chosen view. Everything it
shows comes from the HTTP API; any failure ends as a sentence on screen (the traceback goes
to the log of the process running Streamlit, where an operator can read it).
"""

from __future__ import annotations

import logging
import sys

import streamlit as st
from pydantic import ValidationError

from ui import data, render, sidebar, views
from ui import state as nav
from ui.client import ApiError, ApiTimeout, ApiUnreachable
from ui.config import UiConfig, load_config
from ui.i18n import Labels

log = logging.getLogger("laborlex.ui")


def unreachable(labels: Labels, api_url: str) -> None:
    st.error(f"**{labels('error.unreachable.title')}**\n\n{labels('error.unreachable.body', url=api_url)}")
    st.button(labels("error.retry"), key="retry")


def empty_index(labels: Labels) -> None:
    st.info(f"**{labels('index.empty.title')}**\n\n{labels('index.empty.body')}")
    st.button(labels("error.retry"), key="retry")


def page(config: UiConfig, labels: Labels) -> None:
    """The chosen view, once the API has answered that it is up and holds documents."""
    sidebar.view_and_mode(labels)
    health = None
    try:
        health = data.health(config.api_url)
        if int(health.get("documents") or 0) == 0:
            empty_index(labels)
            return
        target = nav.detail(st.session_state)
        if target is not None and target.kind == "similar":
            views.similar_view(config.api_url, labels, target)
        elif target is not None:
            views.provision_view(config.api_url, labels, target)
        elif st.session_state.get("view") == "compare":
            views.compare_view(config.api_url, labels)
        else:
            views.search_view(config.api_url, labels)
    finally:
        sidebar.index_footer(labels, config.api_url, health)


def guarded(config: UiConfig, labels: Labels) -> None:
    """Run the page; turn every failure into a message in the reader's language."""
    try:
        page(config, labels)
    except ApiUnreachable:
        unreachable(labels, config.api_url)
    except ApiTimeout:
        st.warning(labels("error.timeout", url=config.api_url))
    except ApiError as error:
        if error.status is not None and error.status < 500:
            views.show_rejection(error, labels)
        else:
            log.warning("API error: %s (HTTP %s)", error.message, error.status)
            st.error(labels("error.server", status=error.status or "?"))
    except Exception as error:  # the last resort: never a traceback on screen
        log.exception("interface failure")
        st.error(labels("error.unexpected", error=type(error).__name__))


def sync_url() -> None:
    """Mirror where the reader is into the address bar (see ``ui.state``)."""
    wanted = nav.url_params(st.session_state)
    current = st.query_params.to_dict()
    for key in nav.URL_KEYS:
        if key in wanted and current.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in current:
            del st.query_params[key]


def main() -> None:
    # No exception details on screen should anything slip past ``guarded`` (a callback, say).
    st.set_option("client.showErrorDetails", "none")
    st.set_page_config(page_title="laborlex", page_icon="⚖️", layout="wide", initial_sidebar_state="expanded")
    st.markdown(render.STYLE, unsafe_allow_html=True)
    try:
        config = load_config(sys.argv[1:])
    except ValidationError as error:
        first = error.errors()[0]
        where = "LABORLEX_" + "_".join(str(part) for part in first["loc"]).upper()
        st.error(Labels("en")("error.config", message=f"{where}: {first['msg']}"))
        return
    except ValueError as error:
        st.error(Labels("en")("error.config", message=str(error)))
        return
    if "_started" not in st.session_state:
        st.session_state["_started"] = True
        nav.restore_from_url(st.session_state, st.query_params.to_dict())
    sidebar.set_defaults(config.language)
    sidebar.brand(Labels(st.session_state["lang"]))
    labels = sidebar.language_selector()
    guarded(config, labels)
    sync_url()


main()

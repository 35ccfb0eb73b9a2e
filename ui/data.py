"""API answers, cached per question for the life of the interface process.

Every click in Streamlit reruns the whole script; without a cache, paging back or closing a
provision would repeat the same search (and its embedding) each time. Answers are kept a
short while only, so a re-ingested index shows up without a restart. Errors are never
cached: an API that comes back up is noticed at the next click. ``/health`` is not cached,
because it is how the interface notices the API or the index changing.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.client import LaborlexClient, SearchQuery

ANSWER_TTL_S = 60


@st.cache_resource(show_spinner=False)
def client(api_url: str) -> LaborlexClient:
    return LaborlexClient(api_url)


def health(api_url: str) -> dict[str, Any]:
    return client(api_url).health()


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=512)
def documents(api_url: str) -> list[dict[str, Any]]:
    return client(api_url).documents()


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=256)
def document(api_url: str, doc_id: str) -> dict[str, Any]:
    return client(api_url).document(doc_id)


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=512)
def search(api_url: str, query: SearchQuery) -> dict[str, Any]:
    return client(api_url).search(query)


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=256)
def compare(api_url: str, q: str, jurisdictions: tuple[str, ...], mode: str, limit: int) -> dict[str, Any]:
    return client(api_url).compare(q, jurisdictions, mode, limit)


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=512)
def provision(api_url: str, doc_id: str, article: str) -> dict[str, Any]:
    return client(api_url).provision(doc_id, article)


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=256)
def similar(
    api_url: str, doc_id: str, article: str, jurisdiction: tuple[str, ...], language: tuple[str, ...], limit: int
) -> dict[str, Any]:
    return client(api_url).similar(doc_id, article, jurisdiction, language, limit)


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=512)
def cited_by(api_url: str, doc_id: str, article: str) -> dict[str, Any]:
    return client(api_url).cited_by(doc_id, article)


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=512)
def cites(api_url: str, doc_id: str, article: str) -> dict[str, Any]:
    return client(api_url).cites(doc_id, article)


@st.cache_data(ttl=ANSWER_TTL_S, show_spinner=False, max_entries=512)
def history(api_url: str, doc_id: str, article: str) -> dict[str, Any]:
    return client(api_url).history(doc_id, article)

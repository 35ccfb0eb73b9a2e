"""The pages of the main area: search, compare jurisdictions, a provision, similar provisions.

Each view draws itself from the API's answers; navigation happens in button callbacks
(which run before the next script run), so no view ever needs ``st.rerun``. Inputs are
kept with ``persist_state="session"``: opening a provision and coming back finds the
question and filters as they were. API errors are left to the caller (``app.py``) except
where a view can say something more precise, such as which filter the API refused.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import streamlit as st

from ui import data, history, render, sidebar, why
from ui import state as nav
from ui.client import JURISDICTIONS, LANGUAGES, ApiError, NotFound, SearchQuery
from ui.i18n import Labels

PAGE_SIZE = 10
SIMILAR_LIMIT = 10
EXAMPLES: tuple[str, ...] = ("pago de horas extra", "worst forms of child labour", "ბავშვთა შრომის აკრძალვა")
COMPARE_SNIPPET_CHARS = 240
RULING_KINDS: tuple[str, ...] = ("case_law", "case_law_index")  # columns are narrow: a shorter snippet keeps them side by side


# ---- callbacks (run before the next script run) ------------------------------------------


def _open(kind: nav.DetailKind, doc_id: str, article: str, replace: bool = False) -> None:
    nav.open_detail(st.session_state, nav.Detail(kind, doc_id, article), replace=replace)


def _back() -> None:
    nav.go_back(st.session_state)


def _pick_example() -> None:
    picked = st.session_state.get("example")
    if picked:
        st.session_state["q"] = picked
    st.session_state["example"] = None


def _move_page(step: int) -> None:
    st.session_state["offset"] = max(0, int(st.session_state.get("offset", 0)) + step * PAGE_SIZE)


def _jump_to_provision(doc_id: str) -> None:
    _open("provision", doc_id, st.session_state["toc"], replace=True)


# ---- shared pieces ---------------------------------------------------------------------


def query_box(labels: Labels) -> str:
    left, right = st.columns([6, 1], vertical_alignment="bottom")
    left.text_input(
        labels("query.label"), key="q", placeholder=labels("query.placeholder"), max_chars=1000, persist_state="session"
    )
    right.button(labels("query.button"), key="search_button", type="primary", width="stretch")
    return str(st.session_state.get("q") or "").strip()


def result_block(
    hit: dict[str, Any], labels: Labels, context: str, *, similarity: bool = False, max_chars: int | None = None
) -> None:
    """A result card with the two ways on from it: read it in place, or find its likes."""
    doc_id, article = hit["doc_id"], hit["article"]
    ident = f"{context}:{hit.get('passage_id') or doc_id + '/' + article}"
    with st.container(border=True):
        st.markdown(render.hit_card(hit, labels, similarity=similarity, max_chars=max_chars), unsafe_allow_html=True)
        history.show_status(hit, labels)
        with st.container(horizontal=True):
            st.button(labels("hit.read"), key=f"open:{ident}", on_click=_open, args=("provision", doc_id, article))
            st.button(
                labels("hit.similar"), key=f"similar:{ident}", on_click=_open, args=("similar", doc_id, article), type="tertiary"
            )
        why.result_extras(hit, labels, render.provision_url(doc_id, article))  # citation, permalink, "why" (ui.why)


def show_rejection(error: ApiError, labels: Labels) -> None:
    """A 4xx about the user's input, named the way the interface names that input."""
    st.warning(labels("error.rejected", field=labels.field(error.field) or error.field or "?", message=error.message))


def is_refusal(error: ApiError) -> bool:
    """A 4xx is about what was asked and is shown in place; the rest is ``app.py``'s to report."""
    return error.status is not None and 400 <= error.status < 500


def back_button(labels: Labels) -> None:
    st.button(labels("nav.back"), key="back", on_click=_back, type="tertiary")


# ---- search ------------------------------------------------------------------------------


def current_search(q: str) -> SearchQuery:
    """The search the widgets describe; a new question or filter starts again at page 1."""
    ss = st.session_state
    query = SearchQuery(
        q=q,
        mode=ss.get("mode", "hybrid"),
        jurisdiction=tuple(ss.get("f_jurisdiction") or ()),
        language=tuple(ss.get("f_language") or ()),
        kind=tuple(ss.get("f_kind") or ()),
        date_from=str(ss.get("f_date_from") or "").strip(),
        date_to=str(ss.get("f_date_to") or "").strip(),
        doc=str(ss.get("f_doc") or ""),
        as_of=str(ss.get("f_as_of") or "").strip(),
        limit=PAGE_SIZE,
        explain=bool(ss.get("explain", False)),  # opt-in: explaining costs each search a third more
    )
    signature = dataclasses.replace(query, explain=False)  # explaining the same page keeps it
    if ss.get("_search_signature") != signature:
        ss["_search_signature"] = signature
        ss["offset"] = 0
    return dataclasses.replace(query, offset=int(ss.get("offset", 0)))


def search_view(api_url: str, labels: Labels) -> None:
    sidebar.filters(api_url, labels)
    q = query_box(labels)
    if not q:
        st.caption(labels("query.hint"))
        st.pills(labels("query.examples"), options=list(EXAMPLES), key="example", on_change=_pick_example)
        return
    query = current_search(q)
    try:
        with st.spinner():
            answer = data.search(api_url, query)
    except ApiError as error:  # a malformed date, or a document filter no longer indexed
        if not is_refusal(error):
            raise
        show_rejection(error, labels)
        return
    results: list[dict[str, Any]] = answer.get("results", [])
    total = int(answer.get("total", 0))
    selected = {"jurisdiction": query.jurisdiction, "language": query.language, "kind": query.kind}
    if results:
        st.caption(labels("results.count", start=query.offset + 1, end=query.offset + len(results), total=total))
        why.export_buttons(api_url, "/search", query.params(), labels)
        why.explain_toggle(labels)
    st.markdown(render.facet_summary(answer.get("facets") or {}, labels, selected), unsafe_allow_html=True)
    if not results:
        st.info(labels("results.none"))
        return
    for hit in results:
        result_block(hit, labels, "search")
    pager(query.offset, total, labels)


def pager(offset: int, total: int, labels: Labels) -> None:
    if total <= PAGE_SIZE:
        return
    pages = math.ceil(total / PAGE_SIZE)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(labels("results.previous"), key="page_previous", on_click=_move_page, args=(-1,), disabled=offset == 0)
        st.caption(labels("results.page", page=offset // PAGE_SIZE + 1, pages=pages))
        last = offset + PAGE_SIZE >= total
        st.button(labels("results.next"), key="page_next", on_click=_move_page, args=(1,), disabled=last)


# ---- compare -----------------------------------------------------------------------------


def compare_view(api_url: str, labels: Labels) -> None:
    st.subheader(labels("compare.title"))
    st.caption(labels("compare.intro"))
    q = query_box(labels)
    left, right = st.columns([3, 1])
    left.multiselect(
        labels("compare.jurisdictions"),
        options=list(JURISDICTIONS),
        format_func=labels.jurisdiction,
        key="cmp_jurisdictions",
        persist_state="session",
    )
    right.slider(labels("compare.limit"), min_value=1, max_value=5, key="cmp_limit", persist_state="session")
    chosen = tuple(st.session_state.get("cmp_jurisdictions") or ())
    if not q:
        st.caption(labels("compare.hint"))
        return
    if not chosen:
        st.info(labels("compare.pick"))
        return
    try:
        with st.spinner():
            mode, limit = st.session_state.get("mode", "hybrid"), int(st.session_state["cmp_limit"])
            answer = data.compare(api_url, q, chosen, mode, limit)
    except ApiError as error:
        if not is_refusal(error):
            raise
        show_rejection(error, labels)
        return
    columns = answer.get("columns", [])
    why.export_buttons(api_url, "/compare", {"q": q, "jurisdictions": ",".join(chosen), "mode": mode, "limit": limit}, labels)
    for column, slot in zip(columns, st.columns(len(columns) or 1), strict=False):
        with slot:
            st.markdown(render.column_header(column["jurisdiction"], labels), unsafe_allow_html=True)
            if not column.get("results"):
                st.caption(labels("compare.empty_column"))
            for hit in column.get("results", []):
                result_block(hit, labels, f"compare-{column['jurisdiction']}", max_chars=COMPARE_SNIPPET_CHARS)


# ---- a provision in its document ---------------------------------------------------------


def provision_view(api_url: str, labels: Labels, target: nav.Detail) -> None:
    back_button(labels)
    try:
        answer = data.provision(api_url, target.doc, target.article)
    except NotFound as error:
        st.warning(labels("provision.not_found", message=error.message))
        return
    provision: dict[str, Any] = answer["provision"]
    document = data.document(api_url, target.doc)
    st.subheader(provision.get("label") or provision.get("article") or "")
    st.markdown(render.provision_heading(provision, labels), unsafe_allow_html=True)
    completeness = document.get("completeness")
    if completeness and completeness != "complete":
        st.caption(labels("provision.partial", completeness=completeness))
    st.code(provision.get("citation") or "", language=None)
    outgoing = data.cites(api_url, target.doc, target.article).get("citations", [])
    with st.container(border=True):
        text = provision.get("text") or ""
        ruling = provision.get("kind") in RULING_KINDS
        st.markdown(render.linked_text(text, outgoing) if ruling else render.provision_text(text), unsafe_allow_html=True)
    history.show_timeline(api_url, labels, target.doc, target.article)
    neighbours(answer, labels, target)
    citation_lists(data.cited_by(api_url, target.doc, target.article), outgoing, labels)
    table_of_contents(document, labels, target)


def citation_lists(cited_by: dict[str, Any], outgoing: list[dict[str, Any]], labels: Labels) -> None:
    """"Cited by" (rulings first) and "Cites": each entry opens the provision on the other side."""
    incoming = [(group, entry) for group in cited_by.get("groups", []) for entry in group.get("citations", [])]
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{labels('citations.cited_by', count=len(incoming))}**")
        if not incoming:
            st.caption(labels("citations.cited_by.none"))
        for group, entry in incoming:
            kind = labels.kind(group.get("kind"))
            st.button(
                f"{entry.get('citation') or entry['article']}" + (f" · {kind}" if kind else ""),
                key=f"citedby:{entry['passage_id']}",
                help=" · ".join(entry.get("texts") or []),
                on_click=_open, args=("provision", group["doc_id"], entry["article"]), type="tertiary",
            )
    with right:
        external = [c for c in outgoing if not c.get("internal")]
        st.markdown(f"**{labels('citations.cites', count=len(external))}**")
        if not external:
            st.caption(labels("citations.cites.none"))
        for n, item in enumerate(external):
            shown = item.get("target_citation") or item.get("instrument") or item.get("text")
            words = " ".join(str(item.get("text") or "").split())
            if item.get("linked") and item.get("target_doc") and item.get("target_article"):
                st.button(
                    str(shown), key=f"cites:{n}:{item['passage_id']}", help=words,
                    on_click=_open, args=("provision", item["target_doc"], item["target_article"]), type="tertiary",
                )
            else:
                note = labels("citations.not_indexed") if item.get("resolved") else labels("citations.unresolved")
                st.caption(f"{words} — {note}")


def neighbours(answer: dict[str, Any], labels: Labels, target: nav.Detail) -> None:
    """Previous and next provisions of the same document, and provisions like this one."""
    previous, following = answer.get("previous"), answer.get("next")
    with st.container(horizontal=True, vertical_alignment="center"):
        if previous:
            _neighbour_button(f"← {previous.get('label') or previous['article']}", "neighbour_previous", previous, target)
        else:
            st.caption(labels("nav.start_of_document"))
        similar = ("similar", target.doc, target.article)
        st.button(labels("hit.similar"), key="provision_similar", on_click=_open, args=similar, type="tertiary")
        if following:
            _neighbour_button(f"{following.get('label') or following['article']} →", "neighbour_next", following, target)
        else:
            st.caption(labels("nav.end_of_document"))


def _neighbour_button(text: str, key: str, neighbour: dict[str, Any], target: nav.Detail) -> None:
    """Moving to a neighbour replaces the page: Back still leads to the results."""
    args = ("provision", target.doc, neighbour["article"], True)
    st.button(text, key=key, help=neighbour.get("citation"), on_click=_open, args=args)


def table_of_contents(document: dict[str, Any], labels: Labels, target: nav.Detail) -> None:
    entries = {str(p["article"]): str(p.get("label") or p["article"]) for p in document.get("provisions", [])}
    if target.article not in entries:
        return
    st.session_state["toc"] = target.article
    st.selectbox(
        labels("provision.go_to"),
        options=list(entries),
        format_func=entries.__getitem__,
        key="toc",
        on_change=_jump_to_provision,
        args=(target.doc,),
    )


# ---- similar provisions ------------------------------------------------------------------


def similar_view(api_url: str, labels: Labels, target: nav.Detail) -> None:
    back_button(labels)
    header = st.container()  # filled once the answer names the source provision
    left, right = st.columns(2)
    left.multiselect(
        labels("similar.jurisdiction"), options=list(JURISDICTIONS), format_func=labels.jurisdiction,
        key="sim_jurisdiction", persist_state="session",
    )
    right.multiselect(
        labels("similar.language"), options=list(LANGUAGES), format_func=labels.language_name,
        key="sim_language", persist_state="session",
    )
    jurisdictions = tuple(st.session_state.get("sim_jurisdiction") or ())
    languages = tuple(st.session_state.get("sim_language") or ())
    try:
        with st.spinner():
            answer = data.similar(api_url, target.doc, target.article, jurisdictions, languages, SIMILAR_LIMIT)
    except NotFound as error:
        st.warning(labels("provision.not_found", message=error.message))
        return
    source = answer.get("source") or {}
    with header:
        st.subheader(labels("similar.title"))
        st.markdown(f'<div class="ll-citation">{render.escape(source.get("citation"))}</div>', unsafe_allow_html=True)
        st.caption(labels("similar.intro"))
    results = answer.get("results", [])
    if not results:
        st.info(labels("similar.none"))
    for hit in results:
        result_block(hit, labels, "similar", similarity=True)

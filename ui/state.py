"""Navigation and remembered inputs of one browser session.

Where the reader is (results, a provision, similar
provisions) is mirrored in the URL's query parameters, so a provision can be bookmarked or
sent to a colleague, and the browser's reload lands on the same page.

Functions take the state as a plain mapping so they can be tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ui.client import MODES

DetailKind = Literal["provision", "similar"]
VIEWS: tuple[str, ...] = ("search", "compare")

URL_KEYS: tuple[str, ...] = ("view", "q", "mode", "doc", "article", "show")
FILTER_KEYS: tuple[str, ...] = ("f_jurisdiction", "f_language", "f_kind", "f_doc", "f_date_from", "f_date_to", "f_as_of")


@dataclass(frozen=True, slots=True)
class Detail:
    """A page below the main views: a provision in its document, or provisions like it."""

    kind: DetailKind
    doc: str
    article: str


def detail(state: Mapping[str, Any]) -> Detail | None:
    value = state.get("detail")
    return Detail(**value) if isinstance(value, dict) else None


def open_detail(state: MutableMapping[str, Any], target: Detail, *, replace: bool = False) -> None:
    """Go to ``target``; Back returns here unless ``replace`` (moving between neighbours)."""
    current = state.get("detail")
    if not replace:
        state["trail"] = [*state.get("trail", []), current]
    state["detail"] = asdict(target)


def go_back(state: MutableMapping[str, Any]) -> None:
    history = list(state.get("trail", []))
    state["detail"] = history.pop() if history else None
    state["trail"] = history


def close_detail(state: MutableMapping[str, Any]) -> None:
    state["detail"] = None
    state["trail"] = []


def clear_filters(state: MutableMapping[str, Any]) -> None:
    for key in FILTER_KEYS:
        state.pop(key, None)


def restore_from_url(state: MutableMapping[str, Any], params: Mapping[str, str]) -> None:
    """On a session's first run, take the view, question and open provision from the URL."""
    if params.get("view") in VIEWS:
        state["view"] = params["view"]
    if params.get("q"):
        state["q"] = params["q"]
    if params.get("mode") in MODES:
        state["mode"] = params["mode"]
    if params.get("doc") and params.get("article"):
        kind: DetailKind = "similar" if params.get("show") == "similar" else "provision"
        state["detail"] = asdict(Detail(kind, params["doc"], params["article"]))
        state["trail"] = [None]  # Back leads to the main view


def url_params(state: Mapping[str, Any]) -> dict[str, str]:
    """What the URL should say about where this session is."""
    params: dict[str, str] = {}
    view = state.get("view")
    if view in VIEWS and view != "search":
        params["view"] = view
    if state.get("q"):
        params["q"] = str(state["q"])
    if state.get("mode") in MODES and state.get("mode") != "hybrid":
        params["mode"] = str(state["mode"])
    current = detail(state)
    if current is not None:
        params.update({"doc": current.doc, "article": current.article})
        if current.kind == "similar":
            params["show"] = "similar"
    return params

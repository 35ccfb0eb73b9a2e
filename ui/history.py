"""Amendment history in the interface: badges on results, the "as of" filter and a
provision's timeline.

A repealed provision must never read as law in force, and a provision amended after the
"as of" date must say that its text is today's, so those badges come first and in colour.
HTML is built here from escaped pieces (``ui.render``); the Streamlit calls are the thin
functions at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from ui import data
from ui.i18n import Labels
from ui.render import badge, escape

STYLE = """<style>
.ll-repealed{background:#fde2e1;color:#8a1c12;border-color:#f2b8b3}
.ll-changed{background:#fff4d6;color:#6e4a0c;border-color:#f0d68a}
.ll-amended{background:#f1f3f6;color:#44505c}
.ll-timeline{list-style:none;margin:.3rem 0 .6rem 0;padding:0 0 0 14px;border-left:2px solid #c9d1da;font-size:.85rem}
.ll-timeline li{position:relative;margin:0 0 .35rem 0}
.ll-timeline li:before{content:"";position:absolute;left:-20px;top:.45rem;width:10px;height:10px;border-radius:50%;background:#8a98a8}
.ll-timeline li.ll-t-repealed:before{background:#c0392b}.ll-timeline li.ll-t-added:before{background:#2e7d32}
.ll-timeline .ll-t-date{font-weight:600;margin-right:6px;font-variant-numeric:tabular-nums}
.ll-timeline .ll-t-note{color:#6b7785;font-size:.75rem}
</style>"""


def status_badges(hit: Mapping[str, Any], labels: Labels) -> str:
    """Repealed, changed since the "as of" date, or last amended; empty when there is no history."""
    parts: list[str] = []
    if hit.get("repealed"):
        when = str(hit.get("repealed_on") or "")
        parts.append(badge(labels("history.repealed", date=when) if when else labels("history.repealed_undated"),
                           "ll-repealed", labels("history.repealed.help")))
    changed: Sequence[str] = hit.get("changed_after_as_of") or []
    if changed:
        parts.append(badge(labels("history.changed", dates=", ".join(changed)), "ll-changed", labels("history.changed.help")))
    elif hit.get("last_amended") and not hit.get("repealed"):
        parts.append(badge(labels("history.amended", date=hit["last_amended"]), "ll-amended"))
    return f'<div class="ll-badges">{"".join(parts)}</div>' if parts else ""


def timeline(history: Mapping[str, Any], labels: Labels) -> str:
    """The provision's events, oldest first, one line each: date, what happened to which part."""
    events: Sequence[Mapping[str, Any]] = history.get("events") or []
    items: list[str] = []
    for event in events:
        action, part = str(event.get("action") or ""), str(event.get("part") or "")
        what = labels("history.event", action=labels(f"history.action.{action}"), part=labels(f"history.part.{part}"))
        gazette = escape(str(event.get("gazette") or ""))
        items.append(
            f'<li class="ll-t-{escape(action)}"><span class="ll-t-date">{escape(str(event.get("date") or ""))}</span>'
            f'{escape(what)} <span class="ll-t-note">{gazette} · {escape(str(event.get("note") or ""))}</span></li>'
        )
    if not items:
        return ""
    return f'<div class="ll-history"><ul class="ll-timeline">{"".join(items)}</ul></div>'


def history_caption(history: Mapping[str, Any], labels: Labels) -> str:
    """One sentence on where the provision stands (shown above the timeline)."""
    if history.get("repealed"):
        return labels("history.status.repealed", date=history.get("repealed_on") or "?")
    if history.get("events"):
        return labels("history.status.amended", date=history.get("amended_on") or "?", count=len(history["events"]))
    if history.get("added_on"):
        return labels("history.status.since", date=history["added_on"])
    return ""


# ---- Streamlit -----------------------------------------------------------------------------


def show_status(hit: Mapping[str, Any], labels: Labels) -> None:
    """Badges under a result card (nothing for a provision without history)."""
    html = status_badges(hit, labels)
    if html:
        st.markdown(STYLE + html, unsafe_allow_html=True)


def show_timeline(api_url: str, labels: Labels, doc_id: str, article: str) -> None:
    """The provision page's history: a caption and the timeline, in an expander when long."""
    try:
        history = data.history(api_url, doc_id, article)
    except Exception:  # noqa: BLE001 - an API without the route (older server): no timeline
        return
    caption, events = history_caption(history, labels), history.get("events") or []
    if not caption:
        return
    st.markdown(f"**{escape(labels('history.title'))}**")
    st.caption(caption)
    if events:
        with st.expander(labels("history.timeline", count=len(events)), expanded=len(events) <= 6):
            st.markdown(STYLE + timeline(history, labels), unsafe_allow_html=True)


def as_of_input(labels: Labels) -> None:
    """The "as of" date among the sidebar filters."""
    st.text_input(labels("filter.as_of"), key="f_as_of", placeholder="YYYY-MM-DD", help=labels("filter.as_of.help"),
                  persist_state="session")

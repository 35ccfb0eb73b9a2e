"""Results, badges and provision texts as HTML for ``st.markdown(..., unsafe_allow_html=True)``.

Legal texts are untrusted input for a browser: every piece of text from the API is escaped
here and nowhere else, and highlights are inserted between escaped pieces so a span can
never cut an entity in two. Each fragment is a single line starting with ``<div``: Markdown
then takes it as one raw HTML block, so asterisks, underscores or dollar signs in a statute
are never read as Markdown or LaTeX.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from ui.i18n import Labels

STYLE = """<style>
[data-testid="stMainBlockContainer"]{padding-top:4rem}
.ll-card{line-height:1.5}
.ll-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 10px}
.ll-citation{font-weight:600;font-size:1.02rem}
.ll-badges{display:inline-flex;flex-wrap:wrap;gap:4px}
.ll-badge{display:inline-block;padding:0 8px;border-radius:9px;font-size:.72rem;font-weight:600;letter-spacing:.02em;line-height:1.5rem;border:1px solid rgba(0,0,0,.08);background:#eef1f5;color:#33404d;white-space:nowrap}
.ll-ocr{background:#fff4d6;color:#6b4e00}
.ll-j-MX{background:#e3f2e6;color:#1d5a2c}.ll-j-HN{background:#e2eefb;color:#17467a}
.ll-j-GE{background:#fbe6e6;color:#7d1f1f}.ll-j-US{background:#ece6f7;color:#452a7a}
.ll-j-INTL{background:#fdf1dc;color:#6e4a0c}
.ll-lang{background:#fff;color:#44505c;border-color:#c9d1da}
.ll-trail{color:#6b7785;font-size:.8rem;margin-top:2px}
.ll-snippet{margin:.45rem 0 .35rem 0;font-size:.95rem}
.ll-snippet mark,.ll-text mark{background:#ffe58a;color:inherit;padding:0 1px;border-radius:2px}
.ll-meta{color:#6b7785;font-size:.78rem}
.ll-facets{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:.8rem;color:#44505c;margin:.2rem 0 .6rem 0}
.ll-facet-group b{font-weight:600;margin-right:4px}
.ll-facet{margin-right:8px;white-space:nowrap}.ll-facet.ll-on{font-weight:700;text-decoration:underline}
.ll-text{font-family:Georgia,'DejaVu Serif',serif;font-size:1.02rem;line-height:1.7;max-width:54rem}
.ll-colhead{font-weight:700;font-size:1.05rem;margin-bottom:.3rem}
.ll-doc{color:#44505c;font-size:.9rem}
.ll-cite{text-decoration:underline}.ll-cite-off{text-decoration:underline dotted}
</style>"""

TRAIL_SEPARATOR = " › "


def escape(text: str | None) -> str:
    """HTML-escape and neutralise what Markdown would still see in a line of text."""
    escaped = html.escape(text or "", quote=True).replace("$", "&#36;")
    return escaped.replace("\r", "").replace("\n", " ")


def escape_block(text: str | None) -> str:
    """Like :func:`escape`, keeping line breaks: a provision's paragraphs matter."""
    lines = html.escape(text or "", quote=True).replace("$", "&#36;").replace("\r", "").split("\n")
    return "<br>".join(lines)


def merge_spans(spans: Iterable[Sequence[int]], text: str) -> list[tuple[int, int]]:
    """Clamp spans to the text and merge those that overlap or are apart only by spaces,
    so a matched phrase reads as one mark rather than a row of separate words."""
    merged: list[tuple[int, int]] = []
    for span in sorted((max(0, int(s[0])), min(len(text), int(s[1]))) for s in spans if len(s) >= 2):
        start, end = span
        if end <= start:
            continue
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, spans: Iterable[Sequence[int]]) -> str:
    """``text`` escaped, with the API's ``[start, end)`` spans marked."""
    pieces: list[str] = []
    cursor = 0
    for start, end in merge_spans(spans, text):
        pieces.append(escape(text[cursor:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def shorten(text: str, spans: Sequence[Sequence[int]], max_chars: int) -> tuple[str, list[tuple[int, int]]]:
    """Cut ``text`` at a word boundary near ``max_chars``, keeping the spans that still fit."""
    if len(text) <= max_chars:
        return text, [(int(s[0]), int(s[1])) for s in spans]
    cut = text.rfind(" ", 0, max_chars)
    cut = cut if cut > max_chars // 2 else max_chars
    kept = [(int(s[0]), min(int(s[1]), cut)) for s in spans if int(s[0]) < cut]
    return text[:cut].rstrip(" ,;:…") + "…", kept


def badge(text: str, css: str = "", title: str = "") -> str:
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<span class="ll-badge {css}"{title_attr}>{escape(text)}</span>'


def _css_token(value: str | None) -> str:
    """Codes become CSS classes only if they are plain words (they come from the API)."""
    return value if value and value.replace("_", "").isalnum() else "other"


def badges(item: Mapping[str, Any], labels: Labels) -> str:
    """Jurisdiction, language, kind and date of a provision, each named in a tooltip; "from a scan" when OCR'd."""
    parts: list[str] = []
    jurisdiction = item.get("jurisdiction")
    if jurisdiction:
        parts.append(badge(jurisdiction, f"ll-j-{_css_token(jurisdiction)}", labels.jurisdiction(jurisdiction)))
    language = item.get("language")
    if language:
        parts.append(badge(str(language).upper(), "ll-lang", labels.language_name(language)))
    kind = item.get("kind")
    if kind:
        parts.append(badge(labels.kind(kind), "ll-kind"))
    date = item.get("date")
    if date:
        parts.append(badge(str(date), "ll-date"))
    ocr = item.get("ocr_confidence")
    if ocr is not None:
        parts.append(badge(labels("hit.ocr"), "ll-ocr", labels("hit.ocr.title", confidence=f"{float(ocr):.0f}")))
    return f'<span class="ll-badges">{"".join(parts)}</span>'


def trail(heading_path: Sequence[str] | None) -> str:
    """Where the provision sits: book › title › chapter; empty when there are no headings."""
    headings = [h for h in (heading_path or []) if h]
    if not headings:
        return ""
    return f'<div class="ll-trail">{escape(TRAIL_SEPARATOR.join(headings))}</div>'


def page_note(page: int | None, page_end: int | None, labels: Labels) -> str:
    if page is None:
        return ""
    if page_end is not None and page_end != page:
        return labels("hit.pages", start=page, end=page_end)
    return labels("hit.page", page=page)


def rank_note(ranks: Mapping[str, int] | None, labels: Labels) -> str:
    """Which retriever found it, and how high: researchers compare the two."""
    notes = [labels(f"hit.rank.{name}", rank=rank) for name, rank in sorted((ranks or {}).items()) if name in ("bm25", "dense")]
    return " · ".join(notes)


def hit_card(hit: Mapping[str, Any], labels: Labels, *, similarity: bool = False, max_chars: int | None = None) -> str:
    """One result: citation and badges, headings, highlighted snippet, provenance line."""
    meta: list[str] = []
    title = str(hit.get("title") or "")
    if title and not str(hit.get("citation") or "").startswith(title):
        meta.append(escape(title))
    page = page_note(hit.get("page"), None, labels)
    if page:
        meta.append(escape(page))
    if similarity:
        meta.append(escape(labels("hit.similarity", score=f"{float(hit.get('score') or 0):.2f}")))
    else:
        ranks = rank_note(hit.get("ranks"), labels)
        if ranks:
            meta.append(escape(ranks))
    if int(hit.get("cited_by_count") or 0) > 0:
        meta.append(escape(labels("hit.cited_by", count=int(hit["cited_by_count"]))))
    text, spans = str(hit.get("snippet") or ""), hit.get("highlights") or []
    if max_chars is not None:
        text, spans = shorten(text, spans, max_chars)
    snippet = highlight(text, spans)
    return (
        '<div class="ll-card">'
        f'<div class="ll-head"><span class="ll-citation">{escape(hit.get("citation"))}</span>{badges(hit, labels)}</div>'
        f"{trail(hit.get('heading_path'))}"
        f'<div class="ll-snippet">{snippet}</div>'
        f'<div class="ll-meta">{" · ".join(meta)}</div>'
        "</div>"
    )


def facet_summary(facets: Mapping[str, Mapping[str, int]], labels: Labels, selected: Mapping[str, Sequence[str]]) -> str:
    """Counts per jurisdiction, language and kind among the candidates, chosen ones marked."""
    namers = {"jurisdiction": labels.jurisdiction, "language": labels.language_name, "kind": labels.kind}
    titles = {"jurisdiction": "filter.jurisdiction", "language": "filter.language", "kind": "filter.kind"}
    groups: list[str] = []
    for name, namer in namers.items():
        counts = facets.get(name) or {}
        if not counts:
            continue
        chosen = set(selected.get(name) or ())
        items = "".join(
            f'<span class="ll-facet{" ll-on" if value in chosen else ""}">{escape(namer(value))} {int(count)}</span>'
            for value, count in counts.items()
        )
        groups.append(f'<span class="ll-facet-group"><b>{escape(labels(titles[name]))}:</b>{items}</span>')
    return f'<div class="ll-facets">{"".join(groups)}</div>' if groups else ""


def provision_heading(provision: Mapping[str, Any], labels: Labels) -> str:
    """The document a provision belongs to, its badges, headings and pages."""
    pages = page_note(provision.get("page"), provision.get("page_end"), labels)
    pages_html = f' · {escape(pages)}' if pages else ""
    return (
        '<div class="ll-card">'
        f'<div class="ll-head"><span class="ll-doc">{escape(provision.get("title"))}{pages_html}</span>{badges(provision, labels)}</div>'
        f"{trail(provision.get('heading_path'))}"
        "</div>"
    )


def provision_text(text: str) -> str:
    return f'<div class="ll-text">{escape_block(text)}</div>'


def provision_url(doc_id: str, article: str) -> str:
    """A link that opens a provision (the interface restores it from the URL, see ui.state)."""
    return "?" + urlencode({"doc": doc_id, "article": article})


def linked_text(text: str, citations: Sequence[Mapping[str, Any]]) -> str:
    """A ruling's text with each citation a link to what it cites (where that is indexed).

    Citations are found by their words, in order, in the text as read (the API gives their
    spans in passages, which long rulings split); one the index cannot open is underlined
    with the instrument in a tooltip.
    """
    pieces: list[str] = []
    cursor = 0
    for item in citations:
        words = str(item.get("text") or "")
        at = text.find(words, cursor) if words else -1
        if at < 0:
            continue
        pieces.append(escape_block(text[cursor:at]))
        shown = escape_block(words)
        target_doc, target_article = item.get("target_doc"), item.get("target_article")
        if item.get("linked") and target_doc and target_article:
            tip = escape(item.get("target_citation") or "")
            url = escape(provision_url(str(target_doc), str(target_article)))
            pieces.append(f'<a class="ll-cite" href="{url}" target="_self" title="{tip}">{shown}</a>')
        else:
            tip = escape(item.get("instrument") or item.get("target_doc") or "")
            pieces.append(f'<span class="ll-cite-off" title="{tip}">{shown}</span>')
        cursor = at + len(words)
    pieces.append(escape_block(text[cursor:]))
    return f'<div class="ll-text">{"".join(pieces)}</div>'


def column_header(jurisdiction: str, labels: Labels) -> str:
    css = f"ll-j-{_css_token(jurisdiction)}"
    return f'<div class="ll-colhead">{badge(jurisdiction, css)} {escape(labels.jurisdiction(jurisdiction))}</div>'

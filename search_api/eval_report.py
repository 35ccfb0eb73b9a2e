"""A report of an evaluation run that a person can read at a glance.

`laborlex eval` prints numbers; to see *where* retrieval fails one needs the queries. This
module turns one or more ``evaluate()`` outputs (one per mode) into a folder holding
``metrics.png`` (bars per slice and mode), ``index.html`` (the metrics table, then every
query with what was expected, what came first and the rank of the first relevant
provision) and ``report.json`` (the raw reports, so the page can be rebuilt or diffed).

The functions here only render: they rely on ``search_api.evaluation.evaluate``'s output
shape and do no searching or scoring of their own.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from search_api.evaluation import WILDCARD

PNG_NAME = "metrics.png"
HTML_NAME = "index.html"
JSON_NAME = "report.json"
DEFAULT_TITLE = "laborlex retrieval evaluation"
CHART_METRICS: tuple[tuple[str, str], ...] = (("ndcg@10", "nDCG@10"), ("recall@10", "Recall@10"))
TABLE_METRICS: tuple[str, ...] = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
TOP_SHOWN = 3
CUTOFF = 10  # a first relevant rank beyond this is a miss for every @10 metric
# Okabe-Ito: tells modes apart for colour-blind readers too.
MODE_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


def write_report(reports: dict[str, dict[str, Any]], out_dir: Path, title: str | None = None) -> list[Path]:
    """Write metrics.png, index.html and report.json for ``{mode: evaluate() output}`` into ``out_dir``.

    The folder is created if missing; existing files of the same names are replaced, so a
    report folder can be regenerated in place. Returns the written paths.
    """
    if not reports:
        raise ValueError("no reports to write")
    out_dir.mkdir(parents=True, exist_ok=True)
    title = title or DEFAULT_TITLE
    png = out_dir / PNG_NAME
    render_chart(reports, png, title)
    page = out_dir / HTML_NAME
    page.write_text(render_html(reports, title, image=PNG_NAME), encoding="utf-8")
    raw = out_dir / JSON_NAME
    raw.write_text(json.dumps(reports, ensure_ascii=False, indent=2), encoding="utf-8")
    return [png, page, raw]


def slices(reports: dict[str, dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(label, key, query count) for overall, each query language, cross-lingual.

    Languages are the union over modes (they are normally the same judgments), so a
    report over several modes lines up slice by slice.
    """
    first = next(iter(reports.values()))
    languages = sorted({lang for report in reports.values() for lang in report.get("by_lang", {})})
    rows = [("overall", "overall", int(first.get("n_queries", 0)))]
    rows += [(lang or "?", f"lang:{lang}", int(first.get("n_by_lang", {}).get(lang, 0))) for lang in languages]
    rows.append(("cross-lingual", "cross_lingual", int(first.get("n_cross_lingual", 0))))
    return rows


def slice_metrics(report: dict[str, Any], key: str) -> dict[str, float]:
    """The metrics of one slice (``overall``, ``lang:es``, ``cross_lingual``); empty when absent."""
    if key.startswith("lang:"):
        return dict(report.get("by_lang", {}).get(key[len("lang:") :], {}))
    return dict(report.get(key, {}))


def render_chart(reports: dict[str, dict[str, Any]], path: Path, title: str) -> None:
    """Grouped bars, one panel per metric in CHART_METRICS: slices on x, one bar per mode.

    Uses the Agg canvas directly (no pyplot), so it never needs a display and leaves
    matplotlib's global state alone.
    """
    modes = list(reports)
    groups = slices(reports)
    n_modes = len(modes)
    width = 0.8 / n_modes
    fig = Figure(figsize=(max(7.0, 1.1 + len(groups) * (0.45 + 0.5 * n_modes)), 7.2), dpi=120)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(CHART_METRICS), 1, sharex=True)
    axes = list(axes) if len(CHART_METRICS) > 1 else [axes]
    positions = list(range(len(groups)))
    value_size = 8 if n_modes <= 3 else 7
    for ax, (metric, label) in zip(axes, CHART_METRICS):
        for i, mode in enumerate(modes):
            values = [slice_metrics(reports[mode], key).get(metric, 0.0) for _, key, _ in groups]
            offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
            bars = ax.bar(offsets, values, width * 0.92, label=mode, color=MODE_COLOURS[i % len(MODE_COLOURS)])
            ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=2, fontsize=value_size)
        ax.set_ylim(0, 1.12)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_ylabel(label)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xticks(positions, [f"{name}\n(n={n})" for name, _, n in groups])
    axes[0].legend(title="mode", ncols=n_modes, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    fig.savefig(path, format="png")


def matches(key: str, expected: Iterable[str]) -> bool:
    """Whether a result key ``doc::article`` satisfies a judgment, including ``doc::*`` ones."""
    wanted = set(expected)
    doc = key.split("::", 1)[0]
    return key in wanted or f"{doc}::{WILDCARD}" in wanted


def rank_class(rank: int | None) -> str:
    """CSS class for a first relevant rank: hit at 1, hit in the top 10, or a miss."""
    if rank is None or rank > CUTOFF:
        return "miss"
    return "hit1" if rank == 1 else "hit10"


def render_html(reports: dict[str, dict[str, Any]], title: str, image: str = PNG_NAME) -> str:
    """The whole page as one self-contained string (inline CSS and JS, image by relative path)."""
    modes = list(reports)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        (
            f'<p class="note">{len(_query_ids(reports))} queries · modes: {esc(", ".join(modes))} · '
            f"rank = position of the first relevant provision "
            f'(<span class="hit1">1</span> first, <span class="hit10">2–{CUTOFF}</span> in the top {CUTOFF}, '
            f'<span class="miss">&gt;{CUTOFF} or not found</span>)</p>'
        ),
        f'<img src="{esc(image)}" alt="nDCG@10 and Recall@10 per slice and mode">',
        "<h2>Metrics</h2>",
        _summary_table(reports),
        "<h2>Queries</h2>",
        (
            '<p class="controls"><input id="filter" type="search" placeholder="filter: id, language, text, provision">'
            f' <label><input id="misses" type="checkbox"> only queries missed (rank &gt; {CUTOFF}) by some mode</label>'
            ' <span id="shown"></span></p>'
        ),
        _query_table(reports),
        f"<script>{_JS}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _query_ids(reports: dict[str, dict[str, Any]]) -> list[str]:
    """Query ids in judgment order, union over modes."""
    seen: dict[str, None] = {}
    for report in reports.values():
        for row in report.get("per_query", []):
            seen.setdefault(str(row["id"]), None)
    return list(seen)


def _summary_table(reports: dict[str, dict[str, Any]]) -> str:
    """Slices as rows, one column group per mode; the best value per slice and metric in bold."""
    esc = html.escape
    modes = list(reports)
    head1 = '<tr><th rowspan="2">slice</th><th rowspan="2">queries</th>' + "".join(
        f'<th colspan="{len(TABLE_METRICS)}" class="group">{esc(m)}</th>' for m in modes
    )
    head2 = "<tr>" + "".join(f"<th>{esc(metric)}</th>" for _ in modes for metric in TABLE_METRICS) + "</tr>"
    rows = []
    for name, key, n in slices(reports):
        values = {m: slice_metrics(reports[m], key) for m in modes}
        cells = []
        for m in modes:
            for metric in TABLE_METRICS:
                value = values[m].get(metric)
                best = max((values[o].get(metric) or 0.0) for o in modes)
                strong = len(modes) > 1 and value is not None and value == best and best > 0
                text = "–" if value is None else f"{value:.3f}"
                cells.append(f'<td class="num">{"<b>" + text + "</b>" if strong else text}</td>')
        rows.append(f'<tr><th class="slice">{esc(name)}</th><td class="num">{n}</td>{"".join(cells)}</tr>')
    counts = []
    for m in modes:
        ranks = [row.get("first_relevant_rank") for row in reports[m].get("per_query", [])]
        tally = {c: sum(1 for r in ranks if rank_class(r) == c) for c in ("hit1", "hit10", "miss")}
        counts.append(
            f"<li><b>{esc(m)}</b>: <span class=\"hit1\">{tally['hit1']} first</span> · "
            f"<span class=\"hit10\">{tally['hit10']} in top {CUTOFF}</span> · "
            f"<span class=\"miss\">{tally['miss']} missed</span></li>"
        )
    return (
        f'<table class="summary"><thead>{head1}</tr>{head2}</thead><tbody>{"".join(rows)}</tbody></table>'
        f'<ul class="tally">{"".join(counts)}</ul>'
    )


def _query_table(reports: dict[str, dict[str, Any]]) -> str:
    """One row per query: id, language, text, expected, and per mode the rank and top results."""
    esc = html.escape
    modes = list(reports)
    by_mode = {m: {str(row["id"]): row for row in reports[m].get("per_query", [])} for m in modes}
    head = "<tr><th>id</th><th>lang</th><th>query</th><th>expected</th>" + "".join(
        f'<th class="group">{esc(m)}<br><small>rank · top {TOP_SHOWN}</small></th>' for m in modes
    )
    rows = []
    for query_id in _query_ids(reports):
        base = next(by_mode[m][query_id] for m in modes if query_id in by_mode[m])
        expected = [str(e) for e in base.get("expected", [])]
        cells = []
        missed = False
        for m in modes:
            row = by_mode[m].get(query_id)
            if row is None:
                cells.append('<td class="absent">not run</td>')
                continue
            rank = row.get("first_relevant_rank")
            css = rank_class(rank)
            missed = missed or css == "miss"
            rank_text = "not found" if rank is None else f"#{rank}"
            top = [str(k) for k in row.get("top", [])][:TOP_SHOWN]
            items = "".join(
                f'<li class="{"rel" if matches(k, expected) else "nonrel"}">'
                f'{"✓ " if matches(k, expected) else ""}{esc(k)}</li>'
                for k in top
            ) or '<li class="empty">no results</li>'
            cells.append(f'<td class="mode"><span class="rank {css}">{rank_text}</span><ol>{items}</ol></td>')
        expected_html = "".join(f"<li>{esc(e)}</li>" for e in expected)
        rows.append(
            f'<tr data-missed="{int(missed)}"><td class="id">{esc(query_id)}</td>'
            f'<td>{esc(str(base.get("lang", "")))}</td><td class="query">{esc(str(base.get("query", "")))}</td>'
            f'<td><ul class="expected">{expected_html}</ul></td>{"".join(cells)}</tr>'
        )
    return f'<table class="queries"><thead>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans Georgian",sans-serif;
margin:1.5rem;color:#222;max-width:1600px}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
img{max-width:100%;height:auto;border:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid #ddd;padding:.3rem .45rem;vertical-align:top;text-align:left}
thead th{background:#f3f3f3;position:sticky;top:0}
th.group{text-align:center}td.num{text-align:right;font-variant-numeric:tabular-nums}
th.slice{background:#fafafa}
.note{color:#555;font-size:.9rem}.tally{font-size:.9rem}
.hit1{background:#d4edda;color:#155724}.hit10{background:#fff3cd;color:#856404}
.miss{background:#f8d7da;color:#721c24}
span.hit1,span.hit10,span.miss{padding:0 .3rem;border-radius:3px}
.rank{font-weight:600;display:inline-block;margin-bottom:.2rem}
ol,ul{margin:0;padding-left:1.2rem}td.query{max-width:28rem}
li.rel{color:#155724;font-weight:600}li.nonrel{color:#555}li.empty{color:#999;list-style:none}
td.id{white-space:nowrap}td.absent{color:#999}
.controls input[type=search]{width:22rem;padding:.25rem}#shown{color:#555;margin-left:1rem}
"""

_JS = """
(function(){var f=document.getElementById('filter'),m=document.getElementById('misses'),
s=document.getElementById('shown'),rows=document.querySelectorAll('table.queries tbody tr');
function apply(){var q=f.value.toLowerCase(),n=0;rows.forEach(function(r){
var ok=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!m.checked||r.dataset.missed==='1');
r.style.display=ok?'':'none';if(ok)n++;});s.textContent=n+' of '+rows.length+' shown';}
f.addEventListener('input',apply);m.addEventListener('change',apply);apply();})();
"""

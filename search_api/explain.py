"""Why a result was found: the ranked lists behind its fused score, the words and meaning
that matched, and the boosts and priors applied.

Fusion keeps each list's rank (``meta["ranks"]``) and collapse keeps the best passage's own
ranks (``meta["passage_ranks"]``), so the default path pays nothing: an explanation rebuilds
the fused score afterwards from those ranks with the same weights, RRF constant, per-family
rule and operative prior the pipeline used (:mod:`search_api.fusion`). The contributions add up
to the fused score; the test suite checks that on the real index.

The lexical side says which query words matched and how (as typed, through stemming, or as a
translation from the term table ``search_api/data/cross_terms.json``, with its score); on
OpenSearch the matched fields and terms are read from the engine's own ``_explain``. The
dense side gives the cosine of the query with the provision's passages and the window (chunk,
character offsets) that matched best.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from haystack import Document

from laborlex_core.passage_text import context_line
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import equals_filter
from laborlex_core.text_analysis import analyze, fold_accents, tokenize
from search_api.branches import QueryProfile, profile_query
from search_api.fusion import NON_OPERATIVE_UNITS, BranchWeights, list_family
from search_api.term_alignment import index_terms
from search_api.term_table import TABLE_RESOURCE, load_term_table

TERM_TABLE_PATH = f"search_api/{TABLE_RESOURCE}"
EXCERPT_CHARS = 240  # the matched window's opening words shown with the cosine


def describe_list(name: str) -> dict[str, Any]:
    """A list name ``kind[/language][@jurisdiction][#instrument]`` taken apart for readers."""
    rest, _, instrument = name.partition("#")
    base, _, jurisdiction = rest.partition("@")
    kind, _, language = base.partition("/")
    return {
        "kind": kind,
        "family": list_family(name),
        "language": language or None,
        "jurisdiction": jurisdiction or None,
        "instrument": instrument or None,
    }


@dataclass(frozen=True, slots=True)
class FusionParams:
    """What the pipeline fused with, read from the settings as the pipeline reads them."""

    k: int
    weights: BranchWeights
    within_family: str
    non_operative: float

    @classmethod
    def from_settings(cls, settings: Settings, mode: str) -> FusionParams:
        weights = BranchWeights.from_settings(settings)
        if mode == "bm25":  # as search_api.pipeline: the words as typed only
            weights = replace(weights, terms=0.0)
        return cls(settings.rrf_k, weights, settings.fusion_within_family, settings.prior_non_operative)


def fusion_contributions(document: Document, params: FusionParams) -> dict[str, Any]:
    """Each list's share of a provision's fused score; the shares sum to ``document.score``.

    A provision's score is its best passage's: ``Σ weight / (k + rank)`` over the lists that
    ranked that passage (with ``max`` per family only the best list of a family counts, the
    others get share 0), times the operative prior for preambles and transitional articles.
    Another language version placed next to a result carries that result's score (one share,
    ``translation``); OpenSearch's native hybrid fuses on the server (one share, ``hybrid``); a
    page past the ranking lists the remaining word matches by BM25 (one share, ``word_match``).
    """
    meta = document.meta
    score = float(document.score or 0.0)
    passage_ranks: dict[str, int] = dict(meta.get("passage_ranks") or meta.get("ranks") or {})
    if not passage_ranks or set(passage_ranks) & {"translation", "hybrid"}:
        name = "translation" if "translation" in passage_ranks else "hybrid" if passage_ranks else "word_match"
        entry = {"list": name, **describe_list(name), "rank": passage_ranks.get(name), "weight": None, "rrf": None,
                 "counted": True, "contribution": score, "share": 1.0 if score else 0.0}
        return {"fused_score": score, "k": params.k, "within_family": params.within_family, "prior": None, "lists": [entry]}
    raw = {name: params.weights.of(name) / (params.k + rank) for name, rank in passage_ranks.items()}
    counted = set(raw)
    if params.within_family == "max":
        best: dict[str, str] = {}
        for name, value in raw.items():
            family = list_family(name)
            if family not in best or value > raw[best[family]] or (value == raw[best[family]] and name < best[family]):
                best[family] = name
        counted = set(best.values())
    non_operative = meta.get("unit") in NON_OPERATIVE_UNITS and params.non_operative != 1.0
    factor = params.non_operative if non_operative else 1.0
    lists = []
    for name, rank in sorted(passage_ranks.items(), key=lambda kv: (-raw[kv[0]], kv[0])):
        contribution = raw[name] * factor if name in counted else 0.0
        lists.append({
            "list": name, **describe_list(name), "rank": rank, "weight": params.weights.of(name), "rrf": raw[name],
            "counted": name in counted, "contribution": contribution, "share": contribution / score if score else 0.0,
        })
    prior = {"unit": meta.get("unit"), "factor": factor} if non_operative else None
    return {"fused_score": score, "k": params.k, "within_family": params.within_family, "prior": prior, "lists": lists}


def _stems(text: str, language: str | None) -> dict[str, set[str]]:
    """Analyzed term → the words of ``text`` that analyze to it (as BM25 indexes them)."""
    found: dict[str, set[str]] = {}
    for word in dict.fromkeys(tokenize(text)):
        for term in analyze(word, language):
            found.setdefault(term, set()).add(word)
    return found


def _translations(profile: QueryProfile, query: str, language: str | None) -> list[dict[str, Any]]:
    """The term table's translations of the query's words into ``language``, with their scores."""
    if not language or language == profile.language or language not in profile.expansions:
        return []
    table = load_term_table()
    pairs = table["pairs"].get(f"{profile.language}>{language}", {})
    surface = table.get("surface", {}).get(language, {}) if language == "ka" else {}
    used = set(profile.expansions[language].split())
    out = []
    for term in dict.fromkeys(index_terms(query, profile.language)):
        for target, score in list((pairs.get(term) or {}).items())[:2]:
            forms = [f for f in surface.get(target, [target]) if f in used] or [target]
            out.append({"query_term": term, "term": target, "forms": forms, "score": score})
    return out


def lexical_matches(document: Document, query: str, profile: QueryProfile | None = None) -> list[dict[str, Any]]:
    """The query's words found in the passage (or its context line: title, headings, label),
    each with how it matched: ``typed`` (the word as written), ``stemmed`` (another form of it:
    the passage words it met are given), ``cross_lingual`` (a translation from the term table,
    with the pair, its score and the table it comes from)."""
    profile = profile or profile_query(query)
    meta = document.meta
    language = meta.get("language")
    body, context = document.content or "", context_line(meta)
    matches: list[dict[str, Any]] = []
    seen: set[str] = set()
    for where, text in (("text", body), ("context", context)):
        words = {fold_accents(t) for t in tokenize(text)}
        stems = _stems(text, language)
        for token in dict.fromkeys(tokenize(query)):
            analyzed = analyze(token, language)
            if not analyzed or token in seen:
                continue
            if fold_accents(token) in words:
                matches.append({"query_word": token, "matched": [token], "origin": "typed", "where": where})
                seen.add(token)
            elif analyzed[0] in stems:
                matches.append({"query_word": token, "matched": sorted(stems[analyzed[0]]), "origin": "stemmed",
                                "where": where, "term": analyzed[0]})
                seen.add(token)
        for pair in _translations(profile, query, language):
            key = f"{pair['query_term']}>{pair['term']}"
            if key in seen:
                continue
            hit = [f for f in pair["forms"] if any(t in stems for t in analyze(f, language))]
            if hit:
                seen.add(key)
                matched = sorted({w for f in hit for t in analyze(f, language) for w in stems.get(t, ())})
                matches.append({
                    "query_word": pair["query_term"], "matched": matched, "origin": "cross_lingual", "where": where,
                    "term": pair["term"], "pair": f"{profile.language}>{language}", "score": pair["score"],
                    "source": TERM_TABLE_PATH,
                })
    return matches


def dense_match(store: SearchBackend, document: Document, query_vector: list[float] | None) -> dict[str, Any] | None:
    """The cosine of the query with each passage of the provision, and the window that matched
    best (chunk, character offsets, opening words), from the store's own nearest-neighbour
    search restricted to the provision."""
    if query_vector is None:
        return None
    meta = document.meta
    within = equals_filter(doc_id=str(meta.get("doc_id")), article=str(meta.get("article")))
    passages = store.embedding_retrieval(query_vector, filters=within, top_k=50)
    if not passages:
        return None
    best = max(passages, key=lambda p: p.score or 0.0)
    shown = next((p for p in passages if p.id == document.id), best)
    bm = best.meta
    return {
        "cosine": float(shown.score or 0.0),
        "best_cosine": float(best.score or 0.0),
        "passage_id": best.id,
        "chunk": int(bm.get("chunk") or 0),
        "chunks": int(bm.get("chunks") or 1),
        "start": bm.get("start"),
        "end": bm.get("end"),
        "excerpt": (best.content or "")[:EXCERPT_CHARS],
    }


def boosts(document: Document, profile: QueryProfile, fusion: dict[str, Any]) -> list[dict[str, Any]]:
    """Boosts and priors in words a client can translate: a cited provision, a named
    jurisdiction or instrument, translation pairing, the operative-article prior."""
    out: list[dict[str, Any]] = []
    names = {entry["list"] for entry in fusion["lists"]}
    if "reference" in names:
        out.append({"kind": "cited_provision", "detail": str(document.meta.get("article"))})
    for code in sorted({describe_list(n)["jurisdiction"] for n in names} - {None}):
        out.append({"kind": "named_jurisdiction", "detail": code})
    for instrument in sorted({describe_list(n)["instrument"] for n in names} - {None}):
        out.append({"kind": "named_instrument", "detail": instrument})
    if "translation" in names:
        rank = next(e["rank"] for e in fusion["lists"] if e["list"] == "translation")
        out.append({"kind": "translation_pairing", "detail": str(rank)})
    if fusion.get("prior"):
        out.append({"kind": "non_operative_prior", "detail": f"{fusion['prior']['unit']} × {fusion['prior']['factor']}"})
    return out


def engine_explain(store: SearchBackend, document: Document, query: str) -> dict[str, Any] | None:
    """The engine's own account of the BM25 score, where the backend offers one (OpenSearch)."""
    explain = getattr(store, "explain_bm25", None)
    if explain is None:
        return None
    return explain(query, document.id)


def explain_document(
    document: Document,
    query: str,
    mode: str,
    settings: Settings,
    store: SearchBackend,
    query_vector: list[float] | None,
) -> dict[str, Any]:
    """The whole explanation of one result (see the module docstring)."""
    profile = profile_query(query)
    fusion = fusion_contributions(document, FusionParams.from_settings(settings, mode))
    families = {entry["family"] for entry in fusion["lists"]}
    lexical = lexical_matches(document, query, profile) if mode != "dense" else []
    dense = dense_match(store, document, query_vector) if ({"dense", "hybrid"} & families or mode == "dense") else None
    explanation = {
        "query_language": profile.language,
        "fusion": fusion,
        "lexical": lexical,
        "dense": dense,
        "boosts": boosts(document, profile, fusion),
    }
    engine = engine_explain(store, document, query) if mode != "dense" else None
    if engine is not None:
        explanation["engine"] = engine
    return explanation


def explained_search(searcher: Any, query: str, mode: str, filters: dict[str, Any] | None, limit: int) -> list[Any]:
    """``Searcher.search`` with each hit's explanation (the CLI's ``--explain``)."""
    documents, vector = searcher.run(query, mode, filters, top_k=limit)
    documents = documents[:limit]
    hits = searcher.hits(documents, query, vector)
    for document, hit in zip(documents, hits):
        hit.explanation = explain_document(document, query, mode, searcher.settings, searcher.store, vector)
    return hits


def explanation_lines(explanation: dict[str, Any]) -> list[str]:
    """The explanation as short English lines for a terminal (the UI has its own, translated)."""
    fusion = explanation["fusion"]
    lines = []
    for entry in fusion["lists"]:
        share = f"{entry['contribution']:.4f} = {entry['share']:.0%}" if entry["counted"] else "not counted (max per family)"
        rank = f" #{entry['rank']}" if entry["rank"] is not None else ""
        lines.append(f"{entry['list']}{rank}: {share}")
    if fusion.get("prior"):
        lines.append(f"prior: {fusion['prior']['unit']} × {fusion['prior']['factor']}")
    words = [
        f"{m['query_word']}→{'/'.join(m['matched'])} ({m['origin']}"
        + (f" {m['pair']} {m['score']:.2f}, {m['source']}" if m["origin"] == "cross_lingual" else "")
        + (", in title/headings" if m["where"] == "context" else "") + ")"
        for m in explanation["lexical"]
    ]
    if words:
        lines.append("words: " + "; ".join(words))
    dense = explanation.get("dense")
    if dense:
        lines.append(f"meaning: cosine {dense['cosine']:.3f}, window {dense['chunk'] + 1}/{dense['chunks']} [{dense['start']}:{dense['end']}]")
    for boost in explanation["boosts"]:
        lines.append(f"boost: {boost['kind']} ({boost['detail']})")
    engine = explanation.get("engine")
    if engine:
        lines.append("engine: " + ", ".join(f"{t['field']}:{t['term']} {t['score']:.2f}" for t in engine["terms"][:8]))
    lines.append(f"fused score {fusion['fused_score']:.4f} (RRF k={fusion['k']}, {fusion['within_family']} within family)")
    return lines

"""Weighted reciprocal rank fusion that remembers which retriever ranked what.

Haystack's DocumentJoiner fuses by RRF but drops each retriever's rank; results here show
it ("found by BM25 at 3, by meaning at 1"), and evaluation reads it to see what each
side contributes. Hybrid search fuses more than two lists (see ``search_api.branches``):
each list's weight follows from its name, so the lists a query produces can vary.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from laborlex_core.settings import Settings
from laborlex_core.store.shared_document import replaced
from search_api.handoff import Passages
from search_api.row_fusion import common_source, fuse_rows


def _default(name: str) -> float:
    """A weight's default, read from the settings object: defaults live in one place."""
    return float(Settings.model_fields[name].default)


@dataclass(frozen=True, slots=True)
class BranchWeights:
    """RRF weight per kind of list; a list restricted to a named jurisdiction gets its
    kind's weight times ``jurisdiction``. Defaults and their measurements: settings."""

    bm25: float = _default("weight_bm25")
    dense: float = _default("weight_dense")
    terms: float = _default("weight_terms")
    language_balance: float = _default("weight_language_balance")
    jurisdiction: float = _default("weight_jurisdiction")
    instrument: float = _default("weight_instrument")
    feedback: float = _default("weight_feedback")
    reference: float = _default("weight_reference")

    @classmethod
    def from_settings(cls, settings: Settings) -> BranchWeights:
        return cls(
            bm25=settings.weight_bm25,
            dense=settings.weight_dense,
            terms=settings.weight_terms,
            language_balance=settings.weight_language_balance,
            jurisdiction=settings.weight_jurisdiction,
            instrument=settings.weight_instrument,
            feedback=settings.weight_feedback,
            reference=settings.weight_reference,
        )

    def of(self, name: str) -> float:
        """Weight of a list named ``kind[/language][@jurisdiction][#instrument]`` (branches.branch_name)."""
        base, _, jurisdiction = name.partition("#")[0].partition("@")
        kind, _, language = base.partition("/")
        if kind == "reference":
            weight = self.reference
        elif kind == "terms":
            weight = self.terms
        elif kind in ("instrument", "instrument_dense"):
            weight = self.instrument
        elif kind == "feedback":
            weight = self.feedback
        elif kind == "dense":
            weight = self.language_balance if language else self.dense
        else:
            weight = self.bm25
        return weight * (self.jurisdiction if jurisdiction else 1.0)


class RankedLists(Mapping[str, list[Document]]):
    """Named ranked lists, handed from the retrieval branches to fusion read-only.

    Haystack deep-copies every value passed between components; a dozen lists of 100
    passages made that copy cost more than the retrieval itself (~70 ms a query here).
    Nothing downstream mutates the lists (fusion builds new Documents), so copying is skipped.
    """

    def __init__(self, lists: Mapping[str, list[Document]] | None = None) -> None:
        self._lists = dict(lists or {})

    def __getitem__(self, name: str) -> list[Document]:
        return self._lists[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def __deepcopy__(self, memo: dict[int, Any]) -> RankedLists:
        return self


def list_family(name: str) -> str:
    """The signal a list carries: ``dense`` for every nearest-neighbour list (all, per
    language, per jurisdiction, per instrument), ``lexical`` for BM25 as typed, ``terms`` for
    translated words, ``feedback``; a reference list is its own family."""
    kind = name.partition("#")[0].partition("@")[0].partition("/")[0]
    if kind in ("dense", "instrument_dense"):
        return "dense"
    if kind in ("bm25", "instrument"):
        return "lexical"
    return kind


def reciprocal_rank_fusion(
    ranked_lists: dict[str, list[Document]],
    k: int = 60,
    weights: dict[str, float] | None = None,
    within_family: str = "sum",
) -> list[Document]:
    """Fuse ranked lists: score = Σ weight / (k + rank); ranks recorded in ``meta["ranks"]``.

    With ``within_family="max"`` the lists of one family (:func:`list_family`) count once, at
    the passage's best contribution among them: the per-language and per-jurisdiction dense
    lists come from one model, so summing them lets a passage that model likes everywhere
    (a "hub") collect three votes for one opinion.
    """
    if within_family not in ("sum", "max"):
        raise ValueError(f"within_family must be 'sum' or 'max', not {within_family!r}")
    contributions: dict[str, dict[str, float]] = {}
    ranks: dict[str, dict[str, int]] = {}
    first_seen: dict[str, Document] = {}
    for name, documents in ranked_lists.items():
        weight = (weights or {}).get(name, 1.0)
        family = list_family(name) if within_family == "max" else name
        for rank, document in enumerate(documents, start=1):
            if document.id in ranks and name in ranks[document.id]:
                continue  # a retriever listing a passage twice counts once, at its best rank
            share = contributions.setdefault(document.id, {})
            share[family] = max(share.get(family, 0.0), weight / (k + rank)) if within_family == "max" else weight / (k + rank)
            ranks.setdefault(document.id, {})[name] = rank
            first_seen.setdefault(document.id, document)
    fused = [
        replaced(doc, score=sum(contributions[doc_id].values()), meta={**doc.meta, "ranks": ranks[doc_id]})
        for doc_id, doc in first_seen.items()
    ]
    fused.sort(key=lambda d: (-(d.score or 0.0), d.id))
    return fused


# Units that state no rule of their own: a convention's preamble, a statute's transitional
# articles and the reform decrees bundled with them. They share the operative articles'
# words, so without a prior they often outrank the article that answers.
NON_OPERATIVE_UNITS: frozenset[str] = frozenset({"preamble", "transitional"})


def operative_prior(documents: list[Document], factor: float) -> list[Document]:
    """Fused scores of non-operative units multiplied by ``factor`` (1: no prior), re-ranked."""
    if factor == 1.0:
        return documents
    weighed = [
        replaced(d, score=(d.score or 0.0) * factor) if d.meta.get("unit") in NON_OPERATIVE_UNITS else d for d in documents
    ]
    weighed.sort(key=lambda d: (-(d.score or 0.0), d.id))
    return weighed


@component
class RankFusion:
    """Joins ranked lists by weighted RRF: single ``bm25``/``dense`` lists, or the named lists
    of the branches (hybrid: all of them in ``branches``; BM25 or dense alone: ``lexical`` or
    ``semantic``); a list's weight comes from its name."""

    def __init__(
        self,
        k: int = 60,
        weights: dict[str, float] | None = None,
        top_k: int | None = None,
        non_operative: float = 1.0,
        within_family: str = "sum",
    ) -> None:
        self.k = k
        self.within_family = within_family  # see reciprocal_rank_fusion
        self.weights = weights
        self.top_k = top_k  # fused passages passed on (None: all); Haystack copies each one
        self.non_operative = non_operative  # see operative_prior
        self._weights = BranchWeights(**(weights or {}))

    @component.output_types(documents=Passages)
    def run(
        self,
        bm25: list[Document] | None = None,
        dense: list[Document] | None = None,
        lexical: RankedLists | None = None,
        semantic: RankedLists | None = None,
        feedback: RankedLists | None = None,
        branches: RankedLists | None = None,
    ) -> dict[str, Passages]:
        lists = {name: docs for name, docs in (("bm25", bm25), ("dense", dense)) if docs is not None}
        lists.update(lexical or {})
        lists.update(semantic or {})
        lists.update(branches or {})
        lists.update(feedback or {})
        weights = {name: self._weights.of(name) for name in lists}
        source = common_source(lists)
        if source is not None:  # the embedded store's lists: fused on rows (search_api.row_fusion)
            on_rows = fuse_rows(
                lists, source, self.k, weights, self.within_family, list_family, self.non_operative, NON_OPERATIVE_UNITS, self.top_k
            )
            if on_rows is not None:
                return {"documents": on_rows}
        fused = reciprocal_rank_fusion(lists, k=self.k, weights=weights, within_family=self.within_family)
        fused = operative_prior(fused, self.non_operative)
        return {"documents": Passages(fused[: self.top_k])}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self, k=self.k, weights=self.weights, top_k=self.top_k, non_operative=self.non_operative, within_family=self.within_family
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RankFusion:
        return default_from_dict(cls, data)


def weights_dict(settings: Settings) -> dict[str, float]:
    """The settings' branch weights as RankFusion's serializable ``weights``."""
    return asdict(BranchWeights.from_settings(settings))

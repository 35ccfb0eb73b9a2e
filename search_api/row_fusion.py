"""Weighted RRF and collapsing on snapshot rows: Documents only for the provisions kept.

The embedded store hands its ranked lists out as rows and scores (``RowList``). Fusing them
as Documents meant reading and decoding every listed row (~800 a hybrid query) and copying
each one twice more (fused, then collapsed). Here the lists are fused as arrays of row
numbers, the prior on non-operative units and the tie-break by passage id come from
per-snapshot tables (``laborlex_core.store.row_tables``), passages collapse into provisions
by their provision code, and Documents are built for the provisions kept only.

The results are the Documents ``fusion.reciprocal_rank_fusion``, ``fusion.operative_prior``
and ``collapse.collapse_passages`` make of the same lists, to the bit: each passage's score
is summed in the same order, and ties are broken the same way (tests/search_api/test_row_fusion.py).
A list that is not a RowList of the same snapshot (a cited provision's passages) is mapped
to rows by passage id; where that fails, fusion falls back to Documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from haystack import Document

from laborlex_core.store.row_lists import RowList, SnapshotRows
from laborlex_core.store.shared_document import replaced, shared_document
from search_api.handoff import Passages, ProvisionList


class FusedRows(Passages):
    """Fused passages, best first, as rows: the Documents fusion would have made, built when read."""

    __slots__ = ("source", "names", "rows", "scores", "ranks", "firsts", "_built")

    def __init__(
        self,
        source: SnapshotRows,
        names: list[str],
        rows: np.ndarray,
        scores: np.ndarray,
        ranks: np.ndarray,
        firsts: dict[int, Document],
    ) -> None:
        self.source = source
        self.names = names  # the lists, in fusion order
        self.rows = rows
        self.scores = scores  # fused, prior applied
        self.ranks = ranks  # (passage, list) rank, 0 where the list lacks the passage
        self.firsts = firsts  # row -> the Document a plain list gave first (fusion keeps that one)
        self._built: list[Document] | None = None

    def own_ranks(self, position: int, line: list[int] | None = None) -> dict[str, int]:
        names = self.names
        return {names[j]: rank for j, rank in enumerate(self.ranks[position].tolist() if line is None else line) if rank}

    def _documents(self) -> list[Document]:
        if self._built is None:
            data = self.source.row_data(self.rows)
            built = []
            for position, (row, found) in enumerate(zip(self.rows.tolist(), data)):
                if found is None:
                    continue
                score, meta = float(self.scores[position]), {**found[2], "ranks": self.own_ranks(position)}
                first = self.firsts.get(row)
                built.append(
                    replaced(first, score=score, meta={**first.meta, "ranks": meta["ranks"]}) if first is not None
                    else shared_document(found[0], found[1], meta, score)
                )
            self._built = built
        return self._built

    def __getitem__(self, index: int | slice) -> Any:
        return self._documents()[index]

    def __len__(self) -> int:
        return len(self._documents()) if self._built is not None else int(len(self.rows))

    def __iter__(self) -> Iterator[Document]:
        return iter(self._documents())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and self._documents() == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FusedRows({len(self.rows)} passages)"


def common_source(lists: Mapping[str, Sequence[Document]]) -> SnapshotRows | None:
    """The snapshot all RowLists among ``lists`` come from (None: none, or several)."""
    source: SnapshotRows | None = None
    for documents in lists.values():
        if isinstance(documents, RowList):
            if source is None:
                source = documents.source
            elif not source.same(documents.source):
                return None
    return source


def fuse_rows(
    lists: Mapping[str, Sequence[Document]],
    source: SnapshotRows,
    k: int,
    weights: Mapping[str, float],
    within_family: str,
    family: Any,
    non_operative: float,
    non_operative_units: frozenset[str],
    top_k: int | None,
) -> FusedRows | None:
    """``operative_prior(reciprocal_rank_fusion(lists, ...), non_operative)[:top_k]`` on rows
    (None where a list holds a passage the snapshot lacks: fuse the Documents then)."""
    if within_family not in ("sum", "max"):
        return None  # reciprocal_rank_fusion says why
    names = list(lists)
    columns: list[tuple[np.ndarray, np.ndarray]] = []
    firsts_by_list: dict[int, Sequence[Document]] = {}
    for j, name in enumerate(names):
        documents = lists[name]
        if isinstance(documents, RowList):  # a top-k of the store's: each row once
            rows = np.asarray(documents.rows, dtype=np.int64)
            columns.append((rows, np.arange(1, len(rows) + 1, dtype=np.int64)))
            continue
        rows = source.rows_of(documents) if len(documents) else np.zeros(0, dtype=np.int64)
        if rows is None:
            return None
        firsts_by_list[j] = documents
        ranks = np.arange(1, len(rows) + 1, dtype=np.int64)
        if len(np.unique(rows)) < len(rows):  # a list naming a passage twice counts it once, at its best rank
            first = np.sort(np.unique(rows, return_index=True)[1])
            rows, ranks = rows[first], first + 1
        columns.append((rows, ranks))
    candidates = np.unique(np.concatenate([rows for rows, _ in columns])) if columns else np.zeros(0, dtype=np.int64)
    rank = np.zeros((len(candidates), len(names)), dtype=np.int64)
    for j, (rows, ranks) in enumerate(columns):
        rank[np.searchsorted(candidates, rows), j] = ranks
    scores = _summed(rank, [float(weights.get(name, 1.0)) for name in names], k, within_family, [family(n) for n in names])
    if non_operative != 1.0 and len(candidates):
        units = source.units()
        codes = [units.index[u] for u in non_operative_units if u in units.index]
        if codes:
            weighed = np.isin(units.codes[candidates], codes)
            scores[weighed] = scores[weighed] * non_operative
    order = np.lexsort((source.id_rank()[candidates], -scores))[:top_k]
    firsts: dict[int, Document] = {}
    if firsts_by_list:  # the passage a plain list (a cited provision) gave first is the one fusion keeps
        first_list = np.argmax(rank[order] > 0, axis=1)
        for position, j in enumerate(first_list.tolist()):
            if j in firsts_by_list:
                firsts[int(candidates[order[position]])] = firsts_by_list[j][int(rank[order[position], j]) - 1]
    return FusedRows(source, names, candidates[order], scores[order], rank[order], firsts)


def _summed(rank: np.ndarray, weights: list[float], k: int, within_family: str, families: list[str]) -> np.ndarray:
    """Σ weight / (k + rank) per passage, added in the order ``reciprocal_rank_fusion`` adds
    them (float addition is not associative): per passage, its families in the order of their
    first list holding it; within a family, the best list ("max") or each list ("sum")."""
    n, lists = rank.shape
    scores = np.zeros(n, dtype=np.float64)
    if within_family == "sum":  # each list its own share, added in list order
        if lists == 0:
            return scores
        shares = np.divide(np.asarray(weights, dtype=np.float64), k + rank, out=np.zeros(rank.shape), where=rank > 0)
        return np.cumsum(shares, axis=1)[:, -1]  # a running sum, left to right: the same additions (+0.0 where absent)
    order = list(dict.fromkeys(families))
    share = np.zeros((n, len(order)), dtype=np.float64)
    first = np.full((n, len(order)), lists, dtype=np.int64)
    for j in range(lists):
        f = order.index(families[j])
        present = rank[:, j] > 0
        share[present, f] = np.maximum(share[present, f], weights[j] / (k + rank[present, j]))
        first[present, f] = np.minimum(first[present, f], j)
    sequence = np.argsort(first, axis=1, kind="stable")
    ordered = np.take_along_axis(share, sequence, axis=1)
    for f in range(len(order)):
        scores += ordered[:, f]  # a family the passage lacks comes last and adds 0.0: exact
    return scores


class CollapsedRows:
    """The provisions a fused row list collapses into, in order, as a :class:`PassageSource`:
    their keys from the snapshot's columns, each Document (its best passage, carrying the
    best rank per list over the provision's passages) built from its row when picked."""

    __slots__ = ("fused", "first", "members", "starts", "kept", "_lines")

    def __init__(self, fused: FusedRows, top_k: int | None) -> None:
        codes = fused.source.provision()[fused.rows]
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        self.fused = fused
        self.first = first
        self.kept = np.argsort(first, kind="stable")[:top_k]  # provisions in order of their best passage
        self.members = np.argsort(inverse, kind="stable")  # passages grouped by provision, in fused order
        self.starts = np.searchsorted(inverse[self.members], np.arange(len(first) + 1))
        self._lines: list[list[int]] | None = None

    def __len__(self) -> int:
        return int(len(self.kept))

    def keys(self) -> list[tuple[str, str]]:
        return self.fused.source.provision_keys(self.fused.rows[self.first[self.kept]])

    def pick(self, positions: Sequence[int]) -> list[Document | None]:
        fused = self.fused
        numbers = self.kept[np.asarray(positions, dtype=np.int64)]
        data = fused.source.row_data(fused.rows[self.first[numbers]])
        if self._lines is None:
            self._lines = fused.ranks.tolist()
        names, lines = fused.names, self._lines
        out: list[Document | None] = []
        for number, found in zip(numbers.tolist(), data):
            if found is None:
                out.append(None)
                continue
            best = int(self.first[number])
            group = self.members[self.starts[number] : self.starts[number + 1]]
            own = fused.own_ranks(best, lines[best])
            merged: dict[str, int] = dict(own) if len(group) == 1 else {}
            for position in group.tolist() if len(group) > 1 else ():  # the provision's passages in fused order
                for j, rank in enumerate(lines[position]):
                    if rank:
                        name = names[j]
                        merged[name] = min(rank, merged.get(name, rank))
            score = float(fused.scores[best])
            row = int(fused.rows[best])
            meta = {"ranks": merged, "passage_ranks": own, "passages_matched": len(group)}
            first_doc = fused.firsts.get(row)
            if first_doc is not None:
                out.append(replaced(first_doc, score=score, meta={**first_doc.meta, **meta}))
            else:
                out.append(shared_document(found[0], found[1], {**found[2], **meta}, score))
        return out


def collapse_rows(fused: FusedRows, top_k: int | None) -> ProvisionList:
    """``collapse.collapse_passages(fused)[:top_k]`` on rows: the first passage of each
    provision in fused order is its best (the order is by score). Nothing is read from
    SQLite until a provision is (see :class:`ProvisionList`)."""
    rows = CollapsedRows(fused, top_k)
    return ProvisionList([], rows, range(len(rows)))

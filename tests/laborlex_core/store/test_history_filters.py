"""The history filters (``as_of``, amended in a range) in both stores' filter languages:
SQL run on a real embedded store, and the OpenSearch clauses as data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.filter_masks import MaskColumns, filter_mask
from laborlex_core.store.filters import FilterError, to_sql
from laborlex_core.store.opensearch_queries import translate_filters
from search_api.history import HistoryQuery, amended_filter, as_of_filter

# (article, added_on, repealed_on, amendment dates): shapes of real LFT provisions
PROVISIONS = [
    ("1", None, None, []),  # original text, never amended
    ("3", None, None, ["1978-04-28", "2012-11-30", "2019-05-01"]),
    ("3o. Bis", "2012-11-30", None, ["2012-11-30"]),
    ("15-A", "2012-11-30", "2021-04-23", ["2012-11-30", "2021-04-23"]),
    ("878", None, "2019-05-01", ["1974-12-24", "1980-01-04", "2012-11-30", "2019-05-01"]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedDocumentStore:
    store = EmbeddedDocumentStore(Path(tmp_path_factory.mktemp("history-filters")) / "index.sqlite3")
    passages = [
        Document(
            id=f"mx#{i}",
            content=f"Artículo {article}",
            meta={"doc_id": "mx", "article": article, "ordinal": i, "chunk": 0, "language": "es", "added_on": added,
                  "repealed_on": repealed, "repealed": repealed is not None, "amendment_dates": dates,
                  "amended_on": dates[-1] if dates else None},
        )
        for i, (article, added, repealed, dates) in enumerate(PROVISIONS)
    ]
    store.replace_document("mx", passages, {"doc_id": "mx", "title": "mx"})
    return store


def _articles(store: EmbeddedDocumentStore, filters: dict | None) -> set[str]:
    return {d.meta["article"] for d in store.filter_documents(filters)}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2010-01-01", {"1", "3", "878"}),  # 3o. Bis and 15-A not yet added
        ("2015-06-01", {"1", "3", "3o. Bis", "15-A", "878"}),
        ("2019-05-01", {"1", "3", "3o. Bis", "15-A"}),  # 878 repealed that very day
        ("2022-01-01", {"1", "3", "3o. Bis"}),
    ],
)
def test_as_of(store: EmbeddedDocumentStore, as_of: str, expected: set[str]) -> None:
    assert _articles(store, as_of_filter(as_of)) == expected


@pytest.mark.parametrize(
    ("after", "before", "expected"),
    [
        ("2019-01-01", None, {"3", "15-A", "878"}),
        (None, "1979-12-31", {"3", "878"}),
        ("2015-01-01", "2015-12-31", set()),  # 15-A: 2012 and 2021, nothing in 2015
        ("2012-11-30", "2012-11-30", {"3", "3o. Bis", "15-A", "878"}),  # bounds inclusive
        ("2020-01-01", "2021-12-31", {"15-A"}),
    ],
)
def test_amended_in_a_range(store: EmbeddedDocumentStore, after: str | None, before: str | None, expected: set[str]) -> None:
    assert _articles(store, amended_filter(after, before)) == expected


def test_sql_and_opensearch_clauses() -> None:
    assert to_sql(amended_filter("2019-01-01", None)) == (
        "EXISTS (SELECT 1 FROM json_each(meta, '$.amendment_dates') AS d WHERE d.value >= ?)", ["2019-01-01"]
    )
    assert translate_filters(amended_filter("2019-01-01", "2019-12-31")) == {
        "range": {"meta.amendment_dates": {"gte": "2019-01-01", "lte": "2019-12-31"}}
    }
    clause = translate_filters(as_of_filter("2015-06-01"))
    added = clause["bool"]["filter"][0]["bool"]["should"]
    assert added == [{"bool": {"must_not": [{"exists": {"field": "meta.added_on"}}]}}, {"range": {"meta.added_on": {"lte": "2015-06-01"}}}]
    with pytest.raises(FilterError):
        to_sql({"field": "meta.amendment_dates", "operator": "in", "value": ["2019"]})


def test_history_query_widens_periods_and_combines() -> None:
    query = HistoryQuery.parse("2016-02-29", "2019", "2019-02")
    assert (query.as_of, query.amended_after, query.amended_before) == ("2016-02-29", "2019-01-01", "2019-02-28")
    assert query.filter is not None and len(query.filter["conditions"]) == 2
    assert HistoryQuery.parse(None, None, None).filter is None
    # a day past the month's end is its last day, as date_from/date_to read it
    assert HistoryQuery.parse("2021-02-30", None, "2019-04-31").as_of == "2021-02-28"
    assert HistoryQuery.parse(None, None, "2019-04-31").amended_before == "2019-04-30"


HISTORY_FILTERS = [
    as_of_filter("2010-01-01"),
    as_of_filter("2019-05-01"),
    as_of_filter("2022-01-01"),
    amended_filter("2019-01-01", None),
    amended_filter(None, "1979-12-31"),
    amended_filter("2012-11-30", "2012-11-30"),
    amended_filter("2015-01-01", "2015-12-31"),
    {"field": "meta.amendment_dates", "operator": ">", "value": "2019-05-01"},
    {"field": "meta.amendment_dates", "operator": "<", "value": "1978-04-28"},
    {"field": "meta.added_on", "operator": "==", "value": "2012-11-30"},
    {"operator": "AND", "conditions": [as_of_filter("2015-06-01"), amended_filter("2019-01-01", None),
                                       {"field": "meta.language", "operator": "==", "value": "es"}]},
]


def _assert_masks_equal_sql(store: EmbeddedDocumentStore, answered_by_masks: bool) -> None:
    snapshot = store._snapshot()
    for filters in HISTORY_FILTERS:
        expected = np.isin(snapshot.rowids, store._filtered_rowids(filters))
        mask = filter_mask(filters, MaskColumns(snapshot.columns, snapshot.text, snapshot.dates))
        assert (mask is not None) == answered_by_masks, filters
        assert (store._mask(snapshot, filters) == expected).all(), filters
        if mask is not None:
            assert (mask == expected).all(), filters


def test_history_masks_equal_sql_built_updated_and_reopened(tmp_path: Path) -> None:
    """as_of and amendment ranges are masks over the snapshot, selecting exactly SQL's rows:
    on a built snapshot, after an incremental update, after reopening the saved one; a field
    holding a non-string is left to SQL (which orders numbers before text)."""
    path = tmp_path / "index.sqlite3"
    first = EmbeddedDocumentStore(path)
    rows = [(f"a{i}", article, added, repealed, dates) for i, (article, added, repealed, dates) in enumerate(PROVISIONS)]
    first.replace_document("mx", [_passage("mx", *row) for row in rows], {"doc_id": "mx"})
    _assert_masks_equal_sql(first, answered_by_masks=True)
    first.replace_document("gt", [_passage("gt", "g1", "7", "2019-06-01", None, ["2019-06-01"]),
                                  _passage("gt", "g2", "8", None, "2000-01-01", [])], {"doc_id": "gt"})
    _assert_masks_equal_sql(first, answered_by_masks=True)  # updated in place, not rebuilt
    first.wait_for_snapshot()
    _assert_masks_equal_sql(EmbeddedDocumentStore(path), answered_by_masks=True)  # the saved snapshot
    first.replace_document("xx", [_passage("xx", "x1", "1", 2019, None, [2019])], {"doc_id": "xx"})
    _assert_masks_equal_sql(first, answered_by_masks=False)


def _passage(doc_id: str, key: str, article: str, added: str | int | None, repealed: str | None, dates: list) -> Document:
    meta = {"doc_id": doc_id, "article": article, "ordinal": 0, "chunk": 0, "language": "es", "amendment_dates": dates}
    meta.update({k: v for k, v in (("added_on", added), ("repealed_on", repealed)) if v is not None})
    return Document(id=f"{doc_id}#{key}", content=f"Artículo {article}", meta=meta)


DATE_FILTERS = [
    {"field": "meta.date", "operator": ">=", "value": "1000"},
    {"field": "meta.date", "operator": "<=", "value": "9999"},
    {"operator": "AND", "conditions": [{"field": "meta.date", "operator": ">=", "value": "2012-01-01"},
                                       {"field": "meta.date", "operator": "<=", "value": "2019-12-31"}]},
    {"field": "meta.date", "operator": "==", "value": "2019-05-01"},
    {"field": "meta.date", "operator": "==", "value": None},
]


def test_document_date_ranges_are_masks_equal_to_sql(tmp_path: Path) -> None:
    """date_from/date_to become masks over the snapshot (a full-range date filter over 100k
    passages took 11-16 s through SQL), selecting exactly SQL's rows, undated documents included."""
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    for doc_id, date in (("a", "1970-04-01"), ("b", "2012-11-30"), ("c", "2019-05-01"), ("d", None)):
        meta = {"doc_id": doc_id, "article": "1", "ordinal": 0, "chunk": 0, "language": "es"} | ({"date": date} if date else {})
        store.replace_document(doc_id, [Document(id=f"{doc_id}#1", content="Artículo 1", meta=meta)], {"doc_id": doc_id})
    snapshot = store._snapshot()
    for filters in DATE_FILTERS:
        expected = np.isin(snapshot.rowids, store._filtered_rowids(filters))
        mask = filter_mask(filters, MaskColumns(snapshot.columns, snapshot.text, snapshot.dates))
        assert mask is not None and (mask == expected).all(), filters
    assert expected.sum() == 1  # the undated one

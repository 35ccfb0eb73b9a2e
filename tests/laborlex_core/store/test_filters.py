"""Haystack filters → SQL, table-driven."""

from __future__ import annotations

import pytest

from laborlex_core.store.filters import FilterError, combine, equals_filter, filter_fields, to_sql


@pytest.mark.parametrize(
    ("filters", "sql", "params"),
    [
        (None, "1", []),
        ({"field": "meta.jurisdiction", "operator": "==", "value": "MX"}, "jurisdiction = ?", ["MX"]),
        ({"field": "meta.language", "operator": "in", "value": ["es", "ka"]}, "language IN (?,?)", ["es", "ka"]),
        ({"field": "meta.kind", "operator": "not in", "value": ["statute"]}, "kind NOT IN (?)", ["statute"]),
        ({"field": "meta.date", "operator": ">=", "value": "2000"}, "date >= ?", ["2000"]),
        ({"field": "meta.page", "operator": "<", "value": 3}, "json_extract(meta, '$.page') < ?", [3]),
        ({"field": "meta.date", "operator": "==", "value": None}, "date IS NULL", []),
        ({"field": "meta.language", "operator": "in", "value": []}, "0", []),
        (
            {"operator": "AND", "conditions": [
                {"field": "meta.jurisdiction", "operator": "==", "value": "GE"},
                {"operator": "NOT", "conditions": [{"field": "meta.kind", "operator": "==", "value": "case_law"}]},
            ]},
            "(jurisdiction = ? AND NOT (kind = ?))",
            ["GE", "case_law"],
        ),
        (
            {"operator": "OR", "conditions": [
                {"field": "id", "operator": "==", "value": "a"},
                {"field": "meta.doc_id", "operator": "==", "value": "b"},
            ]},
            "(id = ? OR doc_id = ?)",
            ["a", "b"],
        ),
    ],
)
def test_to_sql(filters: dict | None, sql: str, params: list) -> None:
    assert to_sql(filters) == (sql, params)


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "meta.kind", "operator": "~", "value": "x"},
        {"field": "meta.kind", "operator": "in", "value": "statute"},
        {"field": "meta.x; DROP TABLE passages", "operator": "==", "value": 1},
        {"operator": "XOR", "conditions": [{"field": "meta.kind", "operator": "==", "value": "x"}]},
        {"field": "meta.kind", "value": "x"},
    ],
)
def test_bad_filters_are_refused(bad: dict) -> None:
    with pytest.raises(FilterError):
        to_sql(bad)


def test_equals_filter_and_combine() -> None:
    assert equals_filter(jurisdiction=None) is None
    f = equals_filter(jurisdiction=["MX", "HN"], language="es")
    assert f == {"operator": "AND", "conditions": [
        {"field": "meta.jurisdiction", "operator": "in", "value": ["MX", "HN"]},
        {"field": "meta.language", "operator": "==", "value": "es"},
    ]}
    assert combine(None, f) is f
    assert combine(f, f) == {"operator": "AND", "conditions": [f, f]}


@pytest.mark.parametrize(
    ("filters", "fields"),
    [
        (None, set()),
        ({"field": "meta.language", "operator": "==", "value": "es"}, {"language"}),
        ({"field": "id", "operator": "in", "value": ["a"]}, {"id"}),
        (
            {"operator": "AND", "conditions": [
                {"field": "meta.jurisdiction", "operator": "==", "value": "MX"},
                {"operator": "NOT", "conditions": [{"field": "meta.kind", "operator": "==", "value": "statute"}]},
            ]},
            {"jurisdiction", "kind"},
        ),
    ],
)
def test_filter_fields_names_every_field_a_filter_reads(filters, fields) -> None:
    assert filter_fields(filters) == fields

"""Haystack filter dictionaries translated to SQL for the embedded store.

Haystack's filter language (comparison and logic dictionaries) is the one interface both
backends accept, so API filters are expressed in it once and each store translates.
"""

from __future__ import annotations

from typing import Any

# Metadata that has a column of its own (indexed); anything else is read from the JSON meta.
COLUMNS: frozenset[str] = frozenset(
    {"doc_id", "language", "jurisdiction", "kind", "date", "article", "unit", "title"}
)
# Not a column: passages citing a provision, looked up in the citations table.
CITES_FIELD = "cites"
# Not a column: the dates of a provision's amendments (a JSON list in meta); a range on it
# keeps passages with at least one date inside the range (see ``_amendment_dates``).
AMENDMENT_DATES_FIELD = "amendment_dates"
_COMPARISONS: dict[str, str] = {"==": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


class FilterError(ValueError):
    """A filter the store cannot apply; the message names the offending part."""


def _column(field: str) -> str:
    name = field.removeprefix("meta.")
    if field == "id":
        return "id"
    if field == "content":
        return "content"
    if name in COLUMNS:
        return name
    if not name.replace("_", "").isalnum():
        raise FilterError(f"unsupported filter field {field!r}")
    return f"json_extract(meta, '$.{name}')"


def to_sql(filters: dict[str, Any] | None) -> tuple[str, list[Any]]:
    """Return a WHERE fragment and its parameters; ``("1", [])`` when there is no filter."""
    if not filters:
        return "1", []
    params: list[Any] = []
    return _node(filters, params), params


def _node(node: dict[str, Any], params: list[Any]) -> str:
    if "conditions" in node:
        op = str(node.get("operator", "")).upper()
        parts = [_node(c, params) for c in node["conditions"]]
        if not parts:
            return "1"
        if op == "AND":
            return "(" + " AND ".join(parts) + ")"
        if op == "OR":
            return "(" + " OR ".join(parts) + ")"
        if op == "NOT":
            return "NOT (" + " AND ".join(parts) + ")"
        raise FilterError(f"unknown logical operator {node.get('operator')!r}")
    try:
        field, op, value = node["field"], node["operator"], node["value"]
    except KeyError as missing:
        raise FilterError(f"filter condition lacks {missing}") from None
    if field.removeprefix("meta.") == CITES_FIELD:
        return _cites(op, value, params)
    if field.removeprefix("meta.") == AMENDMENT_DATES_FIELD:
        return _amendment_dates(op, value, params)
    column = _column(field)
    if op in ("in", "not in"):
        if not isinstance(value, list):
            raise FilterError(f"operator {op!r} on {field!r} needs a list")
        if not value:
            return "0" if op == "in" else "1"
        params.extend(value)
        marks = ",".join("?" * len(value))
        return f"{column} {'IN' if op == 'in' else 'NOT IN'} ({marks})"
    if op not in _COMPARISONS:
        raise FilterError(f"unknown operator {op!r}")
    if value is None:
        if op == "==":
            return f"{column} IS NULL"
        if op == "!=":
            return f"{column} IS NOT NULL"
        return "0"
    params.append(value)
    return f"{column} {_COMPARISONS[op]} ?"


def _cites(op: str, value: Any, params: list[Any]) -> str:
    """``cites`` = "DOC:ARTICLE": passages citing that provision (another provision's citation)."""
    values = value if isinstance(value, list) else [value]
    if op not in ("==", "in", "!=", "not in") or any(not isinstance(v, str) for v in values):
        raise FilterError(f"operator {op!r} on {CITES_FIELD!r} needs DOC:ARTICLE strings")
    if not values:
        return "0" if op == "in" else "1"
    params.extend(values)
    marks = ",".join("?" * len(values))
    negate = "NOT " if op in ("!=", "not in") else ""
    return f"id {negate}IN (SELECT passage_id FROM citations WHERE internal = 0 AND target_key IN ({marks}))"


def _amendment_dates(op: str, value: Any, params: list[Any]) -> str:
    """A range over a provision's amendment dates: some date within it (``between`` takes
    ``[low, high]``, either None for an open end; ``>=``/``<=`` one bound). Both bounds in one
    condition, so "amended in 2019" is not met by an amendment in 2012 and another in 2021."""
    if op == "between" and isinstance(value, list) and len(value) == 2:
        low, high = value
    elif op in (">=", ">") and isinstance(value, str):
        low, high = value, None
    elif op in ("<=", "<") and isinstance(value, str):
        low, high = None, value
    else:
        raise FilterError(f"operator {op!r} on {AMENDMENT_DATES_FIELD!r} needs a date or [low, high]")
    bounds = []
    if low is not None:
        bounds.append("d.value > ?" if op == ">" else "d.value >= ?")
        params.append(low)
    if high is not None:
        bounds.append("d.value < ?" if op == "<" else "d.value <= ?")
        params.append(high)
    where = " AND ".join(bounds) or "1"
    return f"EXISTS (SELECT 1 FROM json_each(meta, '$.{AMENDMENT_DATES_FIELD}') AS d WHERE {where})"


def equals_filter(**fields: str | list[str] | None) -> dict[str, Any] | None:
    """AND of ``field == value`` (or ``in`` for lists); None-valued fields are left out."""
    conditions = [
        {"field": f"meta.{name}", "operator": "in" if isinstance(v, list) else "==", "value": v}
        for name, v in fields.items()
        if v is not None and v != []
    ]
    if not conditions:
        return None
    return {"operator": "AND", "conditions": conditions}


def filter_fields(filters: dict[str, Any] | None) -> set[str]:
    """The fields a filter reads, without the ``meta.`` prefix (``meta.language`` → ``language``)."""
    if not filters:
        return set()
    if "conditions" in filters:
        return set().union(*(filter_fields(c) for c in filters["conditions"]))
    return {str(filters.get("field", "")).removeprefix("meta.")}


def combine(*filters: dict[str, Any] | None) -> dict[str, Any] | None:
    """AND of several filters, skipping empty ones."""
    present = [f for f in filters if f]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return {"operator": "AND", "conditions": present}

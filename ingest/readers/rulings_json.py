"""Reader for JSON lists of ruling titles (Mexico's SJF: "registro digital" + "rubro").

The rendered form, one entry per paragraph::

    Registro digital: 2032120
    COMPETENCIA POR TERRITORIO ...

is a contract with ``ingest.structure``, which cuts the text into one provision per registro
at these lines; change it only together with the splitter.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from laborlex_core.schema import IngestError

from .normalize import normalize_text
from .textcodec import decode_text

ENTRY_PREFIX = "Registro digital: "
ID_KEY = "registro_digital"
TITLE_KEY = "rubro"

_EXPECTED = (
    "expected ruling titles: objects with 'registro_digital' and 'rubro', either as a top-level "
    "list or in lists under a top-level object (like {\"metadata\": {...}, \"tesisPrioritarias\": [...]})"
)
_SPACES = re.compile(r"\s+")


def _is_entry(item: Any) -> bool:
    return isinstance(item, dict) and ID_KEY in item and TITLE_KEY in item


def _entry_lists(data: Any) -> list[list[Any]] | None:
    if isinstance(data, list):
        return [data] if data and all(_is_entry(x) for x in data) else None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and any(_is_entry(x) for x in v)]
        return lists or None
    return None


def looks_like_manifest(data: Any) -> bool:
    return isinstance(data, list) and any(isinstance(x, dict) and "file" in x for x in data)


def parse_entries(path: Path, data: Any) -> list[tuple[str, str]]:
    """(registro, rubro) pairs in file order; a registro listed twice is kept once."""
    lists = _entry_lists(data)
    if lists is None:
        hint = "; it looks like a corpus manifest: pass it (or its folder) to discover" if looks_like_manifest(data) else ""
        raise IngestError(str(path), f"unrecognized JSON shape: {_EXPECTED}{hint}")
    entries: list[tuple[str, str]] = []
    seen: set[str] = set()
    for items in lists:
        for item in items:
            if not _is_entry(item):
                continue
            registro = _SPACES.sub(" ", str(item[ID_KEY])).strip()
            rubro = _SPACES.sub(" ", str(item[TITLE_KEY] or "")).strip()
            if not registro or not rubro or registro in seen:
                continue
            seen.add(registro)
            entries.append((registro, rubro))
    if not entries:
        raise IngestError(str(path), f"no ruling entry has both a registro_digital and a rubro; {_EXPECTED}")
    return entries


def render_entries(entries: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{ENTRY_PREFIX}{registro}\n{rubro}" for registro, rubro in entries)


def load_json(path: Path) -> Any:
    text = decode_text(path, path.read_bytes())
    if not text.strip():
        raise IngestError(str(path), "empty file (no JSON content)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(str(path), f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc


def read_rulings_json(path: Path) -> str:
    return normalize_text(render_entries(parse_entries(path, load_json(path))))

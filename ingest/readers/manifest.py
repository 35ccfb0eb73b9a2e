"""Load a corpus manifest: a JSON list of {id, file, language, jurisdiction, kind, title, date,
completeness}, with ``file`` relative to the manifest's folder.

A malformed manifest stops everything (IngestError naming the entry and field), because a typo
there would otherwise silently drop or mislabel documents. A listed file that is missing only
fails its own entry, so one moved file does not block re-indexing the rest.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from laborlex_core.schema import JURISDICTIONS, KINDS, LANGUAGES, DocumentMeta, IngestError, IngestFailure
from laborlex_core.settings import Settings

from .infer import infer_meta
from .textcodec import decode_text

log = logging.getLogger("laborlex.ingest")

MANIFEST_NAME = "manifest.json"
_OPTIONAL_TEXT = ("title", "language", "jurisdiction", "kind", "date", "completeness")

Entry = dict[str, Any]


def _load(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read manifest ({exc.strerror or exc})") from exc
    try:
        return json.loads(decode_text(path, data))
    except json.JSONDecodeError as exc:
        raise IngestError(str(path), f"manifest is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc


def _label(index: int, entry: Entry) -> str:
    doc_id = entry.get("id")
    return f"entry {index} ('{doc_id}')" if isinstance(doc_id, str) and doc_id else f"entry {index}"


def _validate(path: Path, data: Any) -> list[Entry]:
    if not isinstance(data, list):
        raise IngestError(str(path), f"manifest must be a JSON list of entries, found a JSON {type(data).__name__}")
    seen: dict[str, int] = {}
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise IngestError(str(path), f"entry {index} is not an object")
        label = _label(index, entry)
        for key in ("id", "file"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise IngestError(str(path), f"{label}: missing or empty '{key}' (a non-empty string is required)")
        for key in _OPTIONAL_TEXT:
            value = entry.get(key)
            if isinstance(value, bool) or (value is not None and not isinstance(value, (str, int))):
                raise IngestError(str(path), f"{label}: '{key}' must be a string or null, found {json.dumps(value)}")
        language = entry.get("language")
        if language is not None and language not in LANGUAGES:
            raise IngestError(str(path), f"{label}: unknown language '{language}' (expected one of {', '.join(LANGUAGES)}, or null to detect it)")
        if entry.get("jurisdiction") not in (None, *JURISDICTIONS):
            log.warning("%s: %s: jurisdiction %r is not one of %s", path, label, entry["jurisdiction"], JURISDICTIONS)
        if entry.get("kind") not in (None, *KINDS):
            log.warning("%s: %s: kind %r is not one of %s", path, label, entry["kind"], KINDS)
        doc_id = entry["id"]
        if doc_id in seen:
            raise IngestError(str(path), f"duplicate id '{doc_id}' in entries {seen[doc_id]} and {index}")
        seen[doc_id] = index
    return data


def _text(entry: Entry, key: str) -> str | None:
    value = entry.get(key)
    return None if value is None else str(value).strip() or None


def _meta(entry: Entry, file: Path, settings: Settings) -> DocumentMeta:
    title, language = _text(entry, "title"), _text(entry, "language")
    if title is None or language is None:  # fill the gaps from the file itself
        guessed = infer_meta(file, entry["id"], settings)
        title = title or guessed.title
        language = language or guessed.language
    return DocumentMeta(
        doc_id=entry["id"],
        title=title,
        language=language,
        jurisdiction=_text(entry, "jurisdiction"),
        kind=_text(entry, "kind"),
        date=_text(entry, "date"),
        source=str(file),
        completeness=_text(entry, "completeness"),
    )


def load_manifest(path: Path, settings: Settings) -> tuple[list[tuple[Path, DocumentMeta]], list[IngestFailure]]:
    """(file, metadata) for every entry whose file exists; a failure for every other entry."""
    entries = _validate(path, _load(path))
    found: list[tuple[Path, DocumentMeta]] = []
    failures: list[IngestFailure] = []
    for entry in entries:
        file = path.parent / entry["file"]
        if not file.is_file():
            what = "is not a file" if file.exists() else "not found"
            failures.append(IngestFailure(str(file), f"listed in {path} (id '{entry['id']}') but {what}", entry["id"]))
            continue
        try:
            found.append((file, _meta(entry, file, settings)))
        except IngestError as exc:
            failures.append(IngestFailure(str(file), exc.reason, entry["id"]))
    return found, failures


def is_manifest(path: Path, settings: Settings) -> bool:
    """A manifest by name, or a JSON file whose top level is a list of entries with 'file'."""
    if path.name == MANIFEST_NAME:
        return True
    if path.suffix.lower() != ".json" or path.stat().st_size > settings.max_file_mb * 1024 * 1024:
        return False
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return False
    return isinstance(data, list) and any(isinstance(x, dict) and "file" in x for x in data)

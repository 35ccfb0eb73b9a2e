"""``discover``: which files to ingest and with what metadata, from a manifest, folder or file."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from laborlex_core.schema import DocumentMeta, IngestError, IngestFailure
from laborlex_core.settings import Settings

from .files import is_supported
from .infer import infer_meta, slugify
from .manifest import MANIFEST_NAME, is_manifest, load_manifest

log = logging.getLogger("laborlex.ingest")

Discovered = tuple[list[tuple[Path, DocumentMeta]], list[IngestFailure]]


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _bare_files(root: Path) -> tuple[list[Path], list[IngestFailure]]:
    """Supported files below ``root``; the others are reported, so none is silently ignored."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and not _is_hidden(p, root))
    unsupported = [
        IngestFailure(str(p), f"unsupported file type '{p.suffix or p.name}'") for p in files if not is_supported(p)
    ]
    return [p for p in files if is_supported(p)], unsupported


def _doc_ids(files: list[Path], root: Path) -> dict[Path, str]:
    """Id from the file stem; where two files share one, from the relative path instead."""
    by_stem = {p: slugify(p.stem) for p in files}
    clashes = Counter(by_stem.values())
    ids = {
        p: slug if clashes[slug] == 1 else slugify(str(p.relative_to(root).with_suffix("")))
        for p, slug in by_stem.items()
    }
    clashes = Counter(ids.values())
    return {
        p: doc_id if clashes[doc_id] == 1 else slugify(str(p.relative_to(root)))
        for p, doc_id in ids.items()
    }


def _infer_all(files: list[Path], ids: dict[Path, str], settings: Settings) -> Discovered:
    found: list[tuple[Path, DocumentMeta]] = []
    failures: list[IngestFailure] = []
    for path in files:
        try:
            found.append((path, infer_meta(path, ids[path], settings)))
        except IngestError as exc:
            failures.append(IngestFailure(str(path), exc.reason, ids[path]))
        except OSError as exc:
            failures.append(IngestFailure(str(path), f"cannot read file ({exc.strerror or exc})", ids[path]))
    return found, failures


def discover(path: Path, settings: Settings) -> Discovered:
    """Files to ingest with their metadata, and the files that cannot be.

    ``path`` is a manifest, a folder holding ``manifest.json`` (only the files it lists are
    taken), a folder without one (every supported file below it, metadata inferred; others reported as unsupported) or a
    single document. Raises IngestError for a missing path or a malformed manifest.
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(str(path), "no such file or folder")
    if path.is_dir():
        manifest = path / MANIFEST_NAME
        if manifest.is_file():
            return load_manifest(manifest, settings)
        files, unsupported = _bare_files(path)
        found, failures = _infer_all(files, _doc_ids(files, path), settings)
        return found, unsupported + failures
    if is_manifest(path, settings):
        return load_manifest(path, settings)
    return _infer_all([path], {path: slugify(path.stem)}, settings)

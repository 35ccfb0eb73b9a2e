"""Readers: turn corpus files (PDF, text, Markdown, SJF ruling-title JSON) into ``SourceText``.

Public API::

    read_source(path, meta, settings) -> SourceText     # raises IngestError(path, reason)
    discover(path, settings) -> (list[(Path, DocumentMeta)], list[IngestFailure])
"""

from .discover import discover
from .dispatch import read_source
from .files import SUPPORTED_EXTENSIONS
from .infer import slugify
from .language import detect_language
from .rulings_json import ENTRY_PREFIX

__all__ = ["ENTRY_PREFIX", "SUPPORTED_EXTENSIONS", "detect_language", "discover", "read_source", "slugify"]

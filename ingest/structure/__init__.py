"""Split a document's text into citable provisions (articles, sections, passages, entries)."""

from ingest.structure.patterns import PatternSet, load_patterns
from ingest.structure.splitter import split_provisions

__all__ = ["PatternSet", "load_patterns", "split_provisions"]

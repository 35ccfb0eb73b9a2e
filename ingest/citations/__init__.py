"""Citation extraction as an ingest step; the extraction itself is laborlex_core.citations."""

from ingest.citations.component import CitationExtractor
from laborlex_core.citations import CitingContext, extract_citations

__all__ = ["CitationExtractor", "CitingContext", "extract_citations"]

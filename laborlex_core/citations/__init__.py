"""Legal citations in text ("artículo 47 de esta Ley", "29 U.S.C. § 207", "48-ე მუხლით"),
resolved to provisions of the corpus.

Shared below ingest (which extracts the citations of every passage) and search_api (which
reads a reference typed as a query: "art. 48 LFT"). Patterns and the alias table are data.
"""

from laborlex_core.citations.aliases import AliasTable, load_aliases
from laborlex_core.citations.extract import CitingContext, extract_citations
from laborlex_core.citations.patterns import load_patterns

__all__ = ["AliasTable", "CitingContext", "extract_citations", "load_aliases", "load_patterns"]

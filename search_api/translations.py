"""The same provision in the instrument's other language versions, next to the one found.

ILO conventions and some statutes are in the corpus in several languages ("ilo-c100-es",
"ilo-c100-ka"). A researcher who finds Article 2 in Spanish wants the Georgian Article 2
too, and a query rarely reaches both: the model and BM25 each favour one language. Document
ids follow ``<instrument>-<language>``, which is how versions are paired.
"""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_to_dict

from laborlex_core.schema import LANGUAGES
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import combine, equals_filter
from laborlex_core.store.retrievers import from_dict_with_store
from laborlex_core.store.shared_document import replaced
from search_api.handoff import Passages, ProvisionList, SharedFilters, filter_dict, provision_key


def instrument_of(doc_id: str, language: str | None) -> str:
    """"ilo-c100-es" (es) → "ilo-c100"; an id without its language suffix is its own instrument."""
    suffix = f"-{language}" if language else ""
    return doc_id[: -len(suffix)] if suffix and doc_id.endswith(suffix) else doc_id


def instrument_id(doc_id: str) -> str:
    """"ge-labour-code-en" → "ge-labour-code": an id ending in a corpus language loses it."""
    stem, _, suffix = doc_id.rpartition("-")
    return stem if stem and suffix in LANGUAGES else doc_id


def language_versions(documents: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Document ids of each instrument held in more than one language version."""
    versions: dict[str, list[str]] = {}
    for document in documents:
        versions.setdefault(instrument_of(document["doc_id"], document.get("language")), []).append(document["doc_id"])
    return {instrument: ids for instrument, ids in versions.items() if len(ids) > 1}


def interleave_head(
    head: list[Document], found: dict[tuple[str, str], Document]
) -> tuple[list[Document], set[tuple[str, str]]]:
    """Each provision of ``head`` followed by its other-language versions in ``found``, and
    every key placed: the ranking below the head leaves those out (they moved up)."""
    result: list[Document] = []
    seen: set[tuple[str, str]] = set()
    for position, provision in enumerate(head):
        doc_id, article = provision_key(provision.meta)
        if (doc_id, article) in seen:
            continue  # already moved up next to a version in another language
        seen.add((doc_id, article))
        result.append(provision)
        language = provision.meta.get("language")
        for key, version in sorted(found.items()):
            if key[1] != article or key in seen or key[0] == doc_id:
                continue
            if instrument_of(key[0], version.meta.get("language")) != instrument_of(doc_id, language):
                continue
            seen.add(key)
            result.append(
                replaced(
                    version,
                    score=provision.score,
                    meta={**version.meta, "ranks": {"translation": position + 1}, "passages_matched": 0},
                )
            )
    return result, seen


@component
class TranslationExpander:
    """Puts other-language versions of the first results' provisions right after them."""

    def __init__(self, document_store: SearchBackend, depth: int = 10) -> None:
        self.document_store = document_store
        self.depth = depth

    @component.output_types(documents=Passages)
    def run(
        self,
        documents: Passages | list[Document],
        filters: SharedFilters | dict[str, Any] | None = None,
        top_k: int | None = None,
    ) -> dict[str, Passages]:
        """The ranking with versions placed after its first ``depth`` provisions; the rest of
        the ranking stays unbuilt (``ProvisionList``) until someone reads it."""
        ranked, filters = ProvisionList.of(documents), filter_dict(filters)
        limit = top_k or None  # the expanded list, cut back to what was asked for
        head = ranked[: self.depth]
        versions = self._versions() if head and self.depth > 0 else {}
        wanted_docs: set[str] = set()
        for document in head:
            doc_id, _ = provision_key(document.meta)
            ids = versions.get(instrument_of(doc_id, document.meta.get("language")), [])
            wanted_docs.update(i for i in ids if i != doc_id)
        if not wanted_docs:
            return {"documents": ranked.cut(limit)}
        articles = sorted({provision_key(d.meta)[1] for d in head})
        passages = self.document_store.passages(
            combine(filters, equals_filter(doc_id=sorted(wanted_docs), article=articles))
        )
        found: dict[tuple[str, str], Document] = {}
        for passage in sorted(passages, key=lambda p: (p.meta.get("chunk") or 0)):
            found.setdefault(provision_key(passage.meta), passage)  # a provision's first passage
        placed, seen = interleave_head(head, found)
        return {"documents": ranked.with_head(len(head), placed, seen).cut(limit)}

    def _versions(self) -> dict[str, list[str]]:
        """Language versions per instrument, kept per store generation where the store has one
        (listing every document on each search cost ~2 ms at 100k passages)."""
        generation = getattr(self.document_store, "generation", None)
        key = generation() if callable(generation) else None
        cached = getattr(self, "_versions_cache", None)
        if key is not None and cached is not None and cached[0] == key:
            return cached[1]
        versions = language_versions(self.document_store.list_documents())
        if key is not None:
            self._versions_cache = (key, versions)
        return versions

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, document_store=self.document_store.to_dict(), depth=self.depth)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranslationExpander:
        return from_dict_with_store(cls, data)

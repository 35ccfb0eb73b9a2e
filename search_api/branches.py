"""The lists a hybrid search fuses, beyond plain BM25 and plain nearest neighbours.

A query can say which jurisdiction it is about and is written in one language while the
answer may be in another. Each such signal becomes an extra ranked list, restricted by a
filter rather than by rewriting scores, so fusion stays plain weighted RRF:

* ``bm25@MX`` / ``dense@MX``: the query within a jurisdiction it names;
* ``terms/es``: BM25 within Spanish passages for the corpus-derived translations of the query's
  words (``search_api.term_table``);
* ``dense/ka``: nearest neighbours within each language (the model favours the query's own);
* ``reference``: the provisions a query cites ("art. 48 LFT"), weighted to come first;
* ``instrument`` / ``instrument_dense``: BM25 and nearest neighbours within an instrument the
  query names without an article ("Convention 29", "the FLSA"): a nudge, not a filter, so the
  provision that answers still has to earn its rank.

List names are ``kind[/language][@jurisdiction][#instrument]``; ``fusion.BranchWeights.of`` weighs them.

A hybrid search asks for every list at once (:class:`HybridBranches`): one batch of the
store's, so one ``_msearch`` on OpenSearch, and one component fewer to run (0.4-0.5 ms a
search at 100k on the fifteenth stop's 2-core host, under Haystack's scheduler then). BM25 alone
and dense alone ask for their side's lists (:class:`LexicalBranches`, :class:`SemanticBranches`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from haystack import Document, component, default_to_dict

from laborlex_core.embedding.query_vector import QueryVector
from laborlex_core.schema import LANGUAGES
from laborlex_core.store.base import ListRequest, SearchBackend
from laborlex_core.store.filters import combine, equals_filter
from laborlex_core.store.retrievers import from_dict_with_store
from search_api.fusion import BranchWeights, RankedLists
from search_api.handoff import SharedFilters, filter_dict
from search_api.query_adapter import adapt, load_adapter
from search_api.query_analysis import detect_language, mentioned_jurisdictions
from search_api.query_filler import strip_filler
from search_api.references import QueryReference, query_references
from search_api.term_table import cross_terms
from search_api.translations import instrument_id

# Articles a query may cite and have read as references (users cite one or two); the rest are words.
MAX_REFERENCES = 4


@dataclass(frozen=True, slots=True)
class QueryProfile:
    """What the branches need to know about a query."""

    language: str
    jurisdictions: tuple[str, ...]
    expansions: dict[str, str]  # other language → the query's words translated (term table)
    references: tuple[QueryReference, ...] = ()  # provisions or instruments the query cites

    def __deepcopy__(self, memo: dict[int, Any]) -> QueryProfile:
        """Read-only for every branch: Haystack's copy between components (a protocol check per
        leaf value) is skipped."""
        return self


@lru_cache(maxsize=1024)
def profile_query(query: str, strip_filler_words: bool = False) -> QueryProfile:
    """Cached: the pipeline reads it to search, and the snippets again to mark translated words.
    With ``strip_filler_words`` the term table translates the query without its filler words
    (``search_api.query_filler``); language, jurisdictions and references read it whole."""
    language = detect_language(query)
    words = strip_filler(query) if strip_filler_words else query
    return QueryProfile(
        language, mentioned_jurisdictions(query), cross_terms(words, language), tuple(query_references(query))
    )


def named_instruments(profile: QueryProfile) -> tuple[str, ...]:
    """Instruments the query names without an article ("Convenio 29"), each once."""
    return tuple(dict.fromkeys(instrument_id(r.doc_id) for r in profile.references if r.doc_id and r.article is None))


def instrument_filter(store: SearchBackend, instrument: str, filters: dict[str, Any] | None) -> dict[str, Any] | None:
    """Every language version of an instrument (ids ``<instrument>-<language>``), under ``filters``."""
    ids = sorted(d["doc_id"] for d in store.list_documents() if instrument_id(d["doc_id"]) == instrument)
    return combine(filters, equals_filter(doc_id=ids)) if ids else None


def branch_name(kind: str, language: str | None = None, jurisdiction: str | None = None, instrument: str | None = None) -> str:
    return kind + (f"/{language}" if language else "") + (f"@{jurisdiction}" if jurisdiction else "") + (f"#{instrument}" if instrument else "")


class ListBranches:
    """Store, list depth and branch weights (a zero weight skips the branch), serializable;
    the requests of each side's lists, and the lists of a batch of requests.

    The query vector is first moved by the learnt rotation of ``search_api.query_adapter`` by
    ``adapter_blend`` (``LABORLEX_QUERY_ADAPTER``; 0: unchanged). It was a component of its own
    between the embedder and the dense lists; Haystack's scheduling cost ~0.15 ms a component
    and a search (measured at 8 components on 2 cores), and the moved vector serves only here."""

    def __init__(
        self,
        document_store: SearchBackend,
        top_k: int = 100,
        weights: dict[str, float] | None = None,
        strip_filler: bool = False,
        adapter_blend: float = 0.0,
    ) -> None:
        self.document_store = document_store
        self.top_k = top_k
        self.weights = weights
        # the query without its filler words (query_filler): what BM25 searches, and what the
        # profile's translated words come from (every branch reads the same profile)
        self.strip_filler = strip_filler
        self.adapter_blend = adapter_blend
        self._weights = BranchWeights(**(weights or {}))

    def _profile(self, query: str) -> QueryProfile:
        """The query's profile, read once per query text (``profile_query`` is cached), with
        the same filler setting in every branch so that they share it."""
        return profile_query(query, self.strip_filler)

    def _wanted(self, name: str) -> bool:
        """A list is fetched only when fusion would count it (see BranchWeights.of)."""
        return self._weights.of(name) > 0

    def _jurisdictions(self, profile: QueryProfile) -> tuple[str, ...]:
        return profile.jurisdictions if self._weights.jurisdiction > 0 else ()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            document_store=self.document_store.to_dict(),
            top_k=self.top_k,
            weights=self.weights,
            strip_filler=self.strip_filler,
            adapter_blend=self.adapter_blend,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        return from_dict_with_store(cls, data)

    def _ranked(self, wanted: dict[str, ListRequest]) -> dict[str, list[Document]]:
        """The ``wanted`` lists, asked together: one round trip on a server backend."""
        return dict(zip(wanted, self.document_store.ranked_lists(list(wanted.values())))) if wanted else {}

    def _cited(self, profile: QueryProfile, filters: dict[str, Any] | None) -> dict[str, list[Document]]:
        """The ``reference`` list of the provisions the query cites, where it cites any."""
        return {"reference": self._referenced(profile, filters)} if profile.references and self._wanted("reference") else {}

    def _lexical_requests(self, query: str, profile: QueryProfile, filters: dict[str, Any] | None) -> dict[str, ListRequest]:
        """BM25 lists: the query as typed, within named jurisdictions and instruments, and its
        translated words per language."""
        store, k = self.document_store, self.top_k
        wanted: dict[str, ListRequest] = {}
        query = strip_filler(query) if self.strip_filler else query
        if self._wanted("bm25"):
            wanted["bm25"] = ListRequest(query=query, filters=filters, top_k=k)
            for code in self._jurisdictions(profile):
                within = combine(filters, equals_filter(jurisdiction=code))
                wanted[branch_name("bm25", jurisdiction=code)] = ListRequest(query=query, filters=within, top_k=k)
        if self._weights.terms > 0:
            for language, terms in profile.expansions.items():
                in_language = combine(filters, equals_filter(language=language))
                wanted[branch_name("terms", language)] = ListRequest(query=terms, filters=in_language, top_k=k)
                for code in self._jurisdictions(profile):
                    within = combine(in_language, equals_filter(jurisdiction=code))
                    wanted[branch_name("terms", language, code)] = ListRequest(query=terms, filters=within, top_k=k)
        if self._wanted("instrument"):
            for instrument in named_instruments(profile):
                within = instrument_filter(store, instrument, filters)
                if within is not None:
                    wanted[branch_name("instrument", instrument=instrument)] = ListRequest(query=query, filters=within, top_k=k)
        return wanted

    def _semantic_requests(
        self, query_embedding: QueryVector | list[float], profile: QueryProfile, filters: dict[str, Any] | None
    ) -> dict[str, ListRequest]:
        """Nearest-neighbour lists: over everything, within named jurisdictions and
        instruments, and within each language; of the adapted vector."""
        store, k = self.document_store, self.top_k
        if self.adapter_blend > 0:
            query_embedding = adapt(query_embedding, load_adapter(), self.adapter_blend)
        wanted: dict[str, ListRequest] = {}
        if self._wanted("dense"):
            wanted["dense"] = ListRequest(embedding=query_embedding, filters=filters, top_k=k)
            for code in self._jurisdictions(profile):
                within = combine(filters, equals_filter(jurisdiction=code))
                wanted[branch_name("dense", jurisdiction=code)] = ListRequest(embedding=query_embedding, filters=within, top_k=k)
        if self._wanted("instrument_dense"):
            for instrument in named_instruments(profile):
                within = instrument_filter(store, instrument, filters)
                if within is not None:
                    wanted[branch_name("instrument_dense", instrument=instrument)] = ListRequest(
                        embedding=query_embedding, filters=within, top_k=k
                    )
        if self._weights.language_balance > 0:
            for language in LANGUAGES:
                in_language = combine(filters, equals_filter(language=language))
                wanted[branch_name("dense", language)] = ListRequest(embedding=query_embedding, filters=in_language, top_k=k)
        return wanted

    def _referenced(self, profile: QueryProfile, filters: dict[str, Any] | None) -> list[Document]:
        """The cited provisions, first passage each, in the order cited. An article cited with
        no instrument ("§ 207") is looked for in every document, those in the query's language
        and named jurisdictions first. An instrument named without an article is not here:
        its lists (``instrument``) only nudge, since filling the first places with the
        instrument's articles buried the one that answers.

        Bounded whatever the query: the first MAX_REFERENCES articles cited, at most the list
        depth of provisions each. A query of a dozen bare "art. N" once read ~11,000 passages
        at 100k and took a minute and a half."""
        store, references = self.document_store, profile.references

        def preference(document: Document) -> tuple[bool, bool, str]:
            meta = document.meta
            return (meta.get("language") != profile.language, meta.get("jurisdiction") not in profile.jurisdictions, str(meta.get("doc_id")))

        found: list[Document] = []
        cited = [reference for reference in references if reference.article is not None][:MAX_REFERENCES]
        for reference in cited:
            wanted = combine(filters, equals_filter(doc_id=reference.doc_id, article=reference.article))
            found += sorted((d for d in store.passages(wanted) if not d.meta.get("chunk")), key=preference)[
                : self.top_k
            ]
        return found


@component
class LexicalBranches(ListBranches):
    """BM25 lists alone (``bm25`` mode), with the provisions the query cites."""

    @component.output_types(lists=RankedLists)
    def run(self, query: str, filters: SharedFilters | dict[str, Any] | None = None) -> dict[str, RankedLists]:
        filters, profile = filter_dict(filters), self._profile(query)
        return {"lists": RankedLists(self._ranked(self._lexical_requests(query, profile, filters)) | self._cited(profile, filters))}


@component
class SemanticBranches(ListBranches):
    """Nearest-neighbour lists alone (``dense`` mode)."""

    @component.output_types(lists=RankedLists)
    def run(
        self, query: str, query_embedding: QueryVector | list[float], filters: SharedFilters | dict[str, Any] | None = None
    ) -> dict[str, RankedLists]:
        filters, profile = filter_dict(filters), self._profile(query)
        return {"lists": RankedLists(self._ranked(self._semantic_requests(query_embedding, profile, filters)))}


@component
class HybridBranches(ListBranches):
    """Every list of a hybrid search, asked of the store in one batch; named in the order
    fusion adds them (BM25's, the cited provisions, the model's: float addition is not
    associative, and the first list holding a passage decides which copy fusion keeps)."""

    @component.output_types(lists=RankedLists)
    def run(
        self, query: str, query_embedding: QueryVector | list[float], filters: SharedFilters | dict[str, Any] | None = None
    ) -> dict[str, RankedLists]:
        filters, profile = filter_dict(filters), self._profile(query)
        lexical = self._lexical_requests(query, profile, filters)
        semantic = self._semantic_requests(query_embedding, profile, filters)
        found = self._ranked(lexical | semantic)
        lists = {name: found[name] for name in lexical} | self._cited(profile, filters) | {name: found[name] for name in semantic}
        return {"lists": RankedLists(lists)}

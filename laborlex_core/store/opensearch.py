"""The OpenSearch backend: the same SearchBackend protocol as the embedded store, on a cluster.

Written on opensearch-py directly rather than opensearch-haystack's OpenSearchDocumentStore:
that store creates and owns one concrete index (we search through an alias so that ``reindex``
can swap indices), has no per-document replace or document records, and its BM25 query
searches ``content`` with one analyzer, where laborlex needs every language's analysis and the
context line. Query and mapping bodies live in ``opensearch_queries``/``opensearch_mappings``.

Semantics matched to the embedded store: passages keep their Haystack meta as written; BM25
and cosine scores are "higher is better" (k-NN scores are mapped back from Lucene's
``(1 + cos) / 2`` to the cosine); filters mean the same. One difference cannot be hidden:
``replace_document`` writes the new passages, then deletes the leftover old ones (two bulk
requests, not a transaction): a refused write never loses the indexed version, but while a
replace runs a reader may see new passages next to old ones about to be deleted.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import struct
import time
from functools import cached_property
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from haystack import Document, default_to_dict
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy
from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import ConnectionTimeout, NotFoundError, TransportError

from laborlex_core.passage_text import context_line
from laborlex_core.schema import citation_key
from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META, SentenceBlock
from laborlex_core.settings import Settings
from laborlex_core.store import opensearch_mappings as mappings
from laborlex_core.store import opensearch_queries as queries
from laborlex_core.store.base import ListRequest, answer_each
from laborlex_core.store.lexical_index import fts_tokens
from laborlex_core.store.opensearch_matches import OpenSearchMatches, count_matches
from laborlex_core.text_analysis import analyze
from laborlex_core.store.citation_rows import (
    cited_keys,
    count_citing,
    rows_from_passages,
    stats_from_rows,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
BULK_BATCH = 500  # actions per _bulk request
PAGE_SIZE = 1000  # hits per page when reading passages in order
LOAD_TIMEOUT_S = 300.0  # per _bulk of a bulk load (load_documents)
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class OpenSearchWriteError(RuntimeError):
    """A write that failed after retries; the message names the document and the reasons."""

    def __init__(self, doc_id: str, reasons: list[str]) -> None:
        self.doc_id = doc_id
        self.reasons = reasons
        super().__init__(f"writing document {doc_id!r} to OpenSearch failed: {'; '.join(reasons[:5])}")


_WEIGHT_LEAF = re.compile(r"^weight\(([^:\s]+):(\S+?) in \d+\)")


def _retryable(error: Exception) -> bool:
    if isinstance(error, (OSConnectionError, ConnectionTimeout)):
        return True
    return isinstance(error, TransportError) and isinstance(error.status_code, int) and error.status_code in RETRYABLE_STATUS


def with_retries(call: Callable[[], T], attempts: int = 5, base_delay: float = 0.5, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``call``, retrying 429/5xx and connection errors with exponential backoff."""
    for attempt in range(attempts):
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - re-raised unless retryable
            if attempt == attempts - 1 or not _retryable(error):
                raise
            delay = base_delay * 2**attempt
            log.warning("opensearch_retry", extra={"attempt": attempt + 1, "delay_s": delay, "error": str(error)})
            sleep(delay)
    raise AssertionError("unreachable")


def _same_float32(a: Sequence[float], b: Sequence[float]) -> bool:
    """Equal vectors once both are float32 (what the k-NN field stores)."""
    return len(a) == len(b) and all(struct.pack("<f", x) == struct.pack("<f", y) for x, y in zip(a, b))


def cluster_hosts(url: str) -> list[str]:
    """``LABORLEX_OPENSEARCH_URL`` may name several nodes, comma-separated: the client spreads
    requests over them and moves on when one dies (a single node is a single point of failure)."""
    hosts = [part.strip() for part in url.split(",") if part.strip()]
    if not hosts:
        raise ValueError("LABORLEX_OPENSEARCH_URL names no host")
    return hosts


def make_client(settings: Settings, compress: bool = True) -> OpenSearch:
    """An opensearch-py client from Settings (basic auth only when a password is set).

    ``compress=False`` for bulk loads: opensearch-py gzips every body at level 9, which took
    about half the time of copying the corpus into a node on the same machine (2,396
    passages, 25 MB of JSON: 2.9 s of gzip in the client alone; docs/opensearch.md)."""
    auth = None
    if settings.opensearch_password is not None:
        auth = (settings.opensearch_user, settings.opensearch_password.get_secret_value())
    return OpenSearch(
        hosts=cluster_hosts(settings.opensearch_url),
        http_auth=auth,
        verify_certs=settings.opensearch_verify_certs,
        ssl_show_warn=settings.opensearch_verify_certs,
        timeout=settings.opensearch_timeout_s,
        http_compress=compress,
    )


def passage_terms(meta: dict[str, Any], content: str) -> list[str]:
    """The passage's terms as the embedded store's BM25 index holds them: the context line and
    the body analyzed in the passage's own language, split as FTS5 splits them."""
    language = meta.get("language")
    terms = set(fts_tokens(" ".join(analyze(context_line(meta), language))))
    terms.update(fts_tokens(" ".join(analyze(content, language))))
    return sorted(terms)


def passage_source(document: Document) -> dict[str, Any]:
    """The ``_source`` of one passage: filter keywords, both texts, the meta as written, vector."""
    meta = document.meta
    source: dict[str, Any] = {"id": document.id, "content": document.content or "", "context": context_line(meta)}
    for name in mappings.KEYWORD_FIELDS:
        value = meta.get(name)
        source[name] = None if value is None else str(value)
    source["doc_id"] = meta.get("doc_id") or document.id
    for name in mappings.INTEGER_FIELDS:
        source[name] = meta.get(name)
    source[mappings.PROVISION_FIELD] = mappings.provision_value(meta.get("doc_id"), meta.get("article"))
    source[mappings.MATCH_TERMS_FIELD] = passage_terms(meta, document.content or "")
    source["meta"] = {k: v for k, v in meta.items() if k not in ("citations", SENTENCE_VECTORS_META)}
    if "citations" in meta:  # passages from the indexing pipeline; others are stored as written
        citations = list(meta.get("citations") or [])
        source[mappings.CITATIONS_FIELD] = citations
        source[mappings.CITES_FIELD] = cited_keys(citations, str(source["doc_id"]), str(meta.get("article") or ""))
    if document.embedding is not None:
        source["embedding"] = [float(x) for x in document.embedding]
    if meta.get(SENTENCE_VECTORS_META) is not None:  # snippet sentence vectors from ingest
        source[mappings.SENTENCES_FIELD] = base64.b64encode(bytes(meta[SENTENCE_VECTORS_META])).decode("ascii")
    return source


def _document_record(doc_id: str, passages: Sequence[Document], doc_meta: dict[str, Any], text: str | None) -> dict[str, Any]:
    """The document's record in the docs index (what ``list_documents`` and ``get_document``
    read), as ``replace_document`` and ``load_documents`` write it once its passages are in."""
    return {
        "doc_id": doc_id,
        "meta": doc_meta,
        "passages": len(passages),
        "provisions": len({(d.meta.get("article"), d.meta.get("ordinal")) for d in passages}),
        "updated_at": time.time(),
        "text": text,
    }


def owner_of(error: str, owners: dict[str, str]) -> str:
    """The document an item error of ``_bulk`` ("<id>: <status> <reason>") belongs to, by the
    known id it starts with: an id may itself hold ": " (cutting at the first colon credited
    such a passage to no document, and its document's record was written anyway)."""
    start = 0
    while (at := error.find(": ", start)) >= 0:
        if error[:at] in owners:
            return owners[error[:at]]
        start = at + 1
    return "(unknown)"


_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def _marked_spans(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    """A highlight fragment as (plain text, marked character spans of the plain text)."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    position = last = 0
    for match in _MARK.finditer(fragment):
        plain.append(fragment[last : match.start()])
        position += match.start() - last
        spans.append((position, position + len(match.group(1))))
        plain.append(match.group(1))
        position += len(match.group(1))
        last = match.end()
    plain.append(fragment[last:])
    return "".join(plain), spans


def merge_highlights(highlight: dict[str, list[str]]) -> list[str]:
    """One fragment per passage excerpt, with every sub-field's marks.

    ``content.es``, ``.en`` and ``.ka`` highlight the same text with different analyzers, so
    the same excerpt used to come back two or three times with different words marked. Here
    fragments with the same plain text become one, marking the union of their marked spans, in
    the order they first appear.
    """
    merged: dict[str, set[tuple[int, int]]] = {}
    for fragments in highlight.values():
        for fragment in fragments:
            plain, spans = _marked_spans(fragment)
            merged.setdefault(plain, set()).update(spans)
    results = []
    for plain, spans in merged.items():
        out: list[str] = []
        cursor = 0
        for start, end in sorted(spans):
            if start < cursor:  # overlapping marks from two analyzers: extend the open one
                if end > cursor:
                    out[-1] = out[-1][: -len("</mark>")] + plain[cursor:end] + "</mark>"
                    cursor = end
                continue
            out.append(plain[cursor:start])
            out.append(f"<mark>{plain[start:end]}</mark>")
            cursor = end
        out.append(plain[cursor:])
        results.append("".join(out))
    return results


def knn_cosine(score: float) -> float:
    """Lucene's cosinesimil k-NN score ``(1 + cos) / 2`` mapped back to the cosine, so dense
    scores read as in the embedded store."""
    return 2.0 * float(score) - 1.0


def hit_to_document(hit: dict[str, Any], score: float | None = None) -> Document:
    """A search hit back as a Haystack Document with the passage's own meta."""
    source = hit["_source"]
    meta = dict(source.get("meta") or {})
    if source.get(mappings.CITATIONS_FIELD) is not None:
        meta["citations"] = source[mappings.CITATIONS_FIELD]
    if hit.get("highlight"):
        meta["highlights"] = merge_highlights(hit["highlight"])
    return Document(
        id=source.get("id") or hit["_id"],
        content=source.get("content"),
        meta=meta,
        embedding=source.get("embedding"),
        score=score,
    )


class OpenSearchBackend:
    """Haystack DocumentStore + laborlex SearchBackend over an OpenSearch alias."""

    def __init__(self, settings: Settings, client: OpenSearch | None = None, embedding_dim: int = mappings.EMBEDDING_DIM) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        self._own_client = client is None  # a client passed in is used for bulk loads too
        self.alias = settings.opensearch_index
        self.docs_index = mappings.docs_index_name(self.alias)
        self.embedding_dim = embedding_dim

    # ---- helpers ------------------------------------------------------------------------

    @cached_property
    def version(self) -> mappings.Version | None:
        """The cluster's OpenSearch version (None when it does not say: an emulator)."""
        try:
            number = self._call(self.client.info).get("version", {}).get("number")
        except TransportError:
            return None
        return mappings.parse_version(number) if number else None

    def _call(self, call: Callable[[], T]) -> T:
        return with_retries(call, attempts=self.settings.opensearch_max_retries)

    def _search(self, body: dict[str, Any], index: str | None = None, **params: Any) -> dict[str, Any]:
        return self._call(lambda: self.client.search(index=index or self.alias, body=body, params=params or None))

    @cached_property
    def _load_client(self) -> OpenSearch:
        """The client bulk loads go through: uncompressed bodies (see ``make_client``)."""
        return make_client(self.settings, compress=False) if self._own_client else self.client

    def _bulk(
        self,
        actions: list[dict[str, Any]],
        doc_id: str,
        refresh: bool = True,
        timeout_s: float | None = None,
        client: OpenSearch | None = None,
    ) -> list[str]:
        """Send ``actions`` (header, source pairs flattened) in batches; retry rejected items.

        Items rejected with 429 are sent again with backoff; other item errors are returned.
        """
        errors: list[str] = []
        pending = actions
        for attempt in range(self.settings.opensearch_max_retries):
            retry: list[dict[str, Any]] = []
            for first in range(0, len(pending), BULK_BATCH * 2):
                batch = pending[first : first + BULK_BATCH * 2]
                response = self._call(
                    lambda batch=batch: (client or self.client).bulk(
                        body=batch, refresh=refresh, request_timeout=timeout_s or self.settings.opensearch_timeout_s
                    )
                )
                if not response.get("errors"):
                    continue
                sources = iter(batch)
                pairs = []
                for header in sources:
                    op = next(iter(header))
                    pairs.append((header, None if op == "delete" else next(sources)))
                for (header, source), item in zip(pairs, response["items"]):
                    result = next(iter(item.values()))
                    status = result.get("status", 500)
                    if status < 300 or (next(iter(header)) == "delete" and status == 404):
                        continue
                    if status in RETRYABLE_STATUS:
                        retry.extend([header] + ([source] if source is not None else []))
                    else:
                        errors.append(f"{result.get('_id')}: {status} {result.get('error')}")
            if not retry:
                return errors
            pending = retry
            time.sleep(0.5 * 2**attempt)
        errors.append(f"{len(pending) // 2} actions still rejected (429/5xx) after retries")
        return errors

    def refresh(self) -> None:
        self._call(lambda: self.client.indices.refresh(index=f"{self.alias},{self.docs_index}"))

    # ---- Haystack DocumentStore protocol ---------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        # Connection details come from Settings (LABORLEX_OPENSEARCH_*), never serialized:
        # the password stays out of pipeline YAML.
        return default_to_dict(self, index=self.alias, embedding_dim=self.embedding_dim)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OpenSearchBackend:
        params = data.get("init_parameters", {})
        settings = Settings(opensearch_index=params.get("index", "laborlex"))
        return cls(settings, embedding_dim=params.get("embedding_dim", mappings.EMBEDDING_DIM))

    def count_documents(self) -> int:
        return int(self._call(lambda: self.client.count(index=self.alias))["count"])

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        return self._ordered(filters, with_embeddings=True)

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE) -> int:
        """Write passages; NONE behaves as FAIL, like the embedded store.

        A ``_bulk`` that timed out may still have been applied: ``with_retries`` then sends the
        same ``create`` actions again and they come back 409. Such a 409 is only a duplicate
        when the stored passage differs from the one sent (checked with one ``_mget``);
        otherwise it is our own first attempt and counts as written.
        """
        if policy == DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        op = "index" if policy == DuplicatePolicy.OVERWRITE else "create"
        sources = {document.id: passage_source(document) for document in documents}
        response_errors: list[str] = []
        written = 0
        ids = list(sources)
        for first in range(0, len(ids), BULK_BATCH):
            batch_ids = ids[first : first + BULK_BATCH]
            batch: list[dict[str, Any]] = []
            for doc_id in batch_ids:
                batch += [{op: {"_index": self.alias, "_id": doc_id}}, sources[doc_id]]
            sent = 0

            def send(batch: list[dict[str, Any]] = batch) -> dict[str, Any]:
                nonlocal sent
                sent += 1
                return self.client.bulk(body=batch, refresh=True)

            response = self._call(send)
            conflicts: list[str] = []
            for item in response["items"]:
                result = next(iter(item.values()))
                if result.get("status", 500) < 300:
                    written += 1
                elif result.get("status") == 409:
                    conflicts.append(str(result.get("_id")))
                else:
                    response_errors.append(f"{result.get('_id')}: {result.get('error')}")
            if conflicts and sent > 1:  # a re-sent batch: which conflicts are our own first write?
                ours = self._stored_as_sent(conflicts, sources)
                written += len(ours)
                conflicts = [i for i in conflicts if i not in ours]
            if conflicts and policy == DuplicatePolicy.FAIL:
                raise DuplicateDocumentError(f"ID '{conflicts[0]}' already exists in the document store.")
        if response_errors:
            raise OpenSearchWriteError("(write_documents)", response_errors)
        return written

    def _stored_as_sent(self, ids: list[str], sources: dict[str, dict[str, Any]]) -> set[str]:
        """The ``ids`` whose stored passage is the one we sent.

        The vector is compared at float32 precision: k-NN 3.x rebuilds it for ``_source`` from
        its float32 vector values (derived source), so it does not come back digit for digit.
        """
        response = self._call(lambda: self.client.mget(index=self.alias, body={"ids": ids}))
        same = set()
        for found in response.get("docs", []):
            if not found.get("found"):
                continue
            sent = json.loads(json.dumps(sources[found["_id"]]))  # as the server parsed it
            stored = dict(found.get("_source") or {})
            sent_vector, stored_vector = sent.pop("embedding", None), stored.pop("embedding", None)
            if stored != sent or (sent_vector is None) != (stored_vector is None):
                continue
            if sent_vector is None or _same_float32(sent_vector, stored_vector):
                same.add(found["_id"])
        return same

    def delete_documents(self, document_ids: list[str]) -> None:
        actions = [{"delete": {"_index": self.alias, "_id": i}} for i in document_ids]
        errors = self._bulk(actions, "(delete_documents)")
        if errors:
            raise OpenSearchWriteError("(delete_documents)", errors)

    # ---- per-document operations ------------------------------------------------------------

    def replace_document(
        self, doc_id: str, passages: Sequence[Document], doc_meta: dict[str, Any], text: str | None = None
    ) -> int:
        """Write the new passages, then delete the leftover old ones, then record the document.

        Raises :class:`OpenSearchWriteError` naming ``doc_id`` when any passage is refused
        after retries (the ingest pipeline reports it as that document's failure).
        """
        actions = self._passage_actions(doc_id, passages)
        # New passages first (ids are stable per position, so they overwrite in place); only when
        # every one was accepted are the old ones left over deleted, so a refused write never
        # loses the indexed version.
        leftovers = sorted({d.id for d in self.document_passages(doc_id)} - {d.id for d in passages})
        errors = self._bulk(actions, doc_id)
        if not errors and leftovers:
            errors = self._bulk([{"delete": {"_index": self.alias, "_id": i}} for i in leftovers], doc_id)
        if errors:
            raise OpenSearchWriteError(doc_id, errors)
        record = _document_record(doc_id, passages, doc_meta, text)
        self._call(lambda: self.client.index(index=self.docs_index, id=doc_id, body=record, refresh=True))
        return len(passages)

    def _passage_actions(self, doc_id: str, passages: Sequence[Document]) -> list[dict[str, Any]]:
        """The ``_bulk`` index actions (header, source pairs flattened) writing a document's
        passages; raises ValueError, before anything is sent, for a passage of another document
        (``replace_document`` and ``load_documents`` write the same sources)."""
        actions: list[dict[str, Any]] = []
        for document in passages:
            if document.meta.get("doc_id") != doc_id:
                raise ValueError(f"passage {document.id} belongs to {document.meta.get('doc_id')}, not {doc_id}")
            actions += [{"index": {"_index": self.alias, "_id": document.id}}, passage_source(document)]
        return actions

    def load_documents(
        self, entries: Sequence[tuple[str, Sequence[Document], dict[str, Any], str | None]]
    ) -> dict[str, list[str]]:
        """Write whole documents the index does not hold yet, many per ``_bulk``, unrefreshed.

        Why: a copy into an empty index (``import-embedded``, the benchmark) through
        ``replace_document`` costs a search for leftovers, a refreshed ``_bulk`` and a refreshed
        record write per document; each refresh makes a new Lucene segment whose HNSW graph is
        built and later merged again. Here passages of many documents share one ``_bulk`` of
        ``BULK_BATCH`` passages and nothing is refreshed: the caller refreshes once at the end
        (``opensearch_admin.bulk_loading``). Returns the refused passages per document; a
        document's record is written only when all its passages were accepted.
        """
        owners: dict[str, str] = {}
        actions: list[dict[str, Any]] = []
        for doc_id, passages, _, _ in entries:
            actions += self._passage_actions(doc_id, passages)
            owners.update((document.id, doc_id) for document in passages)
        failures: dict[str, list[str]] = {}
        # A loaded node may take tens of seconds per bulk of vectors: a timeout would re-send
        # (and re-index) the whole batch, so a bulk load waits longer than a query does.
        timeout_s = max(self.settings.opensearch_timeout_s, LOAD_TIMEOUT_S)
        for error in self._bulk(actions, "(load_documents)", refresh=False, timeout_s=timeout_s, client=self._load_client):
            failures.setdefault(owner_of(error, owners), []).append(error)
        records: list[dict[str, Any]] = []
        for doc_id, passages, doc_meta, text in entries:
            if doc_id in failures:
                continue
            records += [{"index": {"_index": self.docs_index, "_id": doc_id}}, _document_record(doc_id, passages, doc_meta, text)]
        own_ids = {doc_id: doc_id for doc_id, _, _, _ in entries}
        for error in self._bulk(records, "(load_documents)", refresh=False, timeout_s=timeout_s, client=self._load_client):
            failures.setdefault(owner_of(error, own_ids), []).append(error)
        return failures

    def delete_document(self, doc_id: str) -> bool:
        response = self._call(
            lambda: self.client.delete_by_query(
                index=self.alias, body={"query": {"term": {"doc_id": doc_id}}}, params={"refresh": "true", "conflicts": "proceed"}
            )
        )
        try:
            self._call(lambda: self.client.delete(index=self.docs_index, id=doc_id, refresh=True))
            record_deleted = True
        except NotFoundError:
            record_deleted = False
        return bool(record_deleted or response.get("deleted"))

    def _record(self, doc_id: str) -> dict[str, Any] | None:
        try:
            return self._call(lambda: self.client.get(index=self.docs_index, id=doc_id))["_source"]
        except NotFoundError:
            return None

    @staticmethod
    def _summary(record: dict[str, Any]) -> dict[str, Any]:
        return {
            **(record.get("meta") or {}),
            "passages": record.get("passages", 0),
            "provisions": record.get("provisions", 0),
            "updated_at": record.get("updated_at"),
        }

    def list_documents(self) -> list[dict[str, Any]]:
        """Every document record in ``doc_id`` order, paged (no 10,000 limit)."""
        summaries: list[dict[str, Any]] = []
        after: list[Any] | None = None
        while True:
            try:
                hits = self._search(queries.documents_page_body(PAGE_SIZE, after), index=self.docs_index)["hits"]["hits"]
            except NotFoundError:
                return summaries
            summaries.extend(self._summary(hit["_source"]) for hit in hits)
            if len(hits) < PAGE_SIZE:
                return summaries
            after = hits[-1]["sort"]

    def get_document(self, doc_id: str) -> dict[str, Any] | None:
        record = self._record(doc_id)
        return None if record is None else self._summary(record)

    def document_text(self, doc_id: str) -> str | None:
        record = self._record(doc_id)
        return None if record is None else record.get("text")

    def document_passages(self, doc_id: str, with_embeddings: bool = False) -> list[Document]:
        return self.passages({"field": "meta.doc_id", "operator": "==", "value": doc_id}, with_embeddings)

    def passages(self, filters: dict[str, Any] | None = None, with_embeddings: bool = False) -> list[Document]:
        return self._ordered(filters, with_embeddings)

    def _ordered(self, filters: dict[str, Any] | None, with_embeddings: bool) -> list[Document]:
        """All passages matching ``filters`` in reading order, paged with search_after."""
        documents: list[Document] = []
        after: list[Any] | None = None
        while True:
            body = queries.filter_body(filters, PAGE_SIZE, after)
            excluded = ["context", mappings.SENTENCES_FIELD, mappings.MATCH_TERMS_FIELD]
            body["_source"] = {"excludes": excluded + ([] if with_embeddings else ["embedding"])}
            hits = self._search(body)["hits"]["hits"]
            documents.extend(hit_to_document(h) for h in hits)
            if len(hits) < PAGE_SIZE:
                return documents
            after = hits[-1]["sort"]

    def sentence_vectors(self, passage_ids: Sequence[str]) -> dict[str, SentenceBlock]:
        """The stored snippet sentence vectors of those passages that have them, in one
        request for the page (passages indexed before they were stored have none)."""
        wanted = list(dict.fromkeys(passage_ids))
        if not wanted:
            return {}
        response = self._call(
            lambda: self.client.mget(index=self.alias, body={"ids": wanted}, params={"_source_includes": mappings.SENTENCES_FIELD})
        )
        out: dict[str, SentenceBlock] = {}
        for found in response.get("docs", []):
            encoded = (found.get("_source") or {}).get(mappings.SENTENCES_FIELD) if found.get("found") else None
            if encoded:
                out[found["_id"]] = SentenceBlock.from_bytes(base64.b64decode(encoded))
        return out

    def facet_counts(self, field: str, filters: dict[str, Any] | None = None) -> dict[str, int]:
        if field not in ("jurisdiction", "language", "kind", "doc_id"):
            raise ValueError(f"no facet on {field!r}")
        response = self._search(queries.facet_body(field, filters))
        return {str(b["key"]): int(b["doc_count"]) for b in response["aggregations"]["values"]["buckets"]}

    # ---- citations (computed from the passages' stored citations, as in citation_rows) --------

    def cited_by(self, doc_id: str, article: str) -> list[dict[str, Any]]:
        key = citation_key(doc_id, article)
        citing = self._ordered({"field": "meta.cites", "operator": "==", "value": key}, with_embeddings=False)
        return [r for r in rows_from_passages(citing) if r["target_key"] == key and not r["internal"]]

    def citations_of(self, doc_id: str, article: str) -> list[dict[str, Any]]:
        filters = {
            "operator": "AND",
            "conditions": [
                {"field": "meta.doc_id", "operator": "==", "value": doc_id},
                {"field": "meta.article", "operator": "==", "value": article},
            ],
        }
        return rows_from_passages(self._ordered(filters, with_embeddings=False))

    def citation_counts(self, keys: Sequence[str]) -> dict[str, int]:
        if not keys:
            return {}
        citing = self._ordered({"field": "meta.cites", "operator": "in", "value": list(keys)}, with_embeddings=False)
        return count_citing(rows_from_passages(citing), keys)

    def citation_stats(self) -> dict[str, Any]:
        return stats_from_rows(rows_from_passages(self._ordered(None, with_embeddings=False)))

    # ---- retrieval -------------------------------------------------------------------

    def bm25_retrieval(self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10) -> list[Document]:
        """BM25 analyzed by OpenSearch per language sub-field; highlights in ``meta["highlights"]``."""
        if not query.strip():
            return []
        hits = self._search(queries.bm25_body(query, filters, top_k))["hits"]["hits"]
        return self._documents(ListRequest(query=query), hits)

    def explain_bm25(self, query: str, passage_id: str) -> dict[str, Any] | None:
        """OpenSearch's own ``_explain`` of one passage's BM25 score for ``query``: the matched
        (field, term) pairs with their score, read from the weight(...) leaves of its tree."""
        if not query.strip():
            return None
        body = {"query": queries.bm25_query(query)}
        answer = self._call(lambda: self.client.explain(index=self.alias, id=passage_id, body=body))
        terms: dict[tuple[str, str], float] = {}

        def walk(node: dict[str, Any]) -> None:
            match = _WEIGHT_LEAF.match(node.get("description", ""))
            if match:
                key = (match.group(1), match.group(2))
                terms[key] = terms.get(key, 0.0) + float(node.get("value") or 0.0)
                return
            for child in node.get("details") or ():
                walk(child)

        explanation = answer.get("explanation") or {}
        walk(explanation)
        return {
            "engine": "opensearch",
            "matched": bool(answer.get("matched")),
            "score": float(explanation.get("value") or 0.0),
            "terms": [{"field": f, "term": t, "score": v} for (f, t), v in sorted(terms.items(), key=lambda kv: -kv[1])],
        }

    def embedding_retrieval(
        self, query_embedding: Sequence[float], filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """Approximate (HNSW) cosine neighbours with the filter applied inside the k-NN search.

        Lucene reports cosinesimil as ``(1 + cos) / 2``; it is mapped back to the cosine so
        scores read as in the embedded store.
        """
        hits = self._search(queries.knn_body(query_embedding, filters, top_k))["hits"]["hits"]
        return self._documents(ListRequest(embedding=query_embedding), hits)

    def ranked_lists(self, requests: Sequence[ListRequest]) -> list[list[Document]]:
        """Every list in one ``_msearch`` (one round trip, searched concurrently by the node),
        each body the one ``bm25_retrieval`` / ``embedding_retrieval`` sends, so each answer
        equals the single call. A list the node fails (e.g. 429 under load) is asked again
        alone, with the single call's retries and errors."""
        answers: list[list[Document] | None] = [[] if r.query is not None and not r.query.strip() else None for r in requests]
        wanted = [i for i, answer in enumerate(answers) if answer is None]
        lines: list[dict[str, Any]] = []
        for i in wanted:
            request = requests[i]
            body = (
                queries.bm25_body(request.query, request.filters, request.top_k) if request.query is not None
                else queries.knn_body(request.embedding or [], request.filters, request.top_k)
            )
            lines += [{"index": self.alias}, body]
        responses = self._call(lambda: self.client.msearch(body=lines))["responses"] if lines else []
        for i, response in zip(wanted, responses):
            if "error" in response:
                log.warning("opensearch_msearch_item_failed", extra={"status": response.get("status"), "error": str(response["error"])[:200]})
                continue
            answers[i] = self._documents(requests[i], response["hits"]["hits"])
        failed = [i for i, answer in enumerate(answers) if answer is None]
        for i, answer in zip(failed, answer_each(self, [requests[i] for i in failed])):
            answers[i] = answer
        return answers  # type: ignore[return-value]  # every None was answered above

    @staticmethod
    def _documents(request: ListRequest, hits: list[dict[str, Any]]) -> list[Document]:
        """Hits of a BM25 or k-NN list as Documents: BM25 scores as given, k-NN scores mapped
        back to the cosine (``knn_cosine``). The one place both the single calls and
        ``ranked_lists`` turn hits into scored Documents."""
        if request.query is not None:
            return [hit_to_document(h, score=float(h["_score"])) for h in hits]
        return [hit_to_document(h, score=knn_cosine(h["_score"])) for h in hits]

    def provision_matches(
        self,
        query: str,
        filters: dict[str, Any] | None = None,
        include: Sequence[tuple[str, str]] = (),
        also: Sequence[tuple[str, dict[str, Any] | None]] = (),
        narrowing: dict[str, Any] | None = None,
    ) -> OpenSearchMatches:
        """The provisions matching ``query`` under ``filters`` (a passage holds one of its terms,
        as laborlex analyzes them), or a (text, filters) pair of ``also``, plus the (doc_id,
        article) pairs of ``include``: counted, faceted and paged from aggregations, as the
        embedded store's ``provision_matches`` (see ``opensearch_matches``); the ``narrowing``
        facet selection is counted by the same request."""
        return count_matches(self, query, filters, include, also, narrowing)

    def hybrid_retrieval(
        self, query: str, query_embedding: Sequence[float], filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """One native ``hybrid`` query fused by the search pipeline; ``meta["ranks"]`` = {"hybrid": r}."""
        body = queries.hybrid_body(query, query_embedding, filters, top_k, version=self.version)
        hits = self._search(body, search_pipeline=self.settings.opensearch_search_pipeline)["hits"]["hits"]
        documents = []
        for rank, hit in enumerate(hits, start=1):
            document = hit_to_document(hit, score=float(hit["_score"]))
            document.meta["ranks"] = {"hybrid": rank}
            documents.append(document)
        return documents

"""Cluster administration for the OpenSearch backend: setup, reindex, status.

Separate from the store because these run once per deployment (``laborlex opensearch …``),
not per query. Every step is idempotent where it can be: ``setup`` on a ready cluster changes
nothing; ``reindex`` leaves the old index serving until the atomic alias swap.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, RequestError, TransportError

from laborlex_core.settings import Settings
from laborlex_core.store import opensearch_mappings as mappings


@dataclass(slots=True)
class SetupReport:
    """What ``setup`` found and did, for the CLI to print."""

    index: str
    created_index: bool = False
    created_docs_index: bool = False
    search_pipeline: str | None = None
    search_pipeline_error: str | None = None  # set when the cluster refused the pipeline
    notes: list[str] = field(default_factory=list)
    version: mappings.Version | None = None  # the cluster's, None when it does not say
    plugins: frozenset[str] | None = None  # installed plugins, None when it does not say
    embedding_dim: int | None = None  # of the passage index behind the alias


class SetupError(RuntimeError):
    """The cluster cannot hold laborlex's index (missing plugin, too old)."""


KNN_PLUGIN = "opensearch-knn"
NEURAL_PLUGIN = "opensearch-neural-search"


def cluster_version(client: OpenSearch) -> mappings.Version | None:
    """The OpenSearch version from ``GET /`` (None when the server does not say)."""
    try:
        number = client.info().get("version", {}).get("number")
    except TransportError as error:
        if isinstance(error, OSConnectionError):
            raise
        return None
    return mappings.parse_version(number) if number else None


def cluster_plugins(client: OpenSearch) -> frozenset[str] | None:
    """Plugins installed on every node (``_cat/plugins``; None when the server has no such API)."""
    try:
        rows = client.cat.plugins(format="json")
    except TransportError as error:
        if isinstance(error, OSConnectionError):
            raise
        return None
    if not isinstance(rows, list):
        return None
    return frozenset(str(row.get("component")) for row in rows)


def index_dimension(client: OpenSearch, index: str) -> int | None:
    """The ``embedding`` dimension of a passage index (None without a vector field)."""
    mapping = client.indices.get_mapping(index=index)[index]["mappings"]
    return mapping.get("properties", {}).get("embedding", {}).get("dimension")


def add_missing_fields(client: OpenSearch, index: str) -> None:
    """Map the fields added since ``index`` was made (additive, so an older index takes them in
    place; its ``dynamic: strict`` mapping would otherwise refuse passages carrying them)."""
    properties = client.indices.get_mapping(index=index)[index]["mappings"].get("properties", {})
    missing: dict[str, Any] = {}
    if mappings.SENTENCES_FIELD not in properties:
        missing[mappings.SENTENCES_FIELD] = dict(mappings.SENTENCES_MAPPING)
    # Passages written before these fields have no values for them: they are counted in facets
    # and totals only when ranked, until re-ingested or copied again (``_reindex`` copies _source).
    missing.update({name: dict(m) for name, m in mappings.MATCH_FIELDS_MAPPING.items() if name not in properties})
    if missing:
        client.indices.put_mapping(index=index, body={"properties": missing})


def alias_targets(client: OpenSearch, alias: str) -> list[str]:
    """The concrete indices behind ``alias`` (empty when the alias does not exist)."""
    try:
        return sorted(client.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def create_passage_index(
    client: OpenSearch, settings: Settings, name: str, knn: bool = True, embedding_dim: int = mappings.EMBEDDING_DIM
) -> None:
    body = mappings.passage_index_body(
        settings.opensearch_shards, settings.opensearch_replicas, embedding_dim=embedding_dim, knn=knn
    )
    client.indices.create(index=name, body=body)


@contextmanager
def bulk_loading(client: OpenSearch, alias: str) -> Iterator[None]:
    """Load passages into the index behind ``alias`` the way OpenSearch advises for a bulk load:
    no periodic refresh and no replicas while writing, then the previous settings back
    (``force_merge`` after it, when the index will be searched hard). The writer refreshes once
    when it is done (``opensearch_copy.copy_store`` does, so what it copied is searchable on
    return, inside this block or not); a second refresh here would find nothing new to publish.

    Why: every refresh cuts a Lucene segment, and on a ``knn_vector`` field each segment gets
    its own HNSW graph, built at flush and rebuilt whenever segments merge; a refreshed write
    per document made the copy of 10k passages take most of an hour.
    """
    indices = alias_targets(client, alias) or [alias]
    target = ",".join(indices)
    current = client.indices.get_settings(index=target, name="index.refresh_interval,index.number_of_replicas")
    before = {
        name: {
            "refresh_interval": values["settings"].get("index", {}).get("refresh_interval"),  # None: the default
            "number_of_replicas": values["settings"].get("index", {}).get("number_of_replicas", "0"),
        }
        for name, values in current.items()
    }
    client.indices.put_settings(index=target, body={"index": {"refresh_interval": "-1", "number_of_replicas": 0}})
    try:
        yield
    finally:
        for name, values in before.items():
            client.indices.put_settings(index=name, body={"index": values})


def force_merge(client: OpenSearch, alias: str) -> None:
    """Merge the passage index down to one segment: one HNSW graph to search instead of one per
    segment (faster, steadier k-NN), built once after a bulk load instead of at every merge."""
    targets = ",".join(alias_targets(client, alias) or [alias])
    client.indices.forcemerge(index=targets, max_num_segments=1, request_timeout=3600)


def put_search_pipeline(client: OpenSearch, settings: Settings, version: mappings.Version | None = None) -> None:
    """Create or update the RRF search pipeline used by native hybrid queries (body by version)."""
    client.transport.perform_request(
        "PUT",
        f"/_search/pipeline/{settings.opensearch_search_pipeline}",
        body=mappings.search_pipeline_body(settings.rrf_k, version),
    )


def _pipeline_notes(settings: Settings, version: mappings.Version | None) -> list[str]:
    """What native hybrid will do differently on this version (empty on a current cluster)."""
    notes = []
    if version is None:
        return notes
    used = mappings.rrf_rank_constant(settings.rrf_k, version)
    if used != settings.rrf_k:
        notes.append(
            f"OpenSearch {_dotted(version)} ignores the RRF rank_constant (read from 3.1): native hybrid fuses "
            f"with {used}, client hybrid with LABORLEX_RRF_K={settings.rrf_k}; rankings differ"
        )
    if version < mappings.HYBRID_FILTER_SINCE:
        notes.append(
            f"OpenSearch {_dotted(version)} has no hybrid-query filter (3.0): filters are applied in each sub-query"
        )
    return notes


def _dotted(version: mappings.Version) -> str:
    return ".".join(map(str, version))


def setup(
    client: OpenSearch,
    settings: Settings,
    knn: bool = True,
    search_pipeline: bool = True,
    embedding_dim: int = mappings.EMBEDDING_DIM,
) -> SetupReport:
    """Create the passage index + alias, the document-record index and the search pipeline.

    ``knn=False`` / ``search_pipeline=False`` exist for clusters (and the test emulator) without
    k-NN or search pipelines; the mapping is otherwise the same. When the cluster refuses the
    search pipeline (no neural-search plugin, an emulator), the index and alias are still set
    up: the refusal is recorded in ``search_pipeline_error`` and ``notes`` and only native
    hybrid is unavailable; client hybrid, BM25 and dense do not need the pipeline.

    Version and plugins are read first: a cluster that cannot map ``knn_vector`` (no k-NN
    plugin) gets :class:`SetupError` saying why; without neural-search, or before 2.19, the
    pipeline is not attempted; 2.19/3.0 get the pipeline body they accept, with a note on
    what differs. ``embedding_dim`` is the model's (an existing index keeps its own; a
    mismatch is an error, since vectors of another size would be refused at ingest).
    """
    alias = settings.opensearch_index
    version = cluster_version(client)
    plugins = cluster_plugins(client)
    targets = alias_targets(client, alias)
    report = SetupReport(index=targets[0] if targets else "", version=version, plugins=plugins)
    if not targets:
        name = mappings.timestamped_index_name(alias)
        try:
            create_passage_index(client, settings, name, knn=knn, embedding_dim=embedding_dim)
        except RequestError as error:
            if knn and "knn_vector" in str(error):
                installed = ", ".join(sorted(plugins)) if plugins is not None else "unknown"
                raise SetupError(
                    f"the cluster at {settings.opensearch_url} cannot map knn_vector: no {KNN_PLUGIN} plugin? "
                    f"(installed: {installed or 'none'}); dense and hybrid search need it"
                ) from error
            raise
        client.indices.update_aliases(body=mappings.alias_swap_actions(alias, name, []))
        report.index, report.created_index = name, True
        report.embedding_dim = embedding_dim if knn else None
    else:
        report.embedding_dim = index_dimension(client, targets[0])
        add_missing_fields(client, targets[0])
        if knn and report.embedding_dim is not None and report.embedding_dim != embedding_dim:
            raise SetupError(
                f"index {targets[0]} holds {report.embedding_dim}-dimensional vectors, the model makes "
                f"{embedding_dim}: re-ingest into a new alias (LABORLEX_OPENSEARCH_INDEX) or reindex after "
                "deleting the old index"
            )
    docs = mappings.docs_index_name(alias)
    if not client.indices.exists(index=docs):
        client.indices.create(
            index=docs, body=mappings.docs_index_body(settings.opensearch_shards, settings.opensearch_replicas)
        )
        report.created_docs_index = True
    skip = None
    if search_pipeline and plugins is not None and NEURAL_PLUGIN not in plugins:
        skip = f"no {NEURAL_PLUGIN} plugin on the cluster"
    elif search_pipeline and version is not None and version < mappings.SCORE_RANKER_SINCE:
        skip = f"OpenSearch {_dotted(version)} has no score-ranker-processor (2.19)"
    if skip is not None:
        report.search_pipeline_error = skip
        report.notes.append(
            f"search pipeline {settings.opensearch_search_pipeline} not created ({skip}): native hybrid "
            "unavailable (LABORLEX_OPENSEARCH_HYBRID=client still works)"
        )
    elif search_pipeline:
        try:
            put_search_pipeline(client, settings, version)
            report.search_pipeline = settings.opensearch_search_pipeline
            report.notes.extend(_pipeline_notes(settings, version))
        except TransportError as error:
            if isinstance(error, OSConnectionError):
                raise
            report.search_pipeline_error = f"{error.status_code} {error.error}"
            report.notes.append(
                f"search pipeline {settings.opensearch_search_pipeline} could not be created "
                f"({report.search_pipeline_error}): native hybrid unavailable "
                "(LABORLEX_OPENSEARCH_HYBRID=client still works)"
            )
    else:
        report.notes.append("search pipeline not created (native hybrid unavailable)")
    return report


def reindex(
    client: OpenSearch,
    settings: Settings,
    knn: bool = True,
    now: datetime | None = None,
    embedding_dim: int | None = None,
) -> tuple[str, list[str]]:
    """Copy the passages into a fresh index (current mappings), swap the alias, drop the old.

    Returns (new index, removed indices). The copy uses the server-side ``_reindex`` API
    and waits for it; the alias keeps pointing at the old index until the copy is complete
    and its count checked, so searches never see a half-copied index. The new index keeps
    the old one's vector dimension unless ``embedding_dim`` says otherwise.
    """
    alias = settings.opensearch_index
    old = alias_targets(client, alias)
    if embedding_dim is None:
        embedding_dim = (index_dimension(client, old[0]) if old and knn else None) or mappings.EMBEDDING_DIM
    new = mappings.timestamped_index_name(alias, now)
    create_passage_index(client, settings, new, knn=knn, embedding_dim=embedding_dim)
    if old:
        client.reindex(
            body={"source": {"index": alias}, "dest": {"index": new}},
            params={"refresh": "true", "wait_for_completion": "true"},
            request_timeout=3600,
        )
        expected = client.count(index=alias)["count"]
        copied = client.count(index=new)["count"]
        if copied != expected:
            client.indices.delete(index=new)
            raise RuntimeError(f"reindex copied {copied} of {expected} passages; alias left on {old}")
    client.indices.update_aliases(body=mappings.alias_swap_actions(alias, new, old))
    for index in old:
        client.indices.delete(index=index)
    return new, old


def status(client: OpenSearch, settings: Settings) -> dict[str, Any]:
    """Cluster health, alias → indices, passage and document counts, pipeline presence."""
    alias = settings.opensearch_index
    health = client.cluster.health()
    targets = alias_targets(client, alias)
    docs = mappings.docs_index_name(alias)
    result: dict[str, Any] = {
        "cluster": health.get("cluster_name"),
        "health": health.get("status"),
        "nodes": health.get("number_of_nodes"),
        "alias": alias,
        "indices": targets,
        "passages": client.count(index=alias)["count"] if targets else 0,
        "documents": client.count(index=docs)["count"] if client.indices.exists(index=docs) else 0,
    }
    version = cluster_version(client)
    result["version"] = _dotted(version) if version else None
    plugins = cluster_plugins(client)
    result["plugins"] = sorted(plugins) if plugins is not None else None
    try:
        client.transport.perform_request("GET", f"/_search/pipeline/{settings.opensearch_search_pipeline}")
        result["search_pipeline"] = settings.opensearch_search_pipeline
    except TransportError:
        result["search_pipeline"] = None
    return result

"""Cluster administration for the OpenSearch backend: setup, reindex, status.

Separate from the store because these run once per deployment (``laborlex opensearch …``),
not per query. Every step is idempotent where it can be: ``setup`` on a ready cluster changes
nothing; ``reindex`` leaves the old index serving until the atomic alias swap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError

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


def alias_targets(client: OpenSearch, alias: str) -> list[str]:
    """The concrete indices behind ``alias`` (empty when the alias does not exist)."""
    try:
        return sorted(client.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def create_passage_index(client: OpenSearch, settings: Settings, name: str, knn: bool = True) -> None:
    body = mappings.passage_index_body(settings.opensearch_shards, settings.opensearch_replicas, knn=knn)
    client.indices.create(index=name, body=body)


def put_search_pipeline(client: OpenSearch, settings: Settings) -> None:
    """Create or update the RRF search pipeline used by native hybrid queries."""
    client.transport.perform_request(
        "PUT",
        f"/_search/pipeline/{settings.opensearch_search_pipeline}",
        body=mappings.search_pipeline_body(settings.rrf_k),
    )


def setup(client: OpenSearch, settings: Settings, knn: bool = True, search_pipeline: bool = True) -> SetupReport:
    """Create the passage index + alias, the document-record index and the search pipeline.

    ``knn=False`` / ``search_pipeline=False`` exist for clusters (and the test emulator) without
    k-NN or search pipelines; the mapping is otherwise the same. When the cluster refuses the
    search pipeline (no neural-search plugin, an emulator), the index and alias are still set
    up: the refusal is recorded in ``search_pipeline_error`` and ``notes`` and only native
    hybrid is unavailable; client hybrid, BM25 and dense do not need the pipeline.
    """
    alias = settings.opensearch_index
    targets = alias_targets(client, alias)
    report = SetupReport(index=targets[0] if targets else "")
    if not targets:
        name = mappings.timestamped_index_name(alias)
        create_passage_index(client, settings, name, knn=knn)
        client.indices.update_aliases(body=mappings.alias_swap_actions(alias, name, []))
        report.index, report.created_index = name, True
    docs = mappings.docs_index_name(alias)
    if not client.indices.exists(index=docs):
        client.indices.create(
            index=docs, body=mappings.docs_index_body(settings.opensearch_shards, settings.opensearch_replicas)
        )
        report.created_docs_index = True
    if search_pipeline:
        try:
            put_search_pipeline(client, settings)
            report.search_pipeline = settings.opensearch_search_pipeline
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


def reindex(client: OpenSearch, settings: Settings, knn: bool = True, now: datetime | None = None) -> tuple[str, list[str]]:
    """Copy the passages into a fresh index (current mappings), swap the alias, drop the old.

    Returns (new index, removed indices). The copy uses the server-side ``_reindex`` API
    and waits for it; the alias keeps pointing at the old index until the copy is complete
    and its count checked, so searches never see a half-copied index.
    """
    alias = settings.opensearch_index
    old = alias_targets(client, alias)
    new = mappings.timestamped_index_name(alias, now)
    create_passage_index(client, settings, new, knn=knn)
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
    try:
        client.transport.perform_request("GET", f"/_search/pipeline/{settings.opensearch_search_pipeline}")
        result["search_pipeline"] = settings.opensearch_search_pipeline
    except TransportError:
        result["search_pipeline"] = None
    return result

"""``laborlex opensearch setup|reindex|status``: run once per deployment, not per query.

A Typer sub-app registered in laborlex/cli.py; the work itself is in
``laborlex_core.store.opensearch_admin`` so it is testable without the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from laborlex.opensearch_local import local_app

opensearch_app = typer.Typer(help="Manage the OpenSearch backend (index, alias, search pipeline).", no_args_is_help=True)
opensearch_app.add_typer(local_app, name="local")


def _client_and_settings():  # type: ignore[no-untyped-def]
    from laborlex_core.logging_setup import configure_logging
    from laborlex_core.settings import get_settings
    from laborlex_core.store.opensearch import make_client

    settings = get_settings()
    configure_logging(settings.log_level)
    return make_client(settings), settings


@opensearch_app.command()
def setup(
    search_pipeline: Annotated[
        bool,
        typer.Option(
            "--search-pipeline/--no-search-pipeline",
            help="Create the RRF search pipeline for native hybrid (needs the neural-search plugin).",
        ),
    ] = True,
    dimension: Annotated[
        int | None,
        typer.Option("--dimension", min=1, help="Vector size of the k-NN field (default: the embedding model's)."),
    ] = None,
) -> None:
    """Create the passage index behind its alias, the document index and the hybrid search pipeline (idempotent).

    A cluster that refuses the search pipeline still gets its index and alias; the refusal is
    printed as a warning and the command fails (exit 1) only when LABORLEX_OPENSEARCH_HYBRID=native,
    which needs it.
    """
    from laborlex_core.store.opensearch_admin import SetupError
    from laborlex_core.store.opensearch_admin import setup as run_setup

    client, settings = _client_and_settings()
    if dimension is None:
        from laborlex_core.embedding.embedder import load_model

        model = load_model(settings)
        size = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dimension = int(size() or 0) or None
    try:
        report = run_setup(client, settings, search_pipeline=search_pipeline, **({"embedding_dim": dimension} if dimension else {}))
    except SetupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if report.version is not None:
        plugins = ", ".join(sorted(report.plugins)) if report.plugins is not None else "unknown"
        typer.echo(f"OpenSearch {'.'.join(map(str, report.version))} (plugins: {plugins})")
    state = "created" if report.created_index else "exists"
    typer.echo(f"alias {settings.opensearch_index} -> {report.index} ({state}, {report.embedding_dim or '-'}-dim vectors)")
    typer.echo(f"documents index {settings.opensearch_index}-docs ({'created' if report.created_docs_index else 'exists'})")
    typer.echo(f"search pipeline {report.search_pipeline or '-'}")
    for note in report.notes:
        typer.echo(f"note: {note}")
    if report.search_pipeline_error is not None:
        typer.echo(f"warning: no search pipeline on this cluster: {report.search_pipeline_error}", err=True)
        if settings.opensearch_hybrid == "native":
            typer.echo(
                "error: LABORLEX_OPENSEARCH_HYBRID=native needs the search pipeline; "
                "use LABORLEX_OPENSEARCH_HYBRID=client or install the neural-search plugin",
                err=True,
            )
            raise typer.Exit(1)


@opensearch_app.command(name="import-embedded")
def import_embedded(
    source: Annotated[
        Path | None, typer.Argument(help="The embedded index (index.sqlite3); default: the one in LABORLEX_DATA_DIR.")
    ] = None,
) -> None:
    """Copy an embedded index into OpenSearch with its vectors (no re-embedding); run `setup` first."""
    from laborlex_core.store.embedded import EmbeddedDocumentStore
    from laborlex_core.store.opensearch import OpenSearchBackend
    from laborlex_core.store.opensearch_admin import alias_targets, bulk_loading, index_dimension
    from laborlex_core.store.opensearch_copy import copy_store

    client, settings = _client_and_settings()
    path = source or settings.store_path
    if not path.exists():
        typer.echo(f"error: no embedded index at {path}", err=True)
        raise typer.Exit(2)
    targets = alias_targets(client, settings.opensearch_index)
    if not targets:
        typer.echo(f"error: alias {settings.opensearch_index} does not exist: run `laborlex opensearch setup` first", err=True)
        raise typer.Exit(1)
    target = OpenSearchBackend(settings, client=client)

    def progress(number: int, total: int, doc_id: str) -> None:
        typer.echo(f"[{number}/{total}] {doc_id}", err=True)

    with bulk_loading(client, settings.opensearch_index):  # no refresh or replicas while writing (copy_store refreshes once)
        report = copy_store(EmbeddedDocumentStore(path), target, index_dimension(client, targets[0]), progress)
    typer.echo(f"copied {report.documents} documents, {report.passages} passages into {settings.opensearch_index}")
    for doc_id, reason in report.failures.items():
        typer.echo(f"failed: {doc_id}: {reason}", err=True)
    if report.failures:
        raise typer.Exit(1)


@opensearch_app.command()
def reindex() -> None:
    """Copy passages into a new index with the current mappings and swap the alias atomically."""
    from laborlex_core.store.opensearch_admin import reindex as run_reindex

    client, settings = _client_and_settings()
    new, old = run_reindex(client, settings)
    typer.echo(f"alias {settings.opensearch_index} -> {new}; removed {', '.join(old) or 'nothing'}")


@opensearch_app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Cluster health, which index the alias points to, passage and document counts."""
    from laborlex_core.store.opensearch_admin import status as run_status

    client, settings = _client_and_settings()
    result = run_status(client, settings)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        typer.echo(f"{key:<16} {value}")

"""``laborlex opensearch local start|stop|status``: a real OpenSearch node on 127.0.0.1.

A thin wrapper over ``scripts/opensearch-local.sh``, which fetches OpenSearch and the k-NN
plugin from Maven Central (no Docker here), assembles the node once in a cache outside the
repository and starts it over plain HTTP. The shell script does the work because it has to
create a system user and hand the JVM over to it when run as root; this module only gives it
the CLI's shape and options.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Annotated

import typer

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "opensearch-local.sh"

local_app = typer.Typer(
    help="A real OpenSearch node on 127.0.0.1 from Maven Central artifacts (no Docker).", no_args_is_help=True
)

PortOption = Annotated[int, typer.Option("--port", help="HTTP port of the first node (node i listens on port + i).")]
NodesOption = Annotated[int, typer.Option("--nodes", min=1, help="Nodes in the loopback cluster.")]


def run_script(action: str, port: int, nodes: int | None = None, heap: str | None = None, version: str | None = None) -> int:
    """Run the script with its output passed through; returns its exit status."""
    if not SCRIPT.exists():
        typer.echo(f"error: {SCRIPT} not found (run from a laborlex checkout)", err=True)
        return 2
    args = ["bash", str(SCRIPT), action, "--port", str(port)]
    if nodes is not None:
        args += ["--nodes", str(nodes)]
    if heap is not None:
        args += ["--heap", heap]
    if version is not None:
        args += ["--version", version]
    return subprocess.run(args, env=os.environ.copy(), check=False).returncode


@local_app.command()
def start(
    port: PortOption = 9200,
    nodes: NodesOption = 1,
    heap: Annotated[str, typer.Option("--heap", help="JVM heap per node.")] = "1g",
    version: Annotated[str, typer.Option("--version", help="OpenSearch version (k-NN plugin <version>.0).")] = "3.5.0",
) -> None:
    """Fetch (once), assemble (once) and start the node; wait for yellow/green; print OPENSEARCH_URL."""
    code = run_script("start", port, nodes, heap, version)
    if code:
        raise typer.Exit(code)
    typer.echo(f"use it: LABORLEX_BACKEND=opensearch LABORLEX_OPENSEARCH_URL=http://127.0.0.1:{port} laborlex opensearch setup")


@local_app.command()
def stop(port: PortOption = 9200) -> None:
    """Stop the node(s) on this port (nothing to do when none runs)."""
    raise typer.Exit(run_script("stop", port))


@local_app.command()
def status(port: PortOption = 9200) -> None:
    """Print OPENSEARCH_URL and the cluster health; exit 3 when no node answers."""
    raise typer.Exit(run_script("status", port))

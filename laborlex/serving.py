"""How ``laborlex serve`` runs the API: one process, or several worker processes on one port.

Why several processes: a search is mostly Python (pipeline hops, fusion, snippets), and the
GIL lets one process use one core for that however many threads serve it. N uvicorn workers
(``LABORLEX_API_WORKERS``) each import the app through :func:`build_app` and listen on one
port, each on a socket of its own (:class:`ReusePortSocket`); the kernel hands each new
connection to one of them, and a worker holding more than its share of the kept-alive
connections hands one back so that its client's next connection may go to another worker
(laborlex/connection_balance.py).

What they share and what they do not:

- the index: SQLite is the source of truth for all of them, and every query checks the store's
  generation, so a write committed by one worker (an upload, a delete) or by ``laborlex ingest``
  is seen by the others at their next query;
- the snapshot: it is built once, in a short process of its own before the workers start, and
  saved beside the index (``index.sqlite3.derived``), so each worker loads it instead of building
  its own; the float32 vectors are memory-mapped (shared), the int8 codes and the postings are
  read into each worker (about 100 MB at 100k passages);
- the model: each worker loads its own (an extra worker measured 0.6-1.5 GB PSS at 100k
  passages, README *Reliability*), with its inference threads set to
  its share of the cores unless ``LABORLEX_THREADS`` says otherwise;
- load shedding and the request budget (``search_api/limits.py``) are per worker: each admits
  ``LABORLEX_API_MAX_CONCURRENT`` working and ``LABORLEX_API_MAX_QUEUE`` waiting requests, so
  the server as a whole holds N times that; one upload at a time holds across workers (a lock
  file under the data folder).
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import sys
from typing import TYPE_CHECKING

import uvicorn
from uvicorn.supervisors import Multiprocess

from laborlex.connection_balance import ConnectionBalance
from laborlex_core.logging_setup import configure_logging
from laborlex_core.settings import Settings, get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

# Where uvicorn's workers find the app: an import string, since each worker is a new process.
APP_FACTORY = "laborlex.serving:build_app"
# How long the supervisor waits for a worker to answer its liveness ping before killing it.
# uvicorn's 5 s is shorter than loading the model on a busy machine (the ping is answered by a
# thread that needs the GIL), and a worker killed while starting is restarted, forever.
WORKER_HEALTHCHECK_S = 120


def build_app() -> FastAPI:
    """The API as one process serves it: model loaded and snapshot mapped before the first
    request, so no client waits for either. Each worker process calls this once."""
    from ingest.pipeline import ingest_sources
    from laborlex_core.embedding.embedder import load_model
    from search_api.app import create_app
    from search_api.limits import limit_malloc_arenas

    settings = get_settings()
    configure_logging(settings.log_level)
    limit_malloc_arenas()  # per-thread heaps otherwise grow the server's memory under load
    api = create_app(settings, ingest=ingest_sources)
    if settings.api_workers > 1 and settings.api_balance_connections:
        api.add_middleware(ConnectionBalance, workers=settings.api_workers)
    load_model(settings)
    api.state.library.warm()
    return api


def worker_count(settings: Settings, requested: int | None) -> int:
    """The number of API processes: the option, else ``LABORLEX_API_WORKERS``, at least 1."""
    return max(1, requested if requested is not None else settings.api_workers)


def threads_per_worker(workers: int, cores: int | None = None) -> int:
    """Each worker's share of the cores for model inference (at least one)."""
    return max(1, (cores or os.cpu_count() or 1) // workers)


def prepare_snapshot() -> None:
    """Build and save the index's snapshot once, so the workers map the saved folder rather
    than each building the same thing at start-up. Runs in a process of its own (see
    :func:`serve`): the supervisor stays small, holding neither the snapshot nor numpy."""
    from laborlex_core.store import open_store
    from laborlex_core.store.embedded import EmbeddedDocumentStore

    # the saved snapshot is only made sure of here: no in-memory copy of its vectors
    store = open_store(get_settings().model_copy(update={"dense_resident_mb": 0}))
    assert isinstance(store, EmbeddedDocumentStore), "only the embedded store has a snapshot to prepare"
    store.warm()
    store.wait_for_snapshot()
    store.close()


class ReusePortSocket(socket.socket):
    """A TCP socket bound with ``SO_REUSEPORT``: pickled (as uvicorn hands its sockets to each
    spawned worker), it is remade, as a new socket bound to the same address.

    Why: with one listening socket shared by the workers, which of them accepts a new connection
    is a race, and the worker that has just closed a connection tends to win it. A connection a
    worker handed back (laborlex/connection_balance.py) then came back to it: eight clients
    making one request after another stayed split 7/1, then 5/3, for a whole minute of
    hand-backs. With a socket per worker in one ``SO_REUSEPORT`` group, Linux picks the socket
    of each new connection by a hash of its addresses and ports, so a client that reconnects
    (from a new port) lands on any worker with the same chance.

    The supervisor's socket only holds the port (it is bound, never listened on: a socket of the
    group that listens and is never accepted on would take its share of the connections). A
    worker's socket joins the group when uvicorn listens on it, once the worker has loaded its
    model; one that exits leaves the group, and the others take its share. Linux lets only
    sockets of the same user join a group, so another user's process cannot take a share."""

    def __reduce__(self) -> tuple[object, tuple[int, tuple[str, int]]]:
        return bind_reuse_port, (int(self.family), self.getsockname()[:2])


def bind_reuse_port(family: int, address: tuple[str, int]) -> ReusePortSocket:
    """A socket bound to ``address`` (port 0: a free one) that other sockets may bind too."""
    bound = ReusePortSocket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    bound.bind(address)
    bound.set_inheritable(True)
    return bound


def reuse_port_balances() -> bool:
    """Whether the kernel spreads connections over a ``SO_REUSEPORT`` group (Linux does; on
    other systems the option exists with other meanings, and the workers share one socket)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


class TcpConfig(uvicorn.Config):
    """uvicorn's settings, with a listening socket that says it is TCP.

    Why: with several workers uvicorn binds the socket itself and leaves its ``proto`` at 0.
    Accepted connections inherit it, and asyncio sets ``TCP_NODELAY`` only on a socket whose
    ``proto`` is ``IPPROTO_TCP`` (uvicorn issue #3149). Without it, Nagle's algorithm holds the
    last part of each response until the client's delayed ACK: every request on a kept-alive
    connection but the first took ~45 ms more (measured: ``/health`` 48 ms against 4 ms with one
    worker). The descriptor is kept; only the Python object around it is remade, from what the
    kernel reports. With several workers on Linux each worker has a socket of its own
    (:class:`ReusePortSocket`), made TCP from the start."""

    def bind_socket(self) -> socket.socket:
        if self.workers > 1 and self.uds is None and self.fd is None and reuse_port_balances():
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            return bind_reuse_port(family, (self.host, self.port))
        bound = super().bind_socket()
        if bound.family not in (socket.AF_INET, socket.AF_INET6) or bound.proto == socket.IPPROTO_TCP:
            return bound
        tcp = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
        tcp.set_inheritable(True)
        return tcp


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run the API until interrupted: in this process, or as ``workers`` worker processes."""
    if workers == 1:
        uvicorn.run(build_app(), host=host, port=port, log_level=settings.log_level)
        return
    os.environ["LABORLEX_API_WORKERS"] = str(workers)  # each worker reads its settings afresh: tell it there are others
    if settings.threads == 0:  # the workers inherit the environment: split the cores between them
        share = str(threads_per_worker(workers))
        os.environ["LABORLEX_THREADS"] = share
        os.environ.setdefault("OMP_NUM_THREADS", share)
    if settings.backend == "embedded":
        preparing = multiprocessing.get_context("spawn").Process(target=prepare_snapshot, name="laborlex-snapshot")
        preparing.start()
        preparing.join()
    config = TcpConfig(
        APP_FACTORY, factory=True, workers=workers, host=host, port=port, log_level=settings.log_level,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()

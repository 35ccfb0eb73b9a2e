"""Kept-alive connections spread evenly over the API's worker processes.

Why: a client that keeps its connection alive (the UI, a script with a session, the bench's
ten clients) is served by whichever worker of ``laborlex serve --workers N`` accepted that
connection, for as long as it lasts. Which one accepts is the kernel's choice: the bench's ten
connections were split 9/1 between two workers for a whole 40 s run, and the worker holding
nine queued their requests on one core (a worker is bound by the GIL to about one) while the
other idled: 78 requests/s and a p95 of 250 ms, against 115 and 126 ms in a run that happened
to split them 5/5 (README *Issue 11, twelfth stop*).

How: a worker that holds more than its share of the server's established connections
(``ceil(all / N)``, counted from /proc by ``laborlex_core.tcp_connections``) hands one back:
that response says ``Connection: close``, h11 (uvicorn's HTTP/1.1 protocol) closes the
connection after sending it, and the client opens a new one for its next request, which lands on
any worker with the same chance: each worker listens on a socket of its own in one
``SO_REUSEPORT`` group, and the kernel picks one by a hash of the new connection's ports
(laborlex/serving.py says why not one shared socket). The counts are read at most every
``refresh_s`` and one connection is handed back per reading, so a worker sheds its surplus a
connection at a time and the counts catch up in between; a connection that lands on the same
worker again is handed back at a later reading. Where the counts balance nothing happens, so
steady traffic keeps its connections. Without /proc (not Linux) nothing is handed back.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from laborlex_core.tcp_connections import own_and_total

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Counts = Callable[[int], "tuple[int, int] | None"]  # port -> (held by this process, all), as own_and_total


class ConnectionBalance:
    """ASGI middleware: hands a kept-alive connection back while this worker holds more than
    its share of the ``workers`` processes' connections."""

    def __init__(self, app: Any, workers: int, refresh_s: float = 0.5, counts: Counts = own_and_total) -> None:
        if workers < 2:
            raise ValueError(f"connections are balanced among several workers, not {workers}")
        self.app = app
        self.workers = workers
        self.refresh_s = refresh_s
        self.counts = counts
        self._read_at = -math.inf  # runs on the event loop: no lock
        self.handed_back = 0  # since start (tests and diagnostics read it)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http" or not self._over_share(scope.get("server")):
            await self.app(scope, receive, send)
            return
        self.handed_back += 1

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() != b"connection"]
                message = {**message, "headers": [*kept, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)

    def _over_share(self, server: tuple[str, int] | None) -> bool:
        """Whether this request's connection is to be handed back: at most one per reading."""
        now = time.monotonic()
        if server is None or now - self._read_at < self.refresh_s:
            return False
        self._read_at = now
        counts = self.counts(int(server[1]))
        if counts is None:
            return False
        own, total = counts
        return own > math.ceil(total / self.workers)

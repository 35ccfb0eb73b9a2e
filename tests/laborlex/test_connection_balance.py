"""Kept-alive connections spread over the API's workers (laborlex/connection_balance.py): the
middleware's rule on ASGI calls with given counts, then over real HTTP through uvicorn with
the counts read from /proc. Several real workers: tests/search_api/test_workers.py."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import httpx
import pytest
import uvicorn

from laborlex.connection_balance import ConnectionBalance

SERVER = ("127.0.0.1", 8000)


async def plain_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 with a ``connection: keep-alive`` header of its own (replaced on a hand-back)."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain"), (b"connection", b"keep-alive")]})
    await send({"type": "http.response.body", "body": b"ok"})


def says_close(balance: ConnectionBalance, scope: dict[str, Any] | None = None) -> bool:
    """One request through ``balance``: did its response hand the connection back?"""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(balance(scope or {"type": "http", "server": SERVER, "client": ("127.0.0.1", 50000)}, None, send))
    headers = sent[0]["headers"]
    connection = [value for name, value in headers if name == b"connection"]
    assert len(connection) == 1 and (b"content-type", b"text/plain") in headers and sent[1]["body"] == b"ok"
    return connection == [b"close"]


@pytest.mark.parametrize(
    ("workers", "own", "total", "handed_back"),
    [
        (2, 9, 10, True),
        (2, 6, 10, True),
        (2, 5, 10, False),  # its share
        (2, 1, 10, False),
        (2, 5, 9, False),  # ceil(9 / 2)
        (2, 2, 2, True),
        (3, 4, 10, False),  # ceil(10 / 3)
        (3, 5, 10, True),
        (2, 0, 0, False),
    ],
)
def test_a_worker_over_its_share_hands_a_connection_back(workers: int, own: int, total: int, handed_back: bool) -> None:
    balance = ConnectionBalance(plain_app, workers=workers, refresh_s=0.0, counts=lambda port: (own, total))
    assert says_close(balance) is handed_back


def test_one_connection_is_handed_back_per_reading_of_the_counts() -> None:
    ports: list[int] = []

    def counts(port: int) -> tuple[int, int]:
        ports.append(port)
        return 8, 10

    balance = ConnectionBalance(plain_app, workers=2, refresh_s=3600.0, counts=counts)
    assert [says_close(balance) for _ in range(4)] == [True, False, False, False]
    assert ports == [SERVER[1]] and balance.handed_back == 1


def test_nothing_is_handed_back_where_the_counts_are_unknown() -> None:
    balance = ConnectionBalance(plain_app, workers=2, refresh_s=0.0, counts=lambda port: None)
    assert not says_close(balance)


def test_other_scopes_pass_untouched() -> None:
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    asyncio.run(ConnectionBalance(app, workers=2, refresh_s=0.0, counts=lambda port: (9, 10))({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]


def test_one_worker_is_refused() -> None:
    with pytest.raises(ValueError, match="several workers"):
        ConnectionBalance(plain_app, workers=1)


def test_a_process_holding_every_connection_hands_them_back_over_http() -> None:
    """uvicorn in this process, told it is one of two workers: it holds all of its clients'
    connections, so from two on it hands one back per reading (here: every request), and h11
    really closes it (the client's next request arrives from a new port)."""
    peer_ports: list[int] = []

    async def recording_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            peer_ports.append(scope["client"][1])
        await plain_app(scope, receive, send)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    balance = ConnectionBalance(recording_app, workers=2, refresh_s=0.0)  # counts from /proc
    server = uvicorn.Server(uvicorn.Config(balance, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as one, httpx.Client(base_url=f"http://127.0.0.1:{port}") as other:
            said = [client.get("/").headers["connection"] for client in (one, other, one, other, one, other)]
        assert said[:2] == ["keep-alive", "close"]  # 1 of 1 held is its share, ceil(1 / 2); 2 of 2 is not
        assert said.count("close") >= 2 and balance.handed_back == said.count("close")
        assert len(set(peer_ports)) > 2  # connections were closed and opened again
    finally:
        server.should_exit = True
        thread.join(timeout=30)

"""Limits every request meets (search_api/limits.py), on the real app over the real slice index
and, for load shedding, on the real middleware around an endpoint the test holds open.

The upload checks run against a real uvicorn server on a loopback socket: only a socket shows
what was read before the answer (the refusal must come with under 1 MB of the body sent).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from ingest.pipeline import ingest_sources
from laborlex_core.settings import Settings
from search_api.app import create_app
from search_api.library import LawLibrary
from search_api.limits import UPLOAD_LOCK, RequestBudget, RequestLimits, _BUDGET, token_problem
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.search_api.test_served import free_port
from tests.search_api.uploads import post_text_upload

TOKEN = "s3cret-token"  # api_settings' token


# ---- load shedding and sizes, on the middleware around a held endpoint --------------------


class HeldApp:
    """An ASGI endpoint that answers only when the test releases it (no sleeps, no timing)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = 0

    async def __call__(self, scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.entered += 1
        if scope["path"] == "/held":
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})


def limited(**overrides: object) -> tuple[HeldApp, httpx.AsyncClient]:
    held = HeldApp()
    settings = Settings(**{"api_max_concurrent": 1, "api_max_queue": 1, "api_retry_after_s": 3, **overrides})
    transport = httpx.ASGITransport(app=RequestLimits(held, settings))
    return held, httpx.AsyncClient(transport=transport, base_url="http://test")


def test_past_the_queue_requests_get_503_with_retry_after_at_once() -> None:
    async def scenario() -> None:
        held, client = limited()
        async with client:
            working = asyncio.create_task(client.get("/held"))  # takes the one slot
            queued = asyncio.create_task(client.get("/held"))  # waits in the queue of one
            while held.entered < 1:
                await asyncio.sleep(0)
            for _ in range(20):  # let the second one reach the queue
                await asyncio.sleep(0)
            shed = await client.get("/search")
            assert shed.status_code == 503
            assert shed.headers["Retry-After"] == "3"
            assert shed.json()["detail"]["field"] == "request"
            health = await client.get("/health")  # liveness never queues
            assert health.status_code == 200
            held.release.set()
            assert (await working).status_code == 200 and (await queued).status_code == 200
            assert (await client.get("/search")).status_code == 200  # capacity is back

    asyncio.run(scenario())


def test_a_request_that_waits_past_the_queue_wait_gets_503() -> None:
    async def scenario() -> None:
        held, client = limited(api_queue_wait_s=0.05)
        async with client:
            working = asyncio.create_task(client.get("/held"))
            while held.entered < 1:
                await asyncio.sleep(0)
            waited = await client.get("/search")
            assert waited.status_code == 503 and "Retry-After" in waited.headers
            held.release.set()
            assert (await working).status_code == 200

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("request_args", "status", "field"),
    [
        ({"url": "/search?q=" + "x" * 5000}, 414, "query"),
        ({"url": "/search", "headers": {"X-Big": "y" * 20_000}}, 431, "headers"),
        ({"url": "/search", "content": b"z" * 70_000}, 413, "body"),
        ({"url": "/search", "content": "chunked"}, 413, "body"),  # no Content-Length: counted as read
        ({"url": "/search", "headers": {"Content-Length": "ten"}}, 400, "Content-Length"),
    ],
)
def test_sizes_are_limited(request_args: dict, status: int, field: str) -> None:
    async def scenario() -> None:
        _, client = limited()
        async with client:
            args = dict(request_args)
            method = "POST" if "content" in args else "GET"
            if args.get("content") == "chunked":

                async def chunks():  # type: ignore[no-untyped-def]
                    for _ in range(2):
                        yield b"z" * 40_000

                args["content"] = chunks()
            response = await client.request(method, **args)
            assert response.status_code == status
            assert response.json()["detail"]["field"] == field

    asyncio.run(scenario())


def test_one_upload_at_a_time_across_worker_processes(tmp_path: Path) -> None:
    """Another process (another API worker) holds the upload lock under the data folder: this
    one answers an upload 503 with Retry-After, and takes uploads again once it is released."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'ab'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('locked', flush=True); sys.stdin.read()", str(tmp_path / UPLOAD_LOCK)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"

    async def upload(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/documents", headers={"Authorization": f"Bearer {TOKEN}"}, content=b"x")

    async def scenario() -> None:
        held, client = limited(data_dir=tmp_path, api_token=TOKEN)
        async with client:
            refused = await upload(client)
            assert refused.status_code == 503 and refused.headers["Retry-After"] == "3"
            assert refused.json()["detail"]["field"] == "file"
            assert held.entered == 0
            holder.communicate("")  # the other worker's upload ends: its process lets go
            assert (await upload(client)).status_code == 200
            assert held.entered == 1

    try:
        asyncio.run(scenario())
    finally:
        if holder.poll() is None:
            holder.kill()


def test_token_rules() -> None:
    assert token_problem(None, "Bearer x") == (403, "writes are disabled: the server has no LABORLEX_API_TOKEN")
    assert token_problem("t", None)[0] == 401  # type: ignore[index]
    assert token_problem("t", "Basic t")[0] == 401  # type: ignore[index]
    assert token_problem("t", "Bearer u")[0] == 403  # type: ignore[index]
    assert token_problem("t", "bearer t") is None


# ---- the request budget ----------------------------------------------------------------


def test_budget_counts_sentences_and_stops_at_the_deadline() -> None:
    budget = RequestBudget(time.monotonic() + 60, sentences=10)
    assert budget.take_sentences(8) == 8
    assert budget.take_sentences(8) == 2
    assert budget.take_sentences(8) == 0
    late = RequestBudget(time.monotonic() - 1, sentences=24)
    assert late.take_sentences(8) == 8  # a request that embedded nothing gets one batch
    assert late.take_sentences(8) == 0


@pytest.fixture(scope="module")
def library(legacy_api_settings: Settings) -> LawLibrary:
    """Over an index without stored sentence vectors: the on-demand path that the budget bounds."""
    return LawLibrary(legacy_api_settings, EmbeddedDocumentStore(legacy_api_settings.store_path))


def test_a_nonsense_compare_embeds_a_bounded_number_of_sentences(library: LawLibrary) -> None:
    """`/compare?q=qwerty uiop&limit=20`: every result is found by meaning only, so each wants
    its sentences embedded; the request's budget caps them, across all its columns."""
    cache = library.searcher.sentence_vectors
    before = len(cache)
    token = _BUDGET.set(RequestBudget(time.monotonic() + 3600, sentences=12))
    try:
        columns = library.compare("qwerty uiop", ["MX", "HN", "GE", "US", "INTL"], "hybrid", 20)
    finally:
        _BUDGET.reset(token)
    assert sum(len(hits) for _, hits in columns) > 12  # more results than the budget covers
    assert len(cache) - before <= 12
    before = len(cache)
    token = _BUDGET.set(RequestBudget(time.monotonic() - 1, sentences=24))  # already past its deadline
    try:
        library.compare("zxcvb poiuy lkjhg", ["MX", "HN", "GE", "US", "INTL"], "hybrid", 20)
    finally:
        _BUDGET.reset(token)
    assert len(cache) - before <= 8  # one batch


# ---- the real app: contract, upload names and refusals before the body ---------------------


@pytest.fixture(scope="module")
def recorded_uploads() -> list[Path]:
    return []


@pytest.fixture(scope="module")
def upload_server(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory, recorded_uploads: list[Path]) -> Iterator[str]:
    """The real app (real ingest) on a loopback socket, over a copy of the slice index."""
    data_dir = tmp_path_factory.mktemp("limits")
    settings = api_settings.model_copy(update={"data_dir": data_dir, "max_file_mb": 2.0})
    settings.store_path.write_bytes(api_settings.store_path.read_bytes())

    def ingest(sources, settings_, store):  # type: ignore[no-untyped-def]
        recorded_uploads.extend(path for path, _ in sources)
        return ingest_sources(sources, settings_, store)

    app = create_app(settings, ingest=ingest)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=30)


def raw_upload(url: str, headers: dict[str, str], declared: int, sent: int) -> int:
    """POST /documents declaring ``declared`` body bytes but sending only ``sent`` of them, then
    wait for the answer: a server that needed the body to decide would never answer."""
    host, port = url.removeprefix("http://").split(":")
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (
        f"POST /documents HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=xx\r\n"
        f"Content-Length: {declared}\r\n{head}\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=120) as sock:
        sock.sendall(request + b"a" * sent)
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 403),
        ({"Authorization": f"Bearer {TOKEN}"}, 413),  # 300 MB declared, over the 2 MB limit
    ],
)
def test_upload_is_refused_before_its_body_is_read(upload_server: str, headers: dict[str, str], status: int) -> None:
    """300 MB declared, 256 KB sent: the answer comes with under 1 MB of the body available."""
    assert raw_upload(upload_server, headers, declared=300 * 1024 * 1024, sent=256 * 1024) == status


@pytest.mark.parametrize("name", ["..", ".", "a/..", "README"])
def test_upload_names_that_name_no_file_get_422_naming_the_field(upload_server: str, name: str) -> None:
    response = post_text_upload(upload_server, TOKEN, "bad-name", name, "Article 1. Text.", title="x", jurisdiction=None)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["field"] == "file"


def test_uploads_are_written_under_a_fixed_folder_whatever_the_name(
    upload_server: str, api_settings: Settings, recorded_uploads: list[Path]
) -> None:
    recorded_uploads.clear()
    response = post_text_upload(
        upload_server, TOKEN, "escape-test", "../../../../tmp/escape.txt",
        "Article 1. Workers are paid weekly.\n\nArticle 2. Overtime is paid double.\n", title="Escape test",
    )
    assert response.status_code == 201, response.text
    [written] = recorded_uploads
    assert written.name == "upload.txt"
    assert written.parent.parent.name == "uploads"
    assert httpx.get(f"{upload_server}/documents/escape-test", timeout=30).json()["source"] == "escape.txt"


def test_openapi_declares_every_status_and_the_filter_values(api_settings: Settings) -> None:
    spec = TestClient(create_app(api_settings)).get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert {"413", "414", "431", "422", "503"} <= set(answers), (method, path)
            assert "Retry-After" in answers["503"]["headers"]
            unprocessable = answers["422"]["content"]["application/json"]["schema"]["anyOf"]
            assert {"$ref": "#/components/schemas/ErrorBody"} in unprocessable
            if "{doc_id}" in path or (method in ("post", "delete") and path.startswith("/documents")):
                assert set(answers) & {"404", "401"}, (method, path)
    upload = spec["paths"]["/documents"]["post"]["responses"]
    assert {"401", "403", "413"} <= set(upload)
    params = {p["name"]: p["schema"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert "INTL" in params["jurisdiction"]["anyOf"][0]["pattern"]
    assert "case_law_index" in params["kind"]["anyOf"][0]["pattern"]

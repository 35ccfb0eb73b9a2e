"""Limits every request meets before the app sees it, and the work budget it carries.

Why a raw ASGI middleware rather than FastAPI dependencies: a dependency runs after FastAPI
has parsed the request, and for a multipart upload that means the whole body has already been
spooled to a temporary file. Here the token and the declared size of an upload are checked on
the headers alone, so an unauthenticated or oversized upload is refused with nothing read.

What it enforces, all from :class:`~laborlex_core.settings.Settings`:

- the query string and the headers have a size limit (414, 431); a request body is counted as
  it is read and refused past its limit (413), whatever ``Content-Length`` claimed;
- ``POST /documents`` needs the bearer token (401/403) and a declared size under the upload
  limit (413) before its body is touched; one upload runs at a time, across worker processes
  too (503 for another);
- at most ``api_max_concurrent`` requests work at once; up to ``api_max_queue`` more wait (both
  per worker process: N workers hold N times as many, see laborlex/serving.py); past
  that a request is answered 503 with ``Retry-After`` at once (load shedding), and one that
  waited ``api_queue_wait_s`` in the queue gets the same answer;
- each request carries a :class:`RequestBudget` (a deadline and a number of snippet sentences
  it may embed), read by the optional work of a search (snippet sentences), so no query text
  buys unbounded work.
"""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import fcntl
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from laborlex_core.settings import Settings

# Paths that never queue: liveness and the API's own description.
UNQUEUED_PATHS = frozenset({"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
UPLOAD_PATH = "/documents"
UPLOAD_LOCK = "uploads.lock"  # under the data folder: one upload at a time across API workers
MULTIPART_SLACK = 1 << 20  # form fields and part headers around the file


@dataclass(slots=True)
class RequestBudget:
    """What one request may still spend on optional work; shared by every step of it."""

    deadline: float  # time.monotonic() past which optional work is skipped
    sentences: int  # snippet sentences it may still embed
    embedded_any: bool = False  # a request that embedded nothing may still take one late batch
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def take_sentences(self, wanted: int) -> int:
        """How many of ``wanted`` sentences may be embedded now: none once the deadline has
        passed, except for a request that has embedded none yet, which gets one batch (so a
        loaded server still improves its snippets a batch at a time, at a bounded cost)."""
        with self._lock:
            if self.expired() and self.embedded_any:
                return 0
            self.embedded_any = True
            granted = max(0, min(wanted, self.sentences))
            self.sentences -= granted
            return granted


_BUDGET: contextvars.ContextVar[RequestBudget | None] = contextvars.ContextVar("laborlex_request_budget", default=None)


def current_budget() -> RequestBudget | None:
    """The budget of the request being served (None outside the API: CLI, evaluation)."""
    return _BUDGET.get()


def token_problem(expected: str | None, authorization: str | None) -> tuple[int, str] | None:
    """Why a write is refused (status, message), or None when the bearer token is right."""
    if expected is None:
        return 403, "writes are disabled: the server has no LABORLEX_API_TOKEN"
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return 401, "a bearer token is required"
    if not secrets.compare_digest(given.strip().encode(), expected.encode()):
        return 403, "wrong token"
    return None


class _BodyTooLarge(Exception):
    pass


class RequestLimits:
    """ASGI middleware: size limits, upload pre-checks, load shedding and the request budget."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.upload_bytes = int(settings.max_file_mb * 1024 * 1024) + MULTIPART_SLACK
        self.body_bytes = settings.api_max_body_kb * 1024
        self._waiting_or_running = 0
        self._slots: asyncio.Semaphore | None = None
        self._uploading = False
        self.shed = 0  # requests answered 503 for load, since start (the benchmark reads it)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.settings.api_max_concurrent)
            _bound_worker_threads(self.settings.api_max_concurrent + 8)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        problem = self._size_problem(scope, headers)
        upload = scope["method"] == "POST" and scope["path"] == UPLOAD_PATH
        if problem is None and upload:
            problem = self._upload_problem(headers)
        if problem is not None:
            status, fld, message, extra = problem
            await _answer(send, status, fld, message, extra)
            return
        limit = self.upload_bytes if upload else self.body_bytes
        if scope["path"] in UNQUEUED_PATHS:
            await self._run(scope, receive, send, limit)
        elif upload:
            await self._run_upload(scope, receive, send, limit)
        else:
            await self._run_queued(scope, receive, send, limit)

    def _size_problem(self, scope: dict[str, Any], headers: dict[str, str]) -> tuple[int, str, str, dict[str, str]] | None:
        query = scope.get("query_string", b"")
        if len(query) > self.settings.api_max_query_bytes:
            return 414, "query", f"the query string is over {self.settings.api_max_query_bytes} bytes", {}
        header_bytes = sum(len(k) + len(v) for k, v in scope.get("headers", []))
        if header_bytes > self.settings.api_max_header_bytes:
            return 431, "headers", f"the headers are over {self.settings.api_max_header_bytes} bytes", {}
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return 400, "Content-Length", "Content-Length is not a number", {}
            upload = scope["method"] == "POST" and scope["path"] == UPLOAD_PATH
            limit = self.upload_bytes if upload else self.body_bytes
            if int(declared) > limit and not upload:
                return 413, "body", f"the request body is over {limit // 1024} KB", {}
        return None

    def _upload_problem(self, headers: dict[str, str]) -> tuple[int, str, str, dict[str, str]] | None:
        """The token, then the declared size: both from the headers, before any body is read."""
        token = self.settings.api_token.get_secret_value() if self.settings.api_token else None
        refused = token_problem(token, headers.get("authorization"))
        if refused is not None:
            extra = {"WWW-Authenticate": "Bearer"} if refused[0] == 401 else {}
            return refused[0], "Authorization", refused[1], extra
        declared = headers.get("content-length")
        if declared is not None and int(declared) > self.upload_bytes:
            return 413, "file", f"the upload is larger than the limit of {self.settings.max_file_mb:g} MB", {}
        return None

    async def _run(self, scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
        """Serve with the body counted as it is read, under a fresh request budget."""
        read = 0
        started = False

        async def counted_receive() -> dict[str, Any]:
            nonlocal read
            message = await receive()
            if message.get("type") == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise _BodyTooLarge()
            return message

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message.get("type") == "http.response.start":
                started = True
            await send(message)

        budget = RequestBudget(time.monotonic() + self.settings.api_time_budget_s, self.settings.api_snippet_sentences)
        token = _BUDGET.set(budget)
        try:
            await self.app(scope, counted_receive, watched_send)
        except _BodyTooLarge:
            if started:
                raise
            fld = "file" if scope["path"] == UPLOAD_PATH else "body"
            await _answer(send, 413, fld, f"the request body is over {limit // 1024} KB")
        finally:
            _BUDGET.reset(token)

    async def _run_upload(self, scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
        lock = None if self._uploading else _try_lock(self.settings.data_dir / UPLOAD_LOCK)
        if lock is None:
            self.shed += 1
            await _answer(send, 503, "file", "another upload is being indexed; try again later", self._retry_after())
            return
        self._uploading = True
        try:
            await self._run(scope, receive, send, limit)
        finally:
            self._uploading = False
            lock.close()  # closing the file releases the lock

    async def _run_queued(self, scope: dict[str, Any], receive: Any, send: Any, limit: int) -> None:
        assert self._slots is not None
        capacity = self.settings.api_max_concurrent + self.settings.api_max_queue
        if self._waiting_or_running >= capacity:
            self.shed += 1
            await _answer(send, 503, "request", "the server is at capacity; try again shortly", self._retry_after())
            return
        self._waiting_or_running += 1
        try:
            try:
                await asyncio.wait_for(self._slots.acquire(), self.settings.api_queue_wait_s)
            except asyncio.TimeoutError:
                self.shed += 1
                await _answer(send, 503, "request", "the request waited too long for a free worker", self._retry_after())
                return
            try:
                await self._run(scope, receive, send, limit)
            finally:
                self._slots.release()
        finally:
            self._waiting_or_running -= 1

    def _retry_after(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, round(self.settings.api_retry_after_s)))}


async def _answer(send: Any, status: int, fld: str, message: str, headers: dict[str, str] | None = None) -> None:
    """A JSON error in the API's 4xx/5xx shape: ``{"detail": {"field", "message"}}``."""
    body = json.dumps({"detail": {"field": fld, "message": message}}).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if status in (413, 400):
        raw.append((b"connection", b"close"))  # the unread body is not drained
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _try_lock(path: Path) -> IO[bytes] | None:
    """An exclusive lock on ``path`` held while the returned file is open, or None when another
    process (another API worker) holds it. Taken without waiting; the kernel releases it if the
    holder dies, so a killed worker never leaves uploads locked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _bound_worker_threads(tokens: int) -> None:
    """Cap the threads serving sync endpoints: each keeps its own SQLite connection and malloc
    arena, so an unbounded pool grows memory with the number of clients ever seen at once."""
    try:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = tokens
    except (ImportError, RuntimeError):  # no running anyio loop: nothing to bound
        pass


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """glibc gives each thread that meets contention its own heap arena (up to 8 per core) and
    rarely returns their memory; a server process with a thread pool grows by hundreds of MB.
    Same effect as MALLOC_ARENA_MAX, set from inside the process. False where not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # M_ARENA_MAX
    except (OSError, AttributeError):
        return False

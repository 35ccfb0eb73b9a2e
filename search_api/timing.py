"""Where a request's time went, per pipeline component, for the ``Server-Timing`` header.

A Haystack tracer sums each component's run time in the thread running the pipeline (FastAPI
runs a request's handler in one worker thread), so the API can say how much of a search was
the query embedding: the benchmark reports latency with and without it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from haystack import tracing
from haystack.tracing.tracer import Span, Tracer


class _Span(Span):
    def set_tag(self, key: str, value: Any) -> None:
        return None


class ComponentTimer(Tracer):
    """Seconds per component name, per thread, since that thread's last :meth:`reset`."""

    def __init__(self) -> None:
        self._local = threading.local()

    def reset(self) -> None:
        self._local.seconds = {}

    def seconds(self) -> dict[str, float]:
        return dict(getattr(self._local, "seconds", {}))

    @contextlib.contextmanager
    def trace(self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None) -> Iterator[Span]:
        started = time.perf_counter()
        try:
            yield _Span()
        finally:
            name = (tags or {}).get("haystack.component.name")
            if operation_name == "haystack.component.run" and name:
                seconds = getattr(self._local, "seconds", None)
                if seconds is None:
                    seconds = self._local.seconds = {}
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    def current_span(self) -> Span | None:
        return None


_TIMER: ComponentTimer | None = None
_LOCK = threading.Lock()


def component_timer() -> ComponentTimer:
    """The process's timer, installed as Haystack's tracer on first use."""
    global _TIMER
    with _LOCK:
        if _TIMER is None:
            _TIMER = ComponentTimer()
            tracing.enable_tracing(_TIMER)
        return _TIMER


def server_timing(seconds: dict[str, float], total: float) -> str:
    """``Server-Timing`` value: the query embedding and the whole handler, in milliseconds."""
    embed = seconds.get("query_embedder", 0.0)
    return f"embed;dur={embed * 1000:.3f}, total;dur={total * 1000:.3f}"

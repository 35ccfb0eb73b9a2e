"""Extract runs of PDF pages in parallel worker processes.

Workers are fresh interpreters running ``pdf_pages.py`` as a script, not multiprocessing
children: "fork" can deadlock a parent that already runs torch or server threads, and
"spawn"/"forkserver" re-import the caller's ``__main__``, which breaks under ``python -``,
notebooks and scripts without a ``__main__`` guard. Pages come back as JSON on stdout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import pdf_pages
from .pdf_pages import Page, pages_from_json


class WorkerError(RuntimeError):
    """A worker could not extract its pages; the message is the worker's own explanation."""


class _Workers:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: list[subprocess.Popen[bytes]] = []
        self._cancelled = False

    def run(self, path: Path, start: int, stop: int) -> list[Page]:
        command = [sys.executable, "-P", str(Path(pdf_pages.__file__)), str(path), str(start), str(stop)]
        with self._lock:
            if self._cancelled:
                return []
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_worker_env())
            self._procs.append(proc)
        out, err = proc.communicate()
        if proc.returncode != 0:
            if self._cancelled:
                return []
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise WorkerError(lines[-1] if lines else f"worker exited with status {proc.returncode}")
        return pages_from_json(out)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            for proc in self._procs:
                if proc.poll() is None:
                    proc.kill()


def _worker_env() -> dict[str, str]:
    """The worker learns its parent (it exits when the parent dies, even by SIGKILL) and the
    niceness to take (``LABORLEX_INGEST_NICE``: parsing must not starve a server's searches)."""
    return {**os.environ, pdf_pages.PARENT_ENV: str(os.getpid())}


def extract_in_workers(path: Path, ranges: list[tuple[int, int]], workers: int) -> list[Page]:
    """Pages of all ``ranges`` in order; at most ``workers`` processes at a time."""
    pool = _Workers()
    with ThreadPoolExecutor(max_workers=workers) as threads:
        futures = [threads.submit(pool.run, path, start, stop) for start, stop in ranges]
        try:
            return [page for future in futures for page in future.result()]
        except BaseException:
            pool.cancel()
            raise

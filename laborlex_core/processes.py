"""Waiting for a server this process started: `laborlex up` and the benchmark both do it."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float, interval: float = 0.5) -> bool:
    """True once ``url`` answers 200; False when ``proc`` exits or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    return False

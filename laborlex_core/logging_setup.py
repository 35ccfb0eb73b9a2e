"""Structured, quiet-by-default logging: one JSON object per line on stderr.

Quiet (warnings and errors only) unless LABORLEX_LOG_LEVEL asks for more, so progress
bars and results stay readable while machine-readable events remain available.
"""

from __future__ import annotations

import json
import logging
import sys
import time


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "ts": round(time.time(), 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        if record.exc_info:
            event["error"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)


def configure_logging(level: str = "warning") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("laborlex")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    for noisy in ("haystack", "sentence_transformers", "transformers", "pdfminer", "httpx"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

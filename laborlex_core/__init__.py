"""Shared core of laborlex: document schema, settings, model and store backends.

Both ``ingest`` and ``search_api`` import from here; nothing here imports from them.
"""

import os

# Haystack reports usage to a remote service unless told not to; laborlex runs on machines
# that must not call out (and often cannot), so it opts out before Haystack is imported.
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

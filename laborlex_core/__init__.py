"""Shared core of laborlex: document schema, settings, model and store backends.

Both ``ingest`` and ``search_api`` import from here; nothing here imports from them.
"""

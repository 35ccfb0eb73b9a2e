"""Interface labels in English, Spanish and Georgian.

The texts live in ``labels.json`` so that a translator edits data, not code. A key missing
in one language falls back to English rather than failing: a half-translated label is
better than an interface that will not start.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

# The selector shows each language in its own name, so a user who cannot read the
# current interface language can still find theirs.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "ka": "ქართული"}
FALLBACK = "en"
CATALOG_PATH = Path(__file__).with_name("labels.json")


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


class Labels:
    """Labels of one interface language; ``labels("results.count", total=3)`` formats."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGE_NAMES else FALLBACK
        self._own = catalog().get(self.language, {})
        self._fallback = catalog()[FALLBACK]

    def __call__(self, key: str, **values: object) -> str:
        text = self._own.get(key) or self._fallback.get(key) or key
        return text.format(**values) if values else text

    def _coded(self, prefix: str, code: str | None) -> str:
        """A name for a code the API sends; an unknown code is shown as sent."""
        if not code:
            return ""
        key = f"{prefix}.{code}"
        return self(key) if key in self._fallback else code

    def jurisdiction(self, code: str | None) -> str:
        return self._coded("jurisdiction", code)

    def language_name(self, code: str | None) -> str:
        return self._coded("language", code)

    def kind(self, code: str | None) -> str:
        return self._coded("kind", code)

    def field(self, name: str | None) -> str:
        return self._coded("field", name) if name else ""

"""Where the interface finds the API and which language it starts in.

``laborlex ui --api-url URL`` runs ``streamlit run ui/app.py -- --api-url URL``; without the
argument the settings object decides (``LABORLEX_API_URL``, ``LABORLEX_UI_LANGUAGE``).
Unknown arguments are ignored because Streamlit, or a test runner hosting the script, may
leave its own in ``sys.argv``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from laborlex_core.settings import Settings
from ui.i18n import FALLBACK, LANGUAGE_NAMES


@dataclass(frozen=True, slots=True)
class UiConfig:
    api_url: str
    language: str


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="laborlex-ui", add_help=False, allow_abbrev=False, exit_on_error=False)
    parser.add_argument("--api-url", dest="api_url")
    parser.add_argument("--language", dest="language")
    return parser


def load_config(argv: Sequence[str], settings: Settings | None = None) -> UiConfig:
    """Script arguments win over settings; ``argv`` excludes the program name.

    Raises ``ValueError`` (for the interface to show) on an argument without its value.
    """
    try:
        args, _ = _parser().parse_known_args(list(argv))
    except argparse.ArgumentError as error:
        raise ValueError(str(error)) from None
    settings = settings or Settings()
    api_url = (args.api_url or settings.api_url).strip().rstrip("/")
    language = args.language or getattr(settings, "ui_language", FALLBACK)
    return UiConfig(api_url=api_url, language=language if language in LANGUAGE_NAMES else FALLBACK)

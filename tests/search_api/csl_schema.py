"""The part of the CSL-JSON input schema that laborlex's exports use.

Source: Citation Style Language, ``schemas/input/csl-data.json`` (CSL 1.0.2,
https://github.com/citation-style-language/schema). Transcribed for the variables exported
(the item's ``type`` enum is the full list of CSL 1.0.2 item types); the item object keeps
the schema's rule that only CSL variables appear (``additionalProperties: false``).
"""

from __future__ import annotations

from typing import Any

CSL_TYPES = [
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
    "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event",
    "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical", "personal_communication",
    "post", "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech", "standard",
    "thesis", "treaty", "webpage",
]
_STRING = {"type": "string"}
DATE_VARIABLE: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "date-parts": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": ["string", "number"]}, "minItems": 1, "maxItems": 3},
                    "minItems": 1,
                    "maxItems": 2,
                },
                "season": {"type": ["string", "number"]},
                "circa": {"type": ["string", "number", "boolean"]},
                "literal": _STRING,
                "raw": _STRING,
            },
            "additionalProperties": False,
        },
        {"type": "string"},
    ]
}
CSL_DATA_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": CSL_TYPES},
            "id": {"type": ["string", "number"]},
            "title": _STRING, "container-title": _STRING, "section": _STRING, "jurisdiction": _STRING,
            "language": _STRING, "abstract": _STRING, "note": _STRING, "URL": _STRING, "authority": _STRING,
            "number": _STRING, "issued": DATE_VARIABLE,
        },
        "required": ["type", "id"],
        "additionalProperties": False,
    },
}

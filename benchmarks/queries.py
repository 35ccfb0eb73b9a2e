"""The benchmark's queries: the dev judgments' questions and variants of them, each with a filter.

Real questions (``../shared/eval/dev.jsonl``) keep term statistics realistic (BM25 cost grows
with how common the query's terms are); variants of each (accents dropped as people type,
a word dropped, words of another question of the same language added) give 200 distinct
questions without inventing vocabulary, and distinct texts so no query-vector cache helps.
Each query carries a filter drawn from what a user of the UI sets: the jurisdiction, language
or kind of the provisions it is after.
"""

from __future__ import annotations

import json
import unicodedata
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from laborlex_core.store.filters import equals_filter


@dataclass(slots=True)
class BenchQuery:
    """One query with its filter (Haystack filter dictionary) and, once embedded, its vector."""

    text: str
    lang: str
    filters: dict[str, Any] | None
    facets: dict[str, str]  # the same filter as API parameters (jurisdiction=MX ...)
    vector: list[float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _variants(query: str, other: str) -> list[str]:
    words = query.split()
    dropped = " ".join(words[1:]) if len(words) > 2 else query + " ley"
    extra = " ".join(other.split()[-2:])
    return [query, _fold(query), dropped, f"{query} {extra}"]


def _facets(variant: int, lang: str, doc_meta: dict[str, Any]) -> dict[str, str]:
    """Rotate the filters a user sets: jurisdiction; language; kind; jurisdiction and kind."""
    jurisdiction, kind = doc_meta.get("jurisdiction"), doc_meta.get("kind")
    if not jurisdiction:  # the judged document is not in this index (a --quick slice)
        return {"language": lang}
    choices: list[dict[str, str | None]] = [
        {"jurisdiction": jurisdiction},
        {"language": lang},
        {"kind": kind},
        {"jurisdiction": jurisdiction, "kind": kind},
    ]
    return {k: v for k, v in choices[variant % len(choices)].items() if v}


def load_queries(qrels: Path, doc_metas: dict[str, dict[str, Any]], count: int = 200) -> list[BenchQuery]:
    """``count`` distinct queries built from the judgments, with filters from the judged documents."""
    judged = [json.loads(line) for line in qrels.read_text("utf-8").splitlines() if line.strip()]
    queries: list[BenchQuery] = []
    seen: set[str] = set()
    for variant in range(4):
        for i, item in enumerate(judged):
            same_lang = [j for j in judged if j["lang"] == item["lang"] and j is not item] or [item]
            text = _variants(item["query"], same_lang[i % len(same_lang)]["query"])[variant]
            if text in seen:
                text = f"{text} {variant}"
            seen.add(text)
            doc = next((doc_metas[r["doc"]] for r in item.get("relevant", []) if r["doc"] in doc_metas), {})
            facets = _facets(variant + i, item["lang"], doc)
            queries.append(BenchQuery(text, item["lang"], equals_filter(**facets), facets))
    # interleave so a prefix (the --quick run) still mixes languages, variants and filters
    queries.sort(key=lambda q: zlib.crc32(q.text.encode("utf-8")))
    return queries[:count]


def embed_queries(queries: list[BenchQuery], settings: Any) -> list[BenchQuery]:
    """Attach each query's vector, computed as the query pipeline does."""
    from laborlex_core.embedding.embedder import _query_vector, model_key

    key = model_key(settings)
    for query in queries:
        query.vector = list(_query_vector(key, query.text))
    return queries


def save_queries(queries: list[BenchQuery], path: Path) -> None:
    path.write_text(json.dumps([q.to_dict() for q in queries], ensure_ascii=False), "utf-8")


def read_queries(path: Path) -> list[BenchQuery]:
    return [BenchQuery(**item) for item in json.loads(path.read_text("utf-8"))]

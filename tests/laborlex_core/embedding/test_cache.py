"""The vector cache: nothing embedded twice, keyed by model identity and text."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.embedding.cache import VectorCache, text_key
from laborlex_core.embedding.embedder import PassageEmbedder, model_identity, model_key
from laborlex_core.settings import Settings

pytestmark = pytest.mark.usefixtures("private_vector_cache")

ARTICLE_ES = "Las horas de trabajo extraordinario se pagarán con un ciento por ciento más del salario."
ARTICLE_KA = "ზეგანაკვეთური სამუშაო ანაზღაურდება ხელფასის გაზრდილი ოდენობით."
ARTICLE_EN = "The right of employees to strike shall not be interfered with or diminished."


def passage(doc_id: str, article: str, text: str, language: str) -> Document:
    return Document(
        id=f"{doc_id}-{article}",
        content=text,
        meta={"doc_id": doc_id, "title": "Code", "article": article, "unit": "article", "language": language},
    )


def test_vectors_round_trip_per_model_identity(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors.sqlite3")
    a, b = text_key("passage: one"), text_key("passage: two")
    vector = np.arange(384, dtype=np.float32) / 384
    cache.put_many("model-a", [(a, vector)])
    assert set(cache.get_many("model-a", [a, b])) == {a}
    assert np.array_equal(cache.get_many("model-a", [a])[a], vector)
    assert cache.get_many("model-b", [a]) == {}  # another model never sees these vectors
    cache.put_many("model-b", [(b, vector)])
    assert cache.models() == {"model-a": 1, "model-b": 1}
    assert cache.prune(keep_model="model-b") == 1 and cache.count() == 1
    cache.close()
    assert VectorCache(tmp_path / "vectors.sqlite3").count("model-b") == 1  # kept on disk


def test_many_keys_are_looked_up_past_sqlite_parameter_limits(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors.sqlite3")
    keys = [text_key(str(i)) for i in range(1200)]
    cache.put_many("m", [(k, np.full(4, i, dtype=np.float32)) for i, k in enumerate(keys)])
    found = cache.get_many("m", keys)
    assert len(found) == 1200 and found[keys[1100]][0] == 1100


def test_folder_digest_follows_content_and_ignores_markers(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "vectors.sqlite3")
    folder = tmp_path / "model"
    folder.mkdir()
    big = folder / "weights.bin"
    big.write_bytes(b"\0" * (2 << 20))  # large: memoised by size and mtime
    (folder / "config.json").write_text("{}")
    first = cache.folder_digest(folder)
    (folder / ".laborlex-build.json").write_text('{"built_at": "now"}')
    assert cache.folder_digest(folder) == first  # a rebuild's marker is not the model
    big.write_bytes(b"\1" * (2 << 20))
    os.utime(big, ns=(1, 1))
    assert cache.folder_digest(folder) != first


def test_unchanged_passages_are_not_embedded_again_and_changed_ones_are(settings: Settings) -> None:
    docs = [passage("d", "1", ARTICLE_ES, "es"), passage("d", "2", ARTICLE_KA, "ka"), passage("d", "3", ARTICLE_EN, "en")]
    first = PassageEmbedder(settings).run(docs)["documents"]

    fresh = PassageEmbedder(settings)  # a new process's embedder: only the file is shared
    again = fresh.run(docs)["documents"]
    assert fresh.counts == {"passages": 3, "embedded": 0}
    assert [d.embedding for d in again] == [d.embedding for d in first]

    changed = [docs[0], passage("d", "2", ARTICLE_KA + " შეიცვალა.", "ka"), docs[2]]
    third = fresh.run(changed)["documents"]
    assert fresh.counts == {"passages": 6, "embedded": 1}
    assert third[0].embedding == first[0].embedding and third[1].embedding != first[1].embedding
    assert float(np.dot(third[1].embedding, first[1].embedding)) > 0.8  # the same article, a bit longer


def test_identical_texts_are_embedded_once(settings: Settings) -> None:
    embedder = PassageEmbedder(settings)
    out = embedder.run([passage("a", "1", ARTICLE_EN, "en"), passage("b", "1", ARTICLE_EN, "en")])["documents"]
    assert embedder.counts["embedded"] == 1 and out[0].embedding == out[1].embedding


def test_the_cache_can_be_turned_off(settings: Settings) -> None:
    off = settings.model_copy(update={"vector_cache": False})
    for _ in range(2):
        embedder = PassageEmbedder(off)
        embedder.run([passage("d", "1", ARTICLE_ES, "es")])
        assert embedder.counts["embedded"] == 1
    assert not off.vector_cache_path.exists()


@pytest.mark.parametrize(
    "change",
    [{"embed_dtype": "float32"}, {"embed_runtime": "torch"}, {"max_seq_length": 256}],
)
def test_model_identity_names_runtime_precision_and_window(settings: Settings, change: dict) -> None:
    cache = VectorCache(settings.vector_cache_path)
    base = model_identity(model_key(settings), cache)
    assert model_identity(model_key(settings.model_copy(update=change)), cache) != base

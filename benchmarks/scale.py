"""Scaled indexes built from a real index: its passages replicated with small perturbations.

Timing a store on 100k passages needs 100k passages that look like the real ones (same
lengths, vocabulary, languages, metadata, embedding geometry) yet are distinct. Replica ``r``
of document ``d`` becomes document ``d.r<r>``: every passage gets one word replaced by another
word of the same passage, and its vector a little Gaussian noise (renormalized, cosine ~0.995
to the original). Replica 0 is the real index unchanged. Documents are written in a fixed
order through the store's normal write path (``replace_document``, one transaction each), so
an index of N passages is a prefix of one of M > N: the 30k index is the 10k one plus more.

Snippet sentence vectors (stored at ingest, ``laborlex_core.snippet_sentences``) travel with
their passage: a replica's sentences are its own text's, and each takes the vector of the
source sentence with the same text, unperturbed, or (the one sentence holding the swapped
word) of the source sentence at its position, as good a stand-in as the passage vector's
small noise. Every replica sentence has a vector, as every sentence of an ingested passage
does, so a search's snippets never call the model. Until the eighteenth stop of issue 11, a
replica whose text split into another number of sentences (~5% of them: the swapped word
moved a sentence break) carried none, and its snippets were embedded at query time, which
the API legs then timed.
"""

from __future__ import annotations

import json
import random
import shutil
import time
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document
from tqdm.auto import tqdm

from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META, SentenceBlock, sentences
from laborlex_core.store.embedded import EmbeddedDocumentStore

VECTOR_NOISE = 0.005  # per component; |noise| ~ 0.1 for 384 dimensions


@dataclass(slots=True)
class SourceDocument:
    """One document of the real index: its metadata and passages (with embeddings, and their
    sentence vectors in ``meta[SENTENCE_VECTORS_META]`` where the index has them)."""

    doc_id: str
    meta: dict[str, Any]
    passages: list[Document]


def read_source(store: EmbeddedDocumentStore) -> list[SourceDocument]:
    """Every document of an index with its passages and embeddings, in doc_id order."""
    documents = []
    for meta in store.list_documents():
        doc_id = meta["doc_id"]
        passages = [p for p in store.document_passages(doc_id, with_embeddings=True) if p.embedding is not None]
        blocks = store.sentence_vectors([p.id for p in passages])
        for p in passages:
            if p.id in blocks:
                p.meta[SENTENCE_VECTORS_META] = blocks[p.id].to_bytes()
        clean = {k: v for k, v in meta.items() if k not in ("passages", "provisions", "updated_at")}
        if passages:
            documents.append(SourceDocument(doc_id, clean, passages))
    if not documents:
        raise ValueError("the source index has no embedded passages")
    return documents


def _perturb_text(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    if len(words) > 1:
        words[rng.randrange(len(words))] = words[rng.randrange(len(words))]
    return " ".join(words)


def _perturb_vector(vector: list[float], rng: np.random.Generator) -> list[float]:
    noisy = np.asarray(vector, dtype=np.float32) + rng.normal(0.0, VECTOR_NOISE, len(vector)).astype(np.float32)
    return (noisy / np.linalg.norm(noisy)).tolist()


def replica(source: SourceDocument, r: int, index: int) -> tuple[str, list[Document]]:
    """Replica ``r`` of a source document (``r`` = 0 is the document itself)."""
    if r == 0:
        return source.doc_id, source.passages
    doc_id = f"{source.doc_id}.r{r}"
    text_rng = random.Random(r * 100_003 + index)
    vector_rng = np.random.default_rng(r * 100_003 + index)
    passages = []
    for p in source.passages:
        content = _perturb_text(p.content or "", text_rng)
        meta = {**p.meta, "doc_id": doc_id}
        if SENTENCE_VECTORS_META in meta:  # the source's sentence vectors under the replica's sentences
            block = SentenceBlock.from_bytes(meta.pop(SENTENCE_VECTORS_META)).rekeyed(sentences(content))
            if block is not None:
                meta[SENTENCE_VECTORS_META] = block.to_bytes()
        passages.append(Document(id=f"{p.id}.r{r}", content=content, meta=meta, embedding=_perturb_vector(p.embedding or [], vector_rng)))
    return doc_id, passages


def _sequence(sources: list[SourceDocument]) -> Iterator[tuple[int, int, SourceDocument]]:
    """(replica, index, document) forever: all documents of replica 0, then of replica 1..."""
    r = 0
    while True:
        for index, source in enumerate(sources):
            yield r, index, source
        r += 1


def grow(store: EmbeddedDocumentStore, sources: list[SourceDocument], target: int, progress: bool = True) -> int:
    """Extend ``store`` (empty, or a smaller index built by this function) to ``target`` passages.

    The document that straddles the old size is rewritten whole, so counts stay exact.
    """
    have = store.count_documents()
    bar = tqdm(total=target, initial=have, desc=f"building {target:,}", unit="passage",
               disable=not progress, file=sys.stderr, leave=False, mininterval=2.0)
    start = 0
    for r, index, source in _sequence(sources):
        if start >= target:
            break
        end = start + len(source.passages)
        if end > have or start >= have:
            doc_id, passages = replica(source, r, index)
            passages = passages[: target - start]
            before = min(have, end) - start if start < have else 0
            store.replace_document(doc_id, passages, {**source.meta, "doc_id": doc_id})
            bar.update(len(passages) - max(0, before))
        start = end
    bar.close()
    return store.count_documents()


def copy_index(source: Path, target: Path) -> None:
    """Copy a SQLite index file consistently (through SQLite's backup API, WAL included).

    The copy is a new index: it gets an index id of its own, and snapshots derived from an earlier
    index at ``target`` are removed. Otherwise a copy grown to the generation of a snapshot saved
    by an earlier run at the same path would load that snapshot instead of building its own, and
    the benchmark would time a load as a build.
    """
    from laborlex_core.store.snapshot import derived_folder

    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    shutil.rmtree(derived_folder(target), ignore_errors=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        dst.execute("UPDATE store_state SET value = lower(hex(randomblob(8))) WHERE key = 'index_id'")
    dst.close()
    src.close()


def _warm(path: Path, folder: Path, force: bool = False) -> None:
    """Build and save the derived snapshot as a server's first query would, and record how
    long that took; a reused index whose saved snapshot is current is left as it is."""
    from laborlex_core.store.snapshot import FORMAT, snapshot_folder

    store = EmbeddedDocumentStore(path)
    saved = snapshot_folder(path, store.generation(), store._index_id()) / "snapshot.json"
    if not force and saved.exists() and json.loads(saved.read_text("utf-8")).get("format") == FORMAT:
        store.close()
        return
    started = time.perf_counter()
    store.warm()
    built = {"snapshot_build_s": round(time.perf_counter() - started, 2)}
    (folder / "snapshot-build.json").write_text(json.dumps(built), "utf-8")
    store.close()


def _complete(folder: Path, size: int) -> bool:
    """An index this module finished building (its snapshot timing is written last)."""
    if not (folder / "snapshot-build.json").exists():
        return False
    with sqlite3.connect(folder / "index.sqlite3") as conn:
        return int(conn.execute("SELECT count(*) FROM passages").fetchone()[0]) == size


def build_scaled_indexes(
    sources: list[SourceDocument], sizes: list[int], workdir: Path, progress: bool = True
) -> dict[int, Path]:
    """One index folder per size under ``workdir`` (``n10000/index.sqlite3`` ...), each grown from the last."""
    paths: dict[int, Path] = {}
    previous: Path | None = None
    for size in sorted(sizes):
        folder = workdir / f"n{size}"
        path = folder / "index.sqlite3"
        if _complete(folder, size):  # built by an earlier run with --workdir: reuse it
            _warm(path, folder)
            paths[size] = folder
            previous = path
            continue
        if previous is not None:
            copy_index(previous, path)
        elif path.exists():
            shutil.rmtree(folder)
        store = EmbeddedDocumentStore(path)
        grow(store, sources, size, progress=progress)
        store._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        _warm(path, folder, force=True)
        paths[size] = folder
        previous = path
    return paths

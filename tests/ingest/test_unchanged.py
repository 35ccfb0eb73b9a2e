"""Re-ingesting: unchanged documents are neither read nor embedded again; changed ones are,
and only their changed passages go through the model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import ingest_path
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.conftest import DOCS_DIR

pytestmark = pytest.mark.usefixtures("private_vector_cache")


def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS_DIR / "usmca-ch23-en.txt", folder / "usmca.txt")
    shutil.copy(DOCS_DIR / "ilo-c182-en.txt", folder / "c182.txt")
    return folder


def test_reingest_skips_unchanged_documents_and_reembeds_only_changed_passages(tmp_path: Path, settings: Settings) -> None:
    folder = corpus(tmp_path)
    store = EmbeddedDocumentStore(settings.store_path)
    first = ingest_path(folder, settings, store)
    assert first.failures == [] and first.unchanged == [] and first.embedded == first.passages > 5
    assert 0 < first.sentences_embedded <= first.sentences  # snippet sentences, once each
    vectors = {d.id: d.embedding for d in store.filter_documents()}

    again = ingest_path(folder, settings, store)
    assert sorted(again.unchanged) == sorted(first.written) and again.embedded == 0
    assert again.written == first.written and again.provisions == first.provisions
    assert again.passages_per_second == 0.0  # nothing was read or written
    assert {d.id: d.embedding for d in store.filter_documents()} == vectors

    text = (folder / "usmca.txt").read_text("utf-8")
    last_line = text.rstrip().splitlines()[-1]
    (folder / "usmca.txt").write_text(text.replace(last_line, last_line + " Amended."), "utf-8")
    changed = ingest_path(folder, settings, store)
    changed_doc = next(d for d in first.written if d not in changed.unchanged)
    assert len(changed.unchanged) == 1 and changed.embedded == 1  # one passage's text changed
    assert changed.sentences_embedded <= 1  # and at most its changed sentence
    assert changed.written[changed_doc] == first.written[changed_doc]
    after = {d.id: d.embedding for d in store.filter_documents()}
    assert sum(after[i] != vectors[i] for i in vectors) == 1


def test_settings_that_shape_passages_or_a_missing_index_mean_a_fresh_ingest(tmp_path: Path, settings: Settings) -> None:
    folder = corpus(tmp_path)
    store = EmbeddedDocumentStore(settings.store_path)
    first = ingest_path(folder, settings, store)

    narrower = settings.model_copy(update={"passage_max_tokens": 64, "passage_overlap_tokens": 8})
    rechunked = ingest_path(folder, narrower, store)
    assert rechunked.unchanged == [] and rechunked.passages > first.passages

    elsewhere = EmbeddedDocumentStore(tmp_path / "other.sqlite3")  # same ledger, an index without them
    fresh = ingest_path(folder, settings, elsewhere)
    assert fresh.unchanged == [] and fresh.embedded == 0  # read again, vectors from the cache
    assert fresh.passages == first.passages == elsewhere.count_documents()


def test_skipping_can_be_turned_off(tmp_path: Path, settings: Settings) -> None:
    folder = corpus(tmp_path)
    store = EmbeddedDocumentStore(settings.store_path)
    ingested = ingest_path(folder, settings, store)
    again = ingest_path(folder, settings, store, skip_unchanged=False)
    assert again.unchanged == [] and again.embedded == 0 and again.passages > 5
    assert again.sentences == ingested.sentences > 0 and again.sentences_embedded == 0  # all from the vector cache
    ids = [d.id for d in store.filter_documents()]
    assert sorted(store.sentence_vectors(ids)) == sorted(ids)  # kept with every passage written again
    off = ingest_path(folder, settings.model_copy(update={"snippet_vectors": False}), store)  # a shaping setting
    assert off.unchanged == [] and off.sentences == 0 and store.sentence_vectors(ids) == {}

"""The per-snapshot row tables equal what SQLite says, whichever way the snapshot was made
(built, updated after a commit, or loaded from its saved folder); a folder saved without the
units column (format 4) is rebuilt."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from haystack import Document

from laborlex_core.store import row_tables
from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.snapshot import IndexSnapshot, passage_hashes
from tests.laborlex_core.store.test_scoring_snapshot import seeded_documents


def sql_rows(store: EmbeddedDocumentStore) -> list[tuple[int, str, str | None]]:
    return store._connection().execute("SELECT rowid, id, unit FROM passages ORDER BY rowid").fetchall()


def assert_tables_match_sql(store: EmbeddedDocumentStore, snapshot: IndexSnapshot) -> None:
    rows = sql_rows(store)
    assert [r[0] for r in rows] == snapshot.rowids.tolist()
    units = snapshot.units
    assert [units.values()[c] if c >= 0 else None for c in units.codes.tolist()] == [r[2] for r in rows]
    rank = row_tables.id_rank(snapshot, store._connection())
    assert [rows[i][1] for i in np.argsort(rank)] == sorted(r[1] for r in rows)
    hashes = passage_hashes([r[1] for r in rows][::-1])
    assert row_tables.rows_of_hashes(snapshot, hashes).tolist() == list(range(len(rows)))[::-1]
    assert row_tables.rows_of_hashes(snapshot, passage_hashes(["no-such-passage"])).tolist() == [-1]
    table = row_tables.provision_table(snapshot)
    keys = store._connection().execute("SELECT doc_id, article FROM passages ORDER BY rowid").fetchall()
    assert len({tuple(k) for k in keys}) == table.count
    for row, key in enumerate(keys):  # every row of a provision has its number; its first row is the first
        first = int(table.first_row[table.of_row[row]])
        assert tuple(keys[first]) == tuple(key) and first == next(i for i, k in enumerate(keys) if tuple(k) == tuple(key))
    assert table.uniform["language"] and table.uniform["doc_id"]


def test_row_tables_built_updated_and_loaded_equal_sql(tmp_path: Path) -> None:
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    documents = seeded_documents(160, seed=5)
    for doc_id, passages in documents.items():
        for p in passages:
            p.meta["unit"] = ["article", "preamble", "transitional", None][p.meta["ordinal"] % 4]
        store.replace_document(doc_id, passages, {"doc_id": doc_id, "title": doc_id})
    built = store._snapshot()
    assert built.units is not None
    assert_tables_match_sql(store, built)

    changed = [Document(id=f"d1#new{i}", content="salario nuevo", meta={**documents["d1"][0].meta, "unit": "transitional", "ordinal": 900 + i})
               for i in range(3)]
    store.replace_document("d1", changed, {"doc_id": "d1", "title": "d1"})  # a commit: the snapshot is updated in place
    updated = store._snapshot()
    assert updated is not built and updated.units is not None
    assert_tables_match_sql(store, updated)

    store.wait_for_snapshot()
    reopened = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    loaded = reopened._snapshot()
    assert loaded.units is not None
    assert_tables_match_sql(reopened, loaded)

    folder = next(p for p in (tmp_path / "index.sqlite3.derived").iterdir() if p.is_dir())
    (folder / "units.npy").unlink()  # as a folder saved before units were kept
    older = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    snapshot = older._snapshot()  # unreadable without them: built again from SQLite
    assert snapshot is not loaded and snapshot.generation == loaded.generation
    assert_tables_match_sql(older, snapshot)
    shutil.rmtree(folder)


def test_value_counts_equal_counting_provisions_by_hand(tmp_path: Path) -> None:
    """Counting per value, a run of provisions at a time (several columns at once, or one,
    with few values or many: doc_id has 23), equals counting the marked provisions' values
    one by one, for marks dense, sparse, none and all."""
    store = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    for doc_id, passages in seeded_documents(300).items():
        store.replace_document(doc_id, passages, {"doc_id": doc_id, "title": doc_id})
    snapshot = store._snapshot()
    table = row_tables.provision_table(snapshot)
    rng = np.random.default_rng(2)
    marks = [rng.random(table.count) < 0.6, rng.random(table.count) < 0.02, np.zeros(table.count, bool), np.ones(table.count, bool)]
    for names in (("kind", "jurisdiction", "language"), ("doc_id",), ("kind",)):
        for found in marks:
            counted = table.value_counts(snapshot, names, found)
            for name in names:
                column = snapshot.columns[name]
                by_hand = np.zeros(len(column.index), dtype=np.int64)
                for number in np.flatnonzero(found):
                    code = column.codes[table.first_row[number]]
                    if code >= 0:
                        by_hand[code] += 1
                assert counted[name].tolist() == by_hand.tolist()

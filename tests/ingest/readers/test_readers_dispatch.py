"""read_source: file checks that come before any reader."""

from __future__ import annotations

import pytest

from ingest.readers import read_source
from laborlex_core.schema import IngestError
from laborlex_core.settings import Settings


def test_unsupported_extension(tmp_path, meta, settings):
    path = tmp_path / "contrato.docx"
    path.write_bytes(b"PK\x03\x04 not really a docx")
    with pytest.raises(IngestError) as err:
        read_source(path, meta, settings)
    assert err.value.path == str(path)
    assert "unsupported file type '.docx'" in err.value.reason and "ZIP archive that is not a Word" in err.value.reason


def test_missing_file(tmp_path, meta, settings):
    path = tmp_path / "nope.txt"
    with pytest.raises(IngestError, match="file not found") as err:
        read_source(path, meta, settings)
    assert str(path) in str(err.value)


def test_directory_is_not_a_file(tmp_path, meta, settings):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(IngestError, match="not a regular file"):
        read_source(folder, meta, settings)


@pytest.mark.parametrize("name", ["big.txt", "big.pdf", "big.json"])
def test_oversized_file_is_refused_before_reading(tmp_path, meta, name):
    path = tmp_path / name
    path.write_bytes(b"x" * 20_000)  # not even valid for its type: the size check comes first
    settings = Settings(data_dir=tmp_path / "data", max_file_mb=0.01)
    with pytest.raises(IngestError) as err:
        read_source(path, meta, settings)
    assert str(path) in str(err.value)
    assert "0.02 MB" in err.value.reason and "limit of 0.01 MB" in err.value.reason


def test_zero_byte_pdf_is_empty(tmp_path, meta, settings):
    path = tmp_path / "empty.pdf"
    path.touch()
    with pytest.raises(IngestError, match="empty file"):
        read_source(path, meta, settings)

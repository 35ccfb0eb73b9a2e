"""A bounded fuzz of the readers (issue 17): mutated PDFs, ruling-title JSON and text.

Each example is a real seed file with bytes overwritten, inserted or cut off. Whatever the
bytes, ``read_source`` either returns text or raises ``IngestError`` naming the file with a
reason; any other exception is a crash. The run is bounded by an example count and a
per-example deadline (CI time is a budget), and derandomized so a failure reproduces.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ingest.readers import read_source
from laborlex_core.schema import DocumentMeta, IngestError
from laborlex_core.settings import Settings
from tests.ingest.readers.readers_pdfgen import write_pdf

_SEED_DIR = Path(tempfile.mkdtemp(prefix="laborlex-fuzz-seeds-"))
_PDF = write_pdf(_SEED_DIR / "seed.pdf", [["Artículo 1.- El trabajo es un derecho.", "Artículo 2.- Texto."]])
SEEDS: dict[str, bytes] = {
    ".pdf": _PDF.read_bytes(),
    ".json": json.dumps(
        [{"registro_digital": "2005174", "rubro": "DESPIDO INJUSTIFICADO. CARGA DE LA PRUEBA."},
         {"registro_digital": "181711", "rubro": "SALARIOS CAÍDOS. SU PAGO."}], ensure_ascii=False
    ).encode("utf-8"),
    ".txt": "Artículo 1.- El trabajo es un derecho.\n\nმუხლი 2. შრომა.\n\n§ 207. Overtime.\n".encode("utf-8"),
}
READER_SETTINGS = Settings(parse_workers=1, max_file_mb=1.0)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[suffix])
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "insert", "delete"]))
        chunk = draw(st.binary(min_size=1, max_size=16))
        if action == "flip":
            data[at : at + len(chunk)] = chunk
        elif action == "insert":
            data[at:at] = chunk
        else:
            del data[at : at + len(chunk)]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # truncated
    return suffix, bytes(data)


@pytest.mark.parametrize("suffix", sorted(SEEDS))
def test_seeds_read(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"seed{suffix}"
    path.write_bytes(SEEDS[suffix])
    assert read_source(path, DocumentMeta(doc_id="seed", title="Seed"), READER_SETTINGS).text.strip()


@settings(max_examples=60, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_are_read_or_refused_with_a_reason(case: tuple[str, bytes]) -> None:
    suffix, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzzed{suffix}"
        path.write_bytes(data)
        try:
            source = read_source(path, DocumentMeta(doc_id="fuzzed", title="Fuzzed"), READER_SETTINGS)
        except IngestError as error:
            assert error.path == str(path)
            assert error.reason and error.reason.strip()
        else:
            assert isinstance(source.text, str)

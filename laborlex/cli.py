"""The ``laborlex`` command: ingest, search, eval, terms, stats, model, serve, ui, up, opensearch.

This is the top of the import graph: it wires settings, the store, ingest and search
together and prints for people (or JSON for scripts).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

# The model hub is unreachable in the environments laborlex targets; never try it.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from laborlex.opensearch_cli import opensearch_app  # noqa: E402
from laborlex_core.logging_setup import configure_logging  # noqa: E402
from laborlex_core.settings import Settings, get_settings  # noqa: E402

if TYPE_CHECKING:
    from search_api.evaluation import Judged

app = typer.Typer(help="Multilingual search over labor law.", no_args_is_help=True, add_completion=False)
app.add_typer(opensearch_app, name="opensearch")


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level)
    return settings


def _judgments(qrels: Path) -> list[Judged]:
    """The judgments of a qrels file; a bad file ends the command with its reason (exit 2)."""
    from search_api.evaluation import QrelsError, load_qrels

    try:
        return load_qrels(qrels)
    except QrelsError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _split(value: Optional[str]) -> Optional[list[str] | str]:
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return parts if len(parts) > 1 else (parts[0] if parts else None)


def _indexed_store(settings: Settings):  # noqa: ANN202 - SearchBackend, imported lazily
    """The configured store, or exit 1 saying how to fill it: every command that reads the index."""
    from laborlex_core.store import open_store

    store = open_store(settings)
    if store.count_documents() == 0:
        typer.echo("The index is empty: run `laborlex ingest PATH` first.", err=True)
        raise typer.Exit(1)
    return store


def _package_file(resource: str) -> Path:
    """Where the package keeps a data file that a command rebuilds (the one search reads)."""
    from importlib import resources

    return Path(str(resources.files("search_api").joinpath(resource)))


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A folder, a manifest.json, or one file.")],
) -> None:
    """Index documents: read, split into provisions, embed, and write to the store."""
    from ingest.pipeline import ingest_path
    from laborlex_core.store import open_store

    settings = _settings()
    if not path.exists():
        typer.echo(f"error: {path} does not exist", err=True)
        raise typer.Exit(2)
    if settings.ingest_nice > 0:  # before any thread or worker starts: they inherit it
        os.nice(settings.ingest_nice)  # a server on the same cores keeps answering searches
    store = open_store(settings)
    target = (
        str(settings.store_path)
        if settings.backend == "embedded"
        else f"OpenSearch {settings.opensearch_url} (alias {settings.opensearch_index})"
    )
    typer.echo(f"Ingesting {path} into {target}", err=True)
    from ingest.readers.summary import describe

    report = ingest_path(path, settings, store, progress=True)
    # The ingest leaves a large heap (models, parsed pages); the interpreter's collection of
    # it at exit took minutes at nice 10 on a busy machine. Nothing is collected from here on.
    gc.freeze()
    unchanged = set(report.unchanged)
    for doc_id in sorted(report.written):
        provisions = report.provisions.get(doc_id, 0)
        read = describe(report.read_notes.get(doc_id, {}))
        note = "  unchanged, kept" if doc_id in unchanged else (f"  [{read}]" if read else "")
        typer.echo(f"  {doc_id:<48} {provisions:>5} provisions {report.written[doc_id]:>6} passages{note}")
    typer.echo(
        f"{len(report.written)} documents, {sum(report.provisions.get(d, 0) for d in report.written)} provisions, "
        f"{report.passages} passages in {report.seconds:.1f} s ({report.passages_per_second:.1f} passages/s); "
        f"{len(unchanged)} unchanged documents kept, {report.embedded} passages and "
        f"{report.sentences_embedded} snippet sentences embedded"
    )
    if report.failures:
        typer.echo(f"{len(report.failures)} file(s) failed:", err=True)
        for failure in report.failures:
            typer.echo(f"  {failure.path}: {failure.reason}", err=True)
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in any language.")],
    mode: Annotated[str, typer.Option(help="hybrid, bm25 or dense.")] = "hybrid",
    jurisdiction: Annotated[Optional[str], typer.Option(help="MX, HN, GE, US, INTL (comma-separated for several).")] = None,
    language: Annotated[Optional[str], typer.Option(help="es, ka, en.")] = None,
    kind: Annotated[Optional[str], typer.Option(help="statute, convention, treaty, case_law, case_law_index.")] = None,
    doc: Annotated[Optional[str], typer.Option(help="Only this document id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    as_of: Annotated[
        Optional[str], typer.Option("--as-of", help="YYYY-MM-DD: the law as of that day (see docs/api.md).")
    ] = None,
    amended_after: Annotated[
        Optional[str], typer.Option("--amended-after", help="YYYY[-MM[-DD]]: amended on or after.")
    ] = None,
    amended_before: Annotated[
        Optional[str], typer.Option("--amended-before", help="YYYY[-MM[-DD]]: amended on or before.")
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Say why each result was found: lists, shares, words, meaning.")] = False,
) -> None:
    """Search the index and print cited provisions with highlighted snippets."""
    from laborlex_core.store.filters import combine, equals_filter
    from search_api.history import HistoryParamError, HistoryQuery, annotate
    from search_api.pipeline import MODES
    from search_api.search import Searcher
    from search_api.snippets import mark

    settings = _settings()
    if mode not in MODES:
        typer.echo(f"error: --mode must be one of {', '.join(MODES)}", err=True)
        raise typer.Exit(2)
    try:
        history = HistoryQuery.parse(as_of, amended_after, amended_before)
    except HistoryParamError as error:
        typer.echo(f"error: --{error.field.replace('_', '-')}: {error.message}", err=True)
        raise typer.Exit(2) from None
    store = _indexed_store(settings)
    filters = equals_filter(
        jurisdiction=_split(jurisdiction), language=_split(language), kind=_split(kind), doc_id=_split(doc)
    )
    filters = combine(filters, history.filter)
    searcher = Searcher(settings, store)
    if explain:
        from search_api.explain import explained_search, explanation_lines

        hits = explained_search(searcher, query, mode, filters, limit)  # type: ignore[arg-type]
    else:
        hits = searcher.search(query, mode=mode, filters=filters, limit=limit)  # type: ignore[arg-type]
    hits = annotate(hits, history.as_of)
    if as_json:
        typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("No results.")
    bold = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("«", "»")
    for rank, hit in enumerate(hits, start=1):
        ranks = ", ".join(f"{k} #{v}" for k, v in sorted(hit.ranks.items()))
        typer.echo(f"{rank:>2}. {hit.citation}  [{hit.language}] {hit.date or ''}  ({ranks})")
        status = _history_status(hit)
        if status:
            typer.echo(f"    {status}")
        if hit.heading_path:
            typer.echo(f"    {' › '.join(hit.heading_path)}")
        typer.echo(f"    {mark(hit.snippet, hit.highlights, *bold)}")
        if hit.formal_citation:
            typer.echo(f"    cite: {hit.formal_citation}")
        for line in explanation_lines(hit.explanation) if hit.explanation else ():
            typer.echo(f"    why: {line}")
        typer.echo("")


def _history_status(hit) -> str:
    """One line on a hit's amendment state: repealed, changed since --as-of, last amended."""
    parts = []
    if hit.repealed:
        parts.append(f"REPEALED {hit.repealed_on or ''}".strip() + ": not law in force")
    if hit.changed_after_as_of:
        parts.append(f"the text shown is the current one; amended on {', '.join(hit.changed_after_as_of)}")
    elif hit.last_amended and not hit.repealed:
        parts.append(f"last amended {hit.last_amended}")
    return " · ".join(parts)


@app.command(name="eval")
def evaluate_command(
    qrels: Annotated[Path, typer.Option(help="Judgments file (JSON lines).")],
    mode: Annotated[str, typer.Option(help="hybrid, bm25, dense, or all.")] = "hybrid",
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the metrics as JSON here.")] = None,
    report_dir: Annotated[
        Path | None, typer.Option("--report", help="Write metrics.png, index.html and report.json to this folder.")
    ] = None,
    cv: Annotated[
        int, typer.Option("--cv", min=0, help="K-fold cross-validation of the tuned settings (0: off); figures held out.")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the cross-validation folds.")] = 13,
    ablations: Annotated[
        bool, typer.Option("--ablations", help="With --cv: also the cross-validated figure with each lever held off.")
    ] = False,
    rerank: Annotated[
        bool, typer.Option("--rerank", help="With --cv: the learned re-ranker fitted on each fold's training queries, scored held out.")
    ] = False,
    dense_index: Annotated[
        Optional[Path],
        typer.Option(help="A data folder holding an index of the same corpus with other windows: nearest neighbours from it, mapped to this index's passages (search_api/window_map.py)."),
    ] = None,
    grid: Annotated[
        Optional[str],
        typer.Option(help="With --cv: 'default' (TUNING_GRID), 'full' (with the earlier sweeps' values), or a JSON object of setting → values to add or replace."),
    ] = None,
) -> None:
    """Measure retrieval quality on relevance judgments (with --cv K: cross-validated first)."""
    from search_api.evaluation import RUN_DEPTH, evaluate
    from search_api.pipeline import MODES
    from search_api.search import Searcher

    settings = _settings()
    modes = list(MODES) if mode == "all" else [mode]
    if any(m not in MODES for m in modes):
        typer.echo(f"error: --mode must be one of {', '.join(MODES)} or all", err=True)
        raise typer.Exit(2)
    judgments = _judgments(qrels)
    store = _indexed_store(settings)
    if dense_index is not None:
        from laborlex_core.store.embedded import EmbeddedDocumentStore
        from search_api.window_map import WindowMappedStore

        if not (dense_index / "index.sqlite3").exists():
            typer.echo(f"error: --dense-index: no index.sqlite3 in {dense_index}", err=True)
            raise typer.Exit(2)
        store = WindowMappedStore(store, EmbeddedDocumentStore(dense_index / "index.sqlite3"))
    searcher = Searcher(settings, store)
    doc_languages = {d["doc_id"]: d.get("language") for d in store.list_documents()}
    reports = {}
    cross_validated = {}
    learned_runs = {}  # --rerank: the learned re-ranker, cross-validated
    for m in modes:
        if cv:
            from search_api.cross_validation import ablations as ablate
            from search_api.cross_validation import select, sweep_settings

            swept = sweep_settings(settings, store, judgments, m, _grid(grid), progress=_progress_bar(f"cross-validating {m}"))
            cross_validated[m] = select(swept, doc_languages, cv, seed)
            _print_report(f"{m}, cross-validated ({cv} folds, seed {seed})", cross_validated[m].held_out)
            typer.echo(f"  chosen per fold: {json.dumps(cross_validated[m].chosen)}")
            typer.echo(f"  chosen on all queries: {json.dumps(cross_validated[m].full_choice)}")
            if ablations:
                _print_ablations(ablate(swept, doc_languages, cv, seed))
            if rerank:
                from search_api.cross_validation import collapsed_candidates, learned_rank_cv

                chosen = settings.model_copy(update=cross_validated[m].full_choice)
                candidates, finish = collapsed_candidates(chosen, store, judgments, m)
                learned = learned_rank_cv(judgments, candidates, finish, doc_languages, cv, seed)
                _print_report(f"{m}, configuration chosen on all queries, fused order (the re-ranker's baseline)", learned.baseline)
                _print_report(f"{m} + learned re-ranker, cross-validated (fitted on the training folds)", learned.held_out)
                learned_runs[m] = learned

        def run(query: str, m: str = m) -> list[tuple[str, str]]:
            return [(d.meta["doc_id"], str(d.meta["article"])) for d in searcher.search_documents(query, m, top_k=RUN_DEPTH)]  # type: ignore[arg-type]

        reports[m] = evaluate(judgments, run, doc_languages)
        _print_report(f"{m}, full dev, current settings" if cv else m, reports[m])
    if cross_validated:
        reports = {
            **{f"{m} (cross-validated)": c.held_out for m, c in cross_validated.items()},
            **{f"{m} + rerank (cross-validated)": c.held_out for m, c in learned_runs.items()},
            **{f"{m} (full dev)": r for m, r in reports.items()},
        }
    if json_out:
        payload = reports[modes[0]] if len(reports) == 1 else {"modes": reports}
        if cross_validated:
            payload["cv"] = {
                m: {"k": cv, "seed": seed, "folds": c.folds, "chosen": c.chosen, "full_choice": c.full_choice, "grid_size": c.grid_size}
                for m, c in cross_validated.items()
            }
        json_out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        typer.echo(f"wrote {json_out}")
    if report_dir:
        from search_api.eval_report import write_report

        written = write_report(reports, report_dir, title=f"laborlex eval: {qrels.name} ({', '.join(modes)})")
        typer.echo(f"wrote report to {report_dir} ({', '.join(p.name for p in written)})")


def _grid(spec: Optional[str]) -> dict:
    """--grid: a named grid, or a JSON object of setting → values laid over TUNING_GRID."""
    from search_api.cross_validation import named_grid

    if spec is None or not spec.lstrip().startswith("{"):
        try:
            return named_grid(spec)
        except ValueError as error:
            typer.echo(f"error: --grid: {error}", err=True)
            raise typer.Exit(2) from None
    try:
        extra = json.loads(spec)
    except json.JSONDecodeError as error:
        typer.echo(f"error: --grid is not JSON: {error}", err=True)
        raise typer.Exit(2) from None
    unknown = sorted(set(extra) - set(Settings.model_fields))
    if unknown or not all(isinstance(v, list) and v for v in extra.values()):
        typer.echo(f"error: --grid needs setting → non-empty list of values; unknown settings: {unknown}", err=True)
        raise typer.Exit(2)
    return named_grid(None, extra)


def _progress_bar(label: str):
    """A progress callback (done, total) drawing a tqdm bar on stderr."""
    from tqdm import tqdm

    bar: list = []

    def update(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, desc=label, unit="config", file=sys.stderr, leave=False))
        bar[0].update(1)
        if done == total:
            bar[0].close()

    return update


def _print_ablations(rows: dict) -> None:
    typer.echo("\n  cross-validated, by lever        nDCG@10     R@10   es      en      ka    xl nDCG  xl R@10")
    for name, result in rows.items():
        report = result.held_out
        by = {lang: v["ndcg@10"] for lang, v in report["by_lang"].items()}
        cells = [report["overall"]["ndcg@10"], report["overall"]["recall@10"], by.get("es", 0), by.get("en", 0), by.get("ka", 0)]
        cells += [report["cross_lingual"]["ndcg@10"], report["cross_lingual"]["recall@10"]]
        typer.echo(f"  {name:<32}" + "".join(f"{c:>8.3f}" for c in cells))


def _print_report(mode: str, report: dict, metrics: tuple[str, ...] = ("ndcg@10", "recall@10", "recall@100", "mrr@10")) -> None:
    typer.echo(f"\nmode={mode}  queries={report['n_queries']}")
    typer.echo(f"  {'':<16}" + "".join(f"{m:>12}" for m in metrics))
    rows = [("overall", report["overall"], report["n_queries"])]
    rows += [(f"lang={lang}", v, report["n_by_lang"][lang]) for lang, v in report["by_lang"].items()]
    rows.append(("cross-lingual", report["cross_lingual"], report["n_cross_lingual"]))
    for name, values, n in rows:
        typer.echo(f"  {name + f' ({n})':<16}" + "".join(f"{values[m]:>12.3f}" for m in metrics))


@app.command(name="eval-subsets")
def eval_subsets(
    report: Annotated[Path, typer.Argument(help="A JSON written by `laborlex eval --json`.")],
    qrels: Annotated[Path, typer.Option(help="The judgments the report was made with.")],
    prefix: Annotated[list[str], typer.Option("--prefix", help="Query-id prefix of a subset (repeatable).")] = ["q", "d"],  # noqa: B006
) -> None:
    """Figures @10 per query subset (e.g. q-ids and d-ids) from an eval report's per-query top 10."""
    from laborlex_core.store import open_store
    from search_api.evaluation import subset_report

    judgments = _judgments(qrels)
    data = json.loads(report.read_text("utf-8"))
    reports = data["modes"] if "modes" in data else {report.stem: data}
    doc_languages = {d["doc_id"]: d.get("language") for d in open_store(_settings()).list_documents()}
    for name, full in reports.items():
        for each in prefix:
            part = subset_report(full, judgments, doc_languages, each)
            if part["n_queries"]:
                _print_report(f"{name}, ids {each}*", part, metrics=("ndcg@10", "recall@10", "mrr@10"))


# A rebuilt data file goes where search reads it (in the package) unless --out says otherwise.
PackageOut = Annotated[
    Optional[Path], typer.Option("--out", help="Where to write it (default: the file search uses, in the package).")
]


def _word_embedder(settings: Settings, batch_size: int = 256) -> Callable[[Sequence[str]], Any]:
    """The model as a function from words (or short texts) to unit vectors, for the learnt data files."""
    from laborlex_core.embedding.embedder import embed_words, load_model

    model = load_model(settings)
    return lambda texts: embed_words(model, texts, batch_size=batch_size)


@app.command()
def terms(out: PackageOut = None) -> None:
    """Rebuild the cross-lingual term table from the index (parallel instruments and the model)."""

    from search_api.term_table import TABLE_RESOURCE, build_term_table, write_term_table

    settings = _settings()
    store = _indexed_store(settings)
    embed = _word_embedder(settings)
    typer.echo("learning term translations from parallel articles and the model…")
    table = build_term_table(store, embed)
    target = out or _package_file(TABLE_RESOURCE)
    write_term_table(table, target)
    sizes = ", ".join(f"{name}: {len(rows)}" for name, rows in table["pairs"].items())
    typer.echo(f"wrote {target}: terms per direction {sizes}; aligned articles {table['_source']['aligned_articles']}")


@app.command()
def filler(out: PackageOut = None) -> None:
    """Rebuild the question-word and filler lists (stopwords-iso and the index's headings; see search_api/query_filler.py)."""

    from search_api.query_filler import FILLER_RESOURCE, build_filler, write_filler

    settings = _settings()
    store = _indexed_store(settings)
    table = build_filler(store)
    target = out or _package_file(FILLER_RESOURCE)
    write_filler(table, target)
    sizes = ", ".join(f"{lang}: {len(words)}" for lang, words in table.items() if not lang.startswith("_"))
    typer.echo(f"wrote {target}: filler words {sizes}")


@app.command()
def adapter() -> None:
    """Rebuild the query adapter (a rotation of query vectors learnt from headings, parallel articles and citations of the index)."""
    from importlib import resources

    from search_api.query_adapter import INFO_RESOURCE, MATRIX_RESOURCE, build_adapter, write_adapter

    settings = _settings()
    store = _indexed_store(settings)
    embed = _word_embedder(settings, batch_size=32)
    typer.echo("embedding headings, parallel articles and citation contexts as queries…", err=True)
    matrix, info = build_adapter(store, embed)
    package = resources.files("search_api")
    write_adapter(matrix, info, Path(str(package.joinpath(MATRIX_RESOURCE))), Path(str(package.joinpath(INFO_RESOURCE))))
    typer.echo(f"wrote {MATRIX_RESOURCE}: {info['_source']}; mean cosine query→passage {info['mean_cosine_before']} → {info['mean_cosine_after']}")


@app.command(name="rerank-fit")
def rerank_fit(
    qrels: Annotated[Path, typer.Option(help="Judgments file (JSON lines): the training labels.")],
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Where to write the weights (default: the ones search uses, in the package).")
    ] = None,
) -> None:
    """Fit the learned re-ranker's weights on every judgment (use only after `eval --cv K --rerank` shows it helps held out)."""

    from search_api.cross_validation import collapsed_candidates, training_rows
    from search_api.learned_rank import RERANK_DEPTH, WEIGHTS_RESOURCE, fit_linear, write_weights

    settings = _settings()
    judgments = _judgments(qrels)
    store = _indexed_store(settings)
    candidates, _ = collapsed_candidates(settings, store, judgments)
    features, labels = training_rows(judgments, candidates, RERANK_DEPTH)
    weights = fit_linear(features, labels)
    weights["_source"] = {
        "fitted_on": f"{qrels.name}: {len(judgments)} judged queries, {int(labels.sum())} relevant of {len(labels)} candidates",
        "why_allowed": "the judgments are training labels here; whether to use the model, and its reported figure, are cross-validated (laborlex eval --cv 5 --rerank)",
        "rebuild": f"laborlex rerank-fit --qrels {qrels}",
    }
    target = out or _package_file(WEIGHTS_RESOURCE)
    write_weights(weights, target)
    typer.echo(f"wrote {target}: " + ", ".join(f"{n} {c:+.2f}" for n, c in zip(weights["features"], weights["coef"])))


@app.command()
def stats(
    citations: Annotated[bool, typer.Option("--citations", help="Citations per document, share resolved, most cited provisions.")] = False,
    reextract: Annotated[
        bool, typer.Option("--reextract", help="First re-extract citations from the stored passages (an index made before citations).")
    ] = False,
    top: Annotated[int, typer.Option(min=1, max=100, help="How many most-cited provisions to list.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """What the index holds: documents and passages, or (--citations) its citation network."""
    from laborlex_core.store import open_store
    from search_api.library import LawLibrary

    settings = _settings()
    store = open_store(settings)
    library = LawLibrary(settings, store)
    if not citations:
        figures = library.stats()
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=2) if as_json else
                   f"{figures['documents']} documents, {figures['provisions']} provisions, {figures['passages']} passages")
        return
    if reextract:
        from ingest.citations.refresh import refresh_citations

        refresh_citations(store)
    report = library.citation_report(top=top)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    _print_citation_report(report)


def _print_citation_report(report: dict) -> None:
    typer.echo(f"{'document':<48} {'citations':>9} {'resolved':>9}")
    for doc in report["documents"]:
        share = f"{doc['resolved'] / doc['citations']:.0%}" if doc["citations"] else "-"
        typer.echo(f"{doc['doc_id']:<48} {doc['citations']:>9} {share:>9}")
    typer.echo(
        f"\n{report['citations']} citations, {report['resolved']} resolved ({report['share_resolved']:.1%}); "
        f"{report['cited_provisions']} provisions cited, {report['cited_provisions_indexed']} of them in the index"
    )
    typer.echo("\nMost cited provisions (by how many other provisions cite them):")
    for rank, entry in enumerate(report["top"], start=1):
        typer.echo(f"{rank:>3}. {entry['citation']:<56} {entry['cited_by']:>4}  ({entry['key']})")


@app.command()
def bench(
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write the figures as JSON here.")] = None,
    png: Annotated[Optional[Path], typer.Option(help="Scaling plot (default: beside --json, or laborlex-bench.png).")] = None,
    quick: Annotated[bool, typer.Option(help="Small run for CI: a corpus slice, 10k passages, fewer queries.")] = False,
    corpus: Annotated[Path, typer.Option(help="Corpus folder or manifest to ingest.")] = Path("../shared/corpus"),
    qrels: Annotated[Path, typer.Option(help="Judgments the queries are drawn from.")] = Path("../shared/eval/dev.jsonl"),
    sizes: Annotated[Optional[str], typer.Option(help="Index sizes, comma-separated (default 10000,30000,100000).")] = None,
    queries: Annotated[Optional[int], typer.Option(help="Queries per index (default 200; 40 with --quick).")] = None,
    inmemory_queries: Annotated[Optional[int], typer.Option(help="Queries timed on the in-memory store (default 40; 10 with --quick).")] = None,
    api_queries: Annotated[Optional[int], typer.Option(help="Queries sent to the API (default 100; 20 with --quick).")] = None,
    workdir: Annotated[Optional[Path], typer.Option(help="Keep the built indexes here (default: a temporary folder, removed).")] = None,
    source_index: Annotated[Optional[Path], typer.Option(help="Scale this index.sqlite3 instead of ingesting the corpus (no ingest figures).")] = None,
    concurrency_seconds: Annotated[Optional[float], typer.Option(help="Length of the 10-client API leg (default 60; 5 with --quick; 0 skips it).")] = None,
    api_workers: Annotated[int, typer.Option(help="Worker processes of a second API leg at the concurrency size (0: one per core; 1: none).", min=0)] = 0,
    backends: Annotated[str, typer.Option(help="embedded, or embedded,opensearch: the scaled indexes also copied to a live node and timed beside.")] = "embedded",
    opensearch_url: Annotated[Optional[str], typer.Option(help="The node for the opensearch leg (default: $OPENSEARCH_URL).")] = None,
    opensearch_sizes: Annotated[Optional[str], typer.Option(help="Sizes copied to OpenSearch (default: those up to 100000).")] = None,
    skip_inmemory: Annotated[bool, typer.Option(help="Leave out Haystack's in-memory store.")] = False,
    inmemory_max_passages: Annotated[int, typer.Option(help="Time the in-memory store only up to this size (it held 3.6 GB at 100k).")] = 100_000,
    skip_runtimes: Annotated[bool, typer.Option(help="Leave out the embedding-runtime comparison.")] = False,
) -> None:
    """Benchmark ingest and search at 10k-100k passages (or --sizes up to 1M) against Haystack's in-memory store."""
    from benchmarks import report
    from benchmarks.host_speed import lines as host_speed_lines
    from benchmarks.run import FULL_SIZES, QUICK_SIZES, BenchOptions, run_bench

    settings = _settings()
    for path in (corpus, qrels):
        if not path.exists():
            typer.echo(f"error: {path} does not exist", err=True)
            raise typer.Exit(2)
    options = BenchOptions(
        corpus=corpus,
        qrels=qrels,
        quick=quick,
        sizes=tuple(int(n) for n in sizes.split(",")) if sizes else (QUICK_SIZES if quick else FULL_SIZES),
        queries=queries or (40 if quick else 200),
        inmemory_queries=inmemory_queries or (10 if quick else 40),
        api_queries=api_queries or (20 if quick else 100),
        workdir=workdir,
        source_index=source_index,
        concurrency_seconds=concurrency_seconds if concurrency_seconds is not None else (5.0 if quick else 60.0),
        api_workers=api_workers,
        backends=tuple(b.strip() for b in backends.split(",") if b.strip()),
        opensearch_url=opensearch_url,
        opensearch_sizes=tuple(int(n) for n in opensearch_sizes.split(",")) if opensearch_sizes else None,
        skip_inmemory=skip_inmemory,
        inmemory_max_passages=inmemory_max_passages,
        skip_runtimes=skip_runtimes,
    )
    result = run_bench(options, settings)
    typer.echo(report.ingest_lines(result["ingest"]))
    typer.echo(host_speed_lines(result["host_speed"]))
    typer.echo(report.markdown_table(result))
    typer.echo(f"scaling exponent (hybrid p50 vs passages, log-log): {result['scaling_exponent']}")
    typer.echo(f"scaling exponents: {result['scaling_exponents']}")
    if json_out:
        report.write_json(result, json_out)
        typer.echo(f"wrote {json_out}")
    png = png or (json_out.with_suffix(".png") if json_out else Path("laborlex-bench.png"))
    report.write_plot(result, png)
    typer.echo(f"wrote {png}")


@app.command()
def model() -> None:
    """Make the embedding model available offline (built once from bundled weights)."""
    from laborlex_core.embedding.embedder import load_model

    settings = _settings()
    loaded = load_model(settings)
    typer.echo(f"model ready: {settings.model} ({loaded.get_embedding_dimension()} dimensions)")


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind (LABORLEX_API_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (LABORLEX_API_PORT).")] = None,
    workers: Annotated[Optional[int], typer.Option(help="API processes (LABORLEX_API_WORKERS).")] = None,
) -> None:
    """Start the HTTP API (OpenAPI docs at /docs)."""
    from laborlex.serving import serve as run_api, worker_count

    settings = _settings()
    run_api(settings, host or settings.api_host, port or settings.api_port, worker_count(settings, workers))


@app.command()
def ui(
    port: Annotated[Optional[int], typer.Option(help="Port (LABORLEX_UI_PORT).")] = None,
    api_url: Annotated[Optional[str], typer.Option(help="The API's address (LABORLEX_API_URL).")] = None,
) -> None:
    """Start the Streamlit interface; it talks to the API over HTTP."""
    settings = _settings()
    raise typer.Exit(subprocess.call(_ui_command(settings, port, api_url)))


@app.command()
def up(
    corpus: Annotated[Path, typer.Option(help="Folder or manifest to ingest when the index is empty.")] = Path("../shared/corpus"),
    host: Annotated[Optional[str], typer.Option(help="Address for the API and UI.")] = None,
    api_port: Annotated[Optional[int], typer.Option()] = None,
    ui_port: Annotated[Optional[int], typer.Option()] = None,
) -> None:
    """The product on one machine: ingest the corpus if the index is empty, then API and UI."""
    from laborlex_core.processes import wait_for_http
    from laborlex_core.store import open_store

    settings = _settings()
    if open_store(settings).count_documents() == 0:
        typer.echo(f"The index is empty: ingesting {corpus}", err=True)
        _ingest_for_up(corpus)
    host = host or settings.api_host
    api_port = api_port or settings.api_port
    api_url = f"http://{host}:{api_port}"
    api = subprocess.Popen([sys.executable, "-m", "laborlex.cli", "serve", "--host", host, "--port", str(api_port)])
    children = [api]
    try:
        if not wait_for_http(f"{api_url}/health", api, timeout=180):
            typer.echo("error: the API did not start; see the messages above", err=True)
            raise typer.Exit(1)
        ui_proc = subprocess.Popen(_ui_command(settings, ui_port, api_url, host))
        children.append(ui_proc)
        typer.echo(f"API: {api_url}  (docs: {api_url}/docs)")
        typer.echo(f"UI:  http://{host}:{ui_port or settings.ui_port}")
        typer.echo("Ctrl-C stops both.")
        while all(p.poll() is None for p in children):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in children:
            if proc.poll() is None:
                proc.terminate()
        for proc in children:
            proc.wait(timeout=30)


def _ingest_for_up(corpus: Path) -> None:
    try:
        ingest(corpus)
    except typer.Exit as done:
        if done.exit_code not in (0, None):
            typer.echo("Some files failed; serving what was indexed.", err=True)


def _ui_command(settings: Settings, port: Optional[int], api_url: Optional[str], address: Optional[str] = None) -> list[str]:
    import ui

    script = Path(ui.__file__).parent / "app.py"
    return [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port or settings.ui_port),
        "--server.address", address or settings.api_host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
        "--", "--api-url", api_url or settings.api_url,
    ]


if __name__ == "__main__":
    app()

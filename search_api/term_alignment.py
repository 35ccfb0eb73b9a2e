"""Word translations learnt from the corpus: its parallel texts, and the model's view of it.

Several instruments are in the corpus in two or three languages, article by article (the
ILO conventions in Spanish, Georgian and English; the Georgian Labour Code in Georgian and,
in part, English). Aligned articles say the same thing, so a word that keeps appearing in
the Spanish article whenever a given word appears in the Georgian one is its translation.
IBM Model 1 (Brown et al., 1993) turns those co-occurrences into translation probabilities;
its expectation-maximisation step explains a co-occurrence by the likeliest word, so function
words and frequent legal words do not become everybody's translation. Pure functions: the
command that builds the table (``laborlex terms``) feeds them the store's articles.

Parallel text covers Spanish-Georgian well and English hardly at all (one partial
convention, two articles of the Labour Code), so a second source pairs words through the
embedding model (:func:`model_pairs`): two words are taken as translations when the model
puts the words themselves close together *and* the passages that use them close together.
Either signal alone is noisy (word vectors pair look-alikes such as "despido"/"displace";
passage centroids pair topics such as "salario"/"factor"); their intersection is not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from laborlex_core.text_analysis import analyze, stem_georgian

Translations = dict[str, dict[str, float]]  # source term → target term → probability
_NULL = "\u0000"  # the empty word: a target word may be explained by nothing in the source


def index_terms(text: str, language: str) -> list[str]:
    """The comparable form of a text's words: Snowball stems (es, en), light Georgian stems (ka).

    Georgian has no Snowball stemmer and is indexed as whole words; alignment on whole words
    would split each noun over its seven case forms, so it uses the light stemmer here.
    """
    terms = analyze(text, language)
    if language == "ka":
        terms = [stem_georgian(t) for t in terms]
    return [t for t in terms if len(t) > 2 and not t.isdigit()]


def ibm1(pairs: Sequence[tuple[Sequence[str], Sequence[str]]], iterations: int = 6) -> Translations:
    """t(target | source) by IBM Model 1 EM over aligned units (source terms, target terms).

    Units are bags of terms; each target term is explained by a source term or the empty word.
    """
    units = [(list(dict.fromkeys(src)) + [_NULL], list(tgt)) for src, tgt in pairs if src and tgt]
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for src, tgt in units:  # uniform start over co-occurring pairs
        for s in src:
            row = t[s]
            for w in tgt:
                row[w] = 1.0
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for src, tgt in units:
            for w in tgt:
                norm = sum(t[s][w] for s in src)
                if norm <= 0:
                    continue
                for s in src:
                    counts[s][w] += t[s][w] / norm
        t = defaultdict(dict)
        for s, row in counts.items():
            total = sum(row.values())
            t[s] = {w: c / total for w, c in row.items()}
    t.pop(_NULL, None)
    return dict(t)


def symmetric(forward: Translations, backward: Translations, min_score: float) -> Translations:
    """Keep pairs likely in both directions: the geometric mean of t(b|a) and t(a|b)."""
    table: Translations = {}
    for a, row in forward.items():
        kept = {b: (p * backward.get(b, {}).get(a, 0.0)) ** 0.5 for b, p in row.items()}
        kept = {b: round(s, 4) for b, s in kept.items() if s >= min_score}
        if kept:
            table[a] = kept
    return table


def compose(first: Translations, second: Translations, min_score: float) -> Translations:
    """Translations through a pivot language (es → ka → en): scores multiplied, best path kept."""
    table: Translations = {}
    for a, row in first.items():
        out: dict[str, float] = {}
        for pivot, p in row.items():
            for c, q in second.get(pivot, {}).items():
                out[c] = max(out.get(c, 0.0), p * q)
        out = {c: round(s, 4) for c, s in out.items() if s >= min_score}
        if out:
            table[a] = out
    return table


def frequent_terms(units: Iterable[Sequence[str]], min_units: int) -> set[str]:
    """Terms that occur in at least ``min_units`` units: a rarer word's statistics are noise."""
    seen: Counter[str] = Counter()
    for unit in units:
        seen.update(set(unit))
    return {term for term, n in seen.items() if n >= min_units}


def align_languages(
    units: Sequence[tuple[str, str]], source: str, target: str, min_units: int = 2, min_score: float = 0.2
) -> Translations:
    """Term translations source → target from aligned (source text, target text) units."""
    src_units = [index_terms(a, source) for a, _ in units]
    tgt_units = [index_terms(b, target) for _, b in units]
    keep_src, keep_tgt = frequent_terms(src_units, min_units), frequent_terms(tgt_units, min_units)
    pairs = [([s for s in su if s in keep_src], [w for w in tu if w in keep_tgt]) for su, tu in zip(src_units, tgt_units)]
    forward = ibm1(pairs)
    backward = ibm1([(tgt, src) for src, tgt in pairs])
    return symmetric(forward, backward, min_score)


def surface_forms(texts: Iterable[str], language: str, per_term: int = 4) -> dict[str, list[str]]:
    """For each Georgian stem, its most frequent whole-word forms in the corpus.

    BM25 indexes Georgian whole words, so a stem found by alignment is searched as the forms
    it takes in the corpus (ხელფას → ხელფასი, ხელფასის, ხელფასს …). Other languages' index
    terms are stems already.
    """
    if language != "ka":
        return {}
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for word in analyze(text, language):
            forms[stem_georgian(word)][word] += 1
    return {stem: [w for w, _ in counter.most_common(per_term)] for stem, counter in forms.items()}


def translate_terms(
    terms: Sequence[str], table: Mapping[str, Mapping[str, float]], per_term: int = 2
) -> list[str]:
    """The first ``per_term`` translations of each term found in the table (rows are kept
    best first), in query order."""
    out: list[str] = []
    for term in dict.fromkeys(terms):
        out += list(table.get(term) or {})[:per_term]
    return list(dict.fromkeys(out))


def term_centroids(
    unit_terms: Sequence[Sequence[str]], unit_vectors: np.ndarray, vocabulary: Sequence[str]
) -> np.ndarray:
    """Per vocabulary term, the direction of the passages that use it: the sum of their vectors
    minus the language's mean (so what all passages share cancels), weighted 1 + log(tf)."""
    index = {term: i for i, term in enumerate(vocabulary)}
    centred = unit_vectors - unit_vectors.mean(axis=0, keepdims=True)
    sums = np.zeros((len(vocabulary), unit_vectors.shape[1]), dtype=np.float32)
    for terms, vector in zip(unit_terms, centred):
        for term, n in Counter(terms).items():
            if term in index:
                sums[index[term]] += (1.0 + np.log(n)) * vector
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.where(norms > 0, norms, 1.0)


def model_pairs(
    source_terms: Sequence[str],
    source_words: np.ndarray,
    source_centroids: np.ndarray,
    target_terms: Sequence[str],
    target_words: np.ndarray,
    target_centroids: np.ndarray,
    word_depth: int = 10,
    centroid_depth: int = 25,
    per_term: int = 3,
) -> Translations:
    """Target terms among both the ``word_depth`` nearest by word vector and the
    ``centroid_depth`` nearest by passage centroid of each source term, scored by word cosine."""
    if not len(source_terms) or not len(target_terms):
        return {}
    word_sims = source_words @ target_words.T
    centroid_sims = source_centroids @ target_centroids.T
    word_depth, centroid_depth = min(word_depth, len(target_terms)), min(centroid_depth, len(target_terms))
    near_words = np.argpartition(-word_sims, word_depth - 1, axis=1)[:, :word_depth]
    near_topics = np.argpartition(-centroid_sims, centroid_depth - 1, axis=1)[:, :centroid_depth]
    table: Translations = {}
    for i, term in enumerate(source_terms):
        both = set(near_words[i].tolist()) & set(near_topics[i].tolist())
        best = sorted(both, key=lambda j: -word_sims[i, j])[:per_term]
        if best:
            table[term] = {target_terms[j]: round(float(word_sims[i, j]), 4) for j in best}
    return table


def merge_tables(first: Translations, second: Translations, per_term: int = 3) -> Translations:
    """``first``'s translations of a term, then ``second``'s, at most ``per_term`` in all."""
    merged: Translations = {}
    for term in sorted(set(first) | set(second)):
        row = dict(sorted(first.get(term, {}).items(), key=lambda kv: -kv[1]))
        for word, score in sorted(second.get(term, {}).items(), key=lambda kv: -kv[1]):
            row.setdefault(word, score)
        merged[term] = dict(list(row.items())[:per_term])
    return merged

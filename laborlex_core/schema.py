"""The records that flow from ingest to the store and back out of search.

A *document* is one legal instrument or ruling (one file). It is split into *provisions*
(articles, sections, ruling paragraphs), and a provision too long for the embedding model
becomes several overlapping *passages* that keep the provision's identity. The store holds
passages; search collapses them back into provisions.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from haystack import Document

LANGUAGES: tuple[str, ...] = ("es", "ka", "en")
JURISDICTIONS: tuple[str, ...] = ("MX", "HN", "GE", "US", "INTL")
KINDS: tuple[str, ...] = ("statute", "convention", "treaty", "case_law", "case_law_index")
RULING_KINDS: frozenset[str] = frozenset({"case_law", "case_law_index"})  # kinds that are court decisions

# What a provision is, so that citations and the UI can say "art.", "§", "para." correctly.
Unit = Literal["article", "section", "transitional", "paragraph", "entry", "preamble"]


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """Metadata of one instrument; from a manifest entry or inferred from a bare file."""

    doc_id: str
    title: str
    language: str | None = None
    jurisdiction: str | None = None
    kind: str | None = None
    date: str | None = None
    source: str = ""
    completeness: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class SourceText:
    """The text a reader extracted from one file, with where each PDF page begins.

    ``page_starts[i]`` is the character offset in ``text`` at which page ``i + 1`` begins;
    it is empty for formats without pages.
    """

    meta: DocumentMeta
    text: str
    page_starts: list[int] = field(default_factory=list)
    # What the reader did, for the ingest summary: {"format": "pdf", "ocr_pages": [3, 4],
    # "legacy_font": "AcadNusx", "legacy_letters": 1234, ...}.
    notes: dict[str, Any] = field(default_factory=dict)
    # Text recognized from page images: (start, end, mean Tesseract confidence 0-100) spans.
    ocr_spans: list[tuple[int, int, float]] = field(default_factory=list)

    def ocr_confidence(self, start: int, end: int) -> float | None:
        """Mean OCR confidence of the spans overlapping ``start..end``; None when none was OCR'd."""
        found = [(min(end, b) - max(start, a), conf) for a, b, conf in self.ocr_spans if a < end and start < b]
        weight = sum(w for w, _ in found)
        return sum(w * conf for w, conf in found) / weight if weight else None

    def page_at(self, offset: int) -> int | None:
        """1-based page holding character ``offset``, or None for page-less formats."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))


@dataclass(frozen=True, slots=True)
class Provision:
    """One citable unit of a document, located by character offsets in its ``SourceText``.

    ``article`` is the label as printed ("67", "22 Bis", "330-A", "207", "23.1"); it is unique
    within a document, so transitional articles and reform decrees carry labels of their own.
    For rulings it numbers the paragraph or section; for an index of ruling titles it is the
    registry number.
    """

    article: str
    unit: Unit
    heading_path: tuple[str, ...]
    text: str
    start: int
    end: int
    ordinal: int
    page: int | None = None
    page_end: int | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """The unit stored and retrieved: a provision, or one overlapping piece of a long one."""

    passage_id: str
    doc: DocumentMeta
    article: str
    unit: str
    heading_path: tuple[str, ...]
    text: str
    start: int
    end: int
    ordinal: int
    chunk: int = 0
    chunks: int = 1
    page: int | None = None
    page_end: int | None = None
    embedding: list[float] | None = None
    ocr_confidence: float | None = None  # set when the text was recognized from a scan (mean confidence 0-100)

    @staticmethod
    def make_id(doc_id: str, ordinal: int, chunk: int) -> str:
        return f"{doc_id}#{ordinal:05d}.{chunk:02d}"

    def to_haystack(self) -> Document:
        """Flatten into a Haystack Document: text as content, everything else as meta."""
        meta: dict[str, Any] = {
            "doc_id": self.doc.doc_id,
            "title": self.doc.title,
            "language": self.doc.language,
            "jurisdiction": self.doc.jurisdiction,
            "kind": self.doc.kind,
            "date": self.doc.date,
            "source": self.doc.source,
            "article": self.article,
            "unit": self.unit,
            "heading_path": list(self.heading_path),
            "start": self.start,
            "end": self.end,
            "ordinal": self.ordinal,
            "chunk": self.chunk,
            "chunks": self.chunks,
            "page": self.page,
            "page_end": self.page_end,
        }
        if self.ocr_confidence is not None:  # only on OCR'd passages: other passages' metadata is unchanged
            meta["ocr"] = True
            meta["ocr_confidence"] = self.ocr_confidence
        return Document(id=self.passage_id, content=self.text, meta=meta, embedding=self.embedding)

    @classmethod
    def from_haystack(cls, document: Document) -> Passage:
        m = document.meta
        doc = DocumentMeta(
            doc_id=m["doc_id"],
            title=m.get("title") or m["doc_id"],
            language=m.get("language"),
            jurisdiction=m.get("jurisdiction"),
            kind=m.get("kind"),
            date=m.get("date"),
            source=m.get("source") or "",
        )
        return cls(
            passage_id=document.id,
            doc=doc,
            article=m.get("article") or "",
            unit=m.get("unit") or "article",
            heading_path=tuple(m.get("heading_path") or ()),
            text=document.content or "",
            start=int(m.get("start") or 0),
            end=int(m.get("end") or 0),
            ordinal=int(m.get("ordinal") or 0),
            chunk=int(m.get("chunk") or 0),
            chunks=int(m.get("chunks") or 1),
            page=m.get("page"),
            page_end=m.get("page_end"),
            embedding=document.embedding,
            ocr_confidence=m.get("ocr_confidence"),
        )


CitationKind = Literal["provision", "instrument", "ruling"]


@dataclass(frozen=True, slots=True)
class Citation:
    """A reference a passage makes to a provision, an instrument or a ruling.

    ``start``/``end`` locate ``text`` in the citing passage's content. ``target_doc`` and
    ``target_article`` say what it resolves to in the corpus (``target_article`` uses the
    same labels as provisions: "47", "22 Bis", "207", "23.1"); an unresolved citation keeps
    its text, and ``instrument`` names the instrument when one was named ("Constitución
    Política de los Estados Unidos Mexicanos"). ``detail`` is the part below the article
    ("fracción III", "(a)(1)", "პუნქტი 2"). Kept small and flat: it travels as passage meta.
    """

    text: str
    start: int
    end: int
    kind: CitationKind = "provision"
    target_doc: str | None = None
    target_article: str | None = None
    instrument: str | None = None
    detail: str | None = None

    @property
    def key(self) -> str | None:
        """``"DOC:ARTICLE"`` for a citation resolved to a provision (what ``cites`` filters on)."""
        if self.target_doc and self.target_article:
            return citation_key(self.target_doc, self.target_article)
        return None

    @property
    def resolved(self) -> bool:
        """Resolved to a document of the corpus, and to its article when one was cited."""
        return self.target_doc is not None and (self.kind != "provision" or self.target_article is not None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        names = cls.__dataclass_fields__  # type: ignore[attr-defined]
        return cls(**{k: v for k, v in data.items() if k in names})


def citation_key(doc_id: str, article: str) -> str:
    """The one spelling of a cited provision: document id, colon, article label."""
    return f"{doc_id}:{article}"


def parse_citation_key(value: str) -> tuple[str, str] | None:
    """``"mx-lft-es:22 Bis"`` → ``("mx-lft-es", "22 Bis")``; None when it is not DOC:ARTICLE.

    Document ids never hold a colon, so the first one separates the two parts.
    """
    doc_id, sep, article = value.partition(":")
    if not sep or not doc_id.strip() or not article.strip():
        return None
    return doc_id.strip(), article.strip()


@dataclass(frozen=True, slots=True)
class IngestFailure:
    """A file that could not be ingested, and why, in words a user can act on."""

    path: str
    reason: str
    doc_id: str | None = None


class IngestError(Exception):
    """A file cannot be read or structured; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

"""Response models of the HTTP API: they document the contract in OpenAPI and are checked
by schemathesis against what the service actually returns."""

from __future__ import annotations

from pydantic import BaseModel, Field

from search_api.search import SearchHit


# A search result is the search layer's own dataclass; FastAPI documents and serializes it.
Hit = SearchHit


class SearchResponse(BaseModel):
    query: str
    mode: str
    total: int
    results: list[Hit]
    facets: dict[str, dict[str, int]]


class ProvisionSummary(BaseModel):
    article: str
    unit: str
    label: str
    heading_path: list[str]
    page: int | None
    citation: str


class _DocumentFields(BaseModel):
    doc_id: str
    title: str
    language: str | None = None
    jurisdiction: str | None = None
    kind: str | None = None
    date: str | None = None
    source: str | None = None
    completeness: str | None = None
    passages: int


class DocumentInfo(_DocumentFields):
    provisions: int


class DocumentList(BaseModel):
    documents: list[DocumentInfo]


class DocumentDetail(_DocumentFields):
    provision_count: int
    provisions: list[ProvisionSummary] = Field(description="in reading order")


class ProvisionText(BaseModel):
    doc_id: str
    title: str
    jurisdiction: str | None
    language: str | None
    kind: str | None
    date: str | None
    article: str
    unit: str
    heading_path: list[str]
    citation: str
    label: str
    text: str
    page: int | None
    page_end: int | None


class ProvisionResponse(BaseModel):
    provision: ProvisionText
    previous: ProvisionSummary | None
    next: ProvisionSummary | None


class SimilarSource(BaseModel):
    doc_id: str
    article: str
    citation: str


class SimilarResponse(BaseModel):
    source: SimilarSource
    results: list[Hit]


class CitedProvision(BaseModel):
    doc_id: str
    article: str
    citation: str


class CitingProvision(ProvisionSummary):
    passage_id: str
    texts: list[str] = Field(description="the citing words, as printed, once per mention")
    detail: str | None = Field(None, description='the part cited: "fracción III", "(a)(1)", "მე-2 პუნქტით"')


class CitingDocument(BaseModel):
    doc_id: str
    title: str
    kind: str | None
    jurisdiction: str | None
    language: str | None
    citations: list[CitingProvision] = Field(description="citing provisions, in reading order")


class CitedByResponse(BaseModel):
    provision: CitedProvision
    total: int = Field(description="citing provisions")
    groups: list[CitingDocument] = Field(description="rulings first, then other documents; by document id")


class OutgoingCitation(BaseModel):
    text: str
    kind: str = Field(description="provision, instrument or ruling")
    detail: str | None
    instrument: str | None = Field(description="the instrument named, when it was named")
    target_doc: str | None
    target_article: str | None
    resolved: bool = Field(description="the target is a document (and article) of the corpus")
    linked: bool = Field(description="the target is in the index and can be opened")
    internal: bool = Field(description="a part of the citing provision itself")
    target_citation: str | None
    passage_id: str
    start: int = Field(description="[start, end) of text in the passage")
    end: int


class CitesResponse(BaseModel):
    provision: CitedProvision
    citations: list[OutgoingCitation]


class CompareColumn(BaseModel):
    jurisdiction: str
    results: list[Hit]


class CompareResponse(BaseModel):
    query: str
    columns: list[CompareColumn]


class Health(BaseModel):
    status: str
    backend: str
    model: str
    documents: int
    passages: int


class GroupCounts(BaseModel):
    documents: int
    passages: int
    provisions: int


class Stats(BaseModel):
    documents: int
    passages: int
    provisions: int
    by_jurisdiction: dict[str, GroupCounts]
    by_language: dict[str, GroupCounts]
    by_kind: dict[str, GroupCounts]


class Ingested(BaseModel):
    doc_id: str
    provisions: int
    passages: int

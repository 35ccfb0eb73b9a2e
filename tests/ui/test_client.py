"""The HTTP client against the real API: answers as documented, errors as sentences."""

from __future__ import annotations

import pytest

from ui.client import ApiError, ApiUnreachable, LaborlexClient, NotFound, SearchQuery


@pytest.fixture(scope="module")
def client(api_url: str) -> LaborlexClient:
    return LaborlexClient(api_url)


def test_search_query_sends_only_what_is_set() -> None:
    query = SearchQuery(q="horas", jurisdiction=("MX", "HN"), date_to=" 2020 ", limit=5)
    assert query.params() == {"q": "horas", "mode": "hybrid", "limit": 5, "offset": 0, "jurisdiction": "MX,HN", "date_to": "2020"}
    assert hash(query) == hash(SearchQuery(q="horas", jurisdiction=("MX", "HN"), date_to=" 2020 ", limit=5))


def test_search_and_filters(client: LaborlexClient) -> None:
    answer = client.search(SearchQuery(q="child labour", language=("ka",), limit=3))
    assert len(answer["results"]) == 3
    assert {hit["language"] for hit in answer["results"]} == {"ka"}
    assert set(answer["facets"]["language"]) == {"es", "ka", "en"}  # facets ignore the filter


def test_provision_with_an_article_that_needs_escaping(client: LaborlexClient) -> None:
    document = client.document("ilo-c182-en")
    article = next(p["article"] for p in document["provisions"] if " " in p["article"])  # "3 [2]"
    answer = client.provision("ilo-c182-en", article)
    assert answer["provision"]["article"] == article
    similar = client.similar("ilo-c182-en", article, language=("es",), limit=2)
    assert similar["source"]["article"] == article
    assert {hit["language"] for hit in similar["results"]} == {"es"}


def test_refusals_name_the_field(client: LaborlexClient) -> None:
    with pytest.raises(ApiError) as refused:
        client.search(SearchQuery(q="x", date_from="yesterday"))
    assert (refused.value.status, refused.value.field) == (422, "date_from")
    assert "YYYY" in refused.value.message
    with pytest.raises(ApiError) as too_many:  # FastAPI's own validation shape
        client.search(SearchQuery(q="x", limit=1000))
    assert (too_many.value.status, too_many.value.field) == (422, "limit")


def test_unknown_provision_is_not_found(client: LaborlexClient) -> None:
    with pytest.raises(NotFound) as missing:
        client.provision("ilo-c182-en", "999")
    assert missing.value.field == "article"
    with pytest.raises(NotFound):
        client.document("no-such-document")


def test_nothing_listening_is_unreachable(closed_url: str) -> None:
    with pytest.raises(ApiUnreachable) as down:
        LaborlexClient(closed_url).health()
    assert closed_url in str(down.value)


def test_compare_keeps_the_order_asked(client: LaborlexClient) -> None:
    answer = client.compare("salario", ("US", "MX", "GE"), limit=2)
    assert [c["jurisdiction"] for c in answer["columns"]] == ["US", "MX", "GE"]
    assert all(len(c["results"]) <= 2 for c in answer["columns"])

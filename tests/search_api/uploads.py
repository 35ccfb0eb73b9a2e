"""Uploading a text document to a served API as an authorised user would (POST /documents)."""

from __future__ import annotations

import httpx


def post_text_upload(
    url: str, token: str, doc_id: str, filename: str, text: str, title: str = "Upload", jurisdiction: str | None = "US"
) -> httpx.Response:
    """POST ``text`` as ``filename`` under ``doc_id`` (English); the upload's own response."""
    data = {"id": doc_id, "title": title, "language": "en"}
    if jurisdiction is not None:
        data["jurisdiction"] = jurisdiction
    return httpx.post(
        f"{url}/documents",
        headers={"Authorization": f"Bearer {token}"},
        data=data,
        files={"file": (filename, text, "text/plain")},
        timeout=300,
    )

"""One line that says what reading a file took: its format, pages OCR'd, a legacy font converted."""

from __future__ import annotations

from typing import Any

_FORMAT_NAMES = {"pdf": "PDF", "docx": "Word", "html": "HTML", "text": "text", "json": "ruling-title JSON"}


def describe(notes: dict[str, Any]) -> str:
    """E.g. 'PDF, 12 pages, 3 OCR'd (spa, mean confidence 91.2); AcadNusx converted (1,234 letters)'."""
    if not notes:
        return ""
    parts = [_FORMAT_NAMES.get(str(notes.get("format")), str(notes.get("format") or "?"))]
    if notes.get("pages"):
        parts[0] += f", {notes['pages']} pages"
    if notes.get("ocr_pages"):
        pages = notes["ocr_pages"]
        parts[0] += f", {len(pages)} OCR'd ({notes.get('ocr_language')}, mean confidence {notes.get('ocr_confidence')})"
    if notes.get("pages_without_text"):
        parts[0] += f", {len(notes['pages_without_text'])} scanned page(s) skipped (no Tesseract)"
    if notes.get("legacy_letters"):
        parts.append(f"legacy Georgian font {notes['legacy_font']} converted ({notes['legacy_letters']:,} letters)")
    return "; ".join(parts)

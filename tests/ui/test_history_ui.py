"""History badges and the provision timeline as HTML, in the interface's three languages."""

from __future__ import annotations

import pytest

from ui.history import history_caption, status_badges, timeline
from ui.i18n import Labels

HISTORY = {
    "provision": {"doc_id": "mx-lft-es", "article": "15-A", "citation": "Ley Federal del Trabajo, art. 15-A (MX)"},
    "source": "notes", "added_on": "2012-11-30", "amended_on": "2021-04-23", "repealed": True, "repealed_on": "2021-04-23",
    "events": [
        {"date": "2012-11-30", "gazette": "DOF", "action": "added", "part": "article",
         "note": "Artículo adicionado DOF 30-11-2012. Derogado DOF 23-04-2021"},
        {"date": "2021-04-23", "gazette": "DOF", "action": "repealed", "part": "article",
         "note": "Artículo adicionado DOF 30-11-2012. Derogado DOF 23-04-2021"},
    ],
}


@pytest.mark.parametrize(("language", "repealed", "changed"), [
    ("en", "repealed 2021-04-23", "text is the current one; amended on 2021-04-23"),
    ("es", "derogado 2021-04-23", "texto vigente hoy; reformado el 2021-04-23"),
    ("ka", "გაუქმებულია 2021-04-23", "ნაჩვენებია მიმდინარე ტექსტი; შეიცვალა 2021-04-23"),
])
def test_a_repealed_result_never_reads_as_law_in_force(language: str, repealed: str, changed: str) -> None:
    hit = {"repealed": True, "repealed_on": "2021-04-23", "last_amended": "2021-04-23", "changed_after_as_of": ["2021-04-23"]}
    html = status_badges(hit, Labels(language))
    assert repealed in html and changed in html and "ll-repealed" in html
    assert "amended 2021" not in html  # the "last amended" badge gives way to the stronger ones


def test_badges_of_an_amended_and_of_an_original_provision() -> None:
    labels = Labels("en")
    assert "amended 2019-05-01" in status_badges({"last_amended": "2019-05-01", "repealed": False}, labels)
    assert status_badges({"last_amended": None, "repealed": False, "changed_after_as_of": []}, labels) == ""


def test_timeline_lists_events_oldest_first_escaped() -> None:
    html = timeline({**HISTORY, "events": [*HISTORY["events"], {**HISTORY["events"][0], "note": "<script>x</script>"}]}, Labels("es"))
    assert html.index("2012-11-30") < html.index("2021-04-23")
    assert "Artículo: adicionado" in html and "Artículo: derogado" in html and "ll-t-repealed" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert history_caption(HISTORY, Labels("en")) == "Repealed on 2021-04-23: this is not law in force."
    assert history_caption({"events": [], "added_on": None}, Labels("en")) == ""

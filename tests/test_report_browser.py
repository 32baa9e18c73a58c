"""The report as a browser draws it, with no network: it fits a phone, it is a fraction of the
length it was, it opens on the priorities in their ranked order, a folded picture draws when
opened and a link to an element opens it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.browser import find_chromium, layout, probe, screenshot
from kg.model import open_model
from kg.report import Report, build_report, write_report

ROOT = Path(__file__).resolve().parent.parent
TELCO = ROOT / "data" / "telco"

pytestmark = pytest.mark.skipif(
    find_chromium() is None and os.environ.get("CI") != "true",
    reason="headless Chromium is not installed",
)

# The report before it opened on the priorities, folded its details and grouped its findings
# was 58,000 px long at 1400 px; it must now fit in well under a third of that.
_OLD_LENGTH = 58_000


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    report = build_report(open_model(TELCO), paths=[TELCO])
    folder = tmp_path_factory.mktemp("report")
    return report, write_report(report, folder)["html"]


def test_fits_a_phone_and_is_short(written: tuple[Report, Path], tmp_path: Path) -> None:
    _, page = written
    phone = layout(page, width=390)
    assert phone["viewport"] == 390
    assert phone["scrollWidth"] <= 390, phone["overflowing"]
    desk = layout(page, width=1400)
    assert desk["scrollWidth"] <= 1400, desk["overflowing"]
    assert desk["height"] < _OLD_LENGTH / 4
    for width in (1400, 390):
        png = screenshot(page, tmp_path / f"report-{width}.png", width=width, height=1600)
        assert png.stat().st_size > 10_000


def test_opens_on_the_ranked_priorities_and_draws_folded_parts_on_demand(
    written: tuple[Report, Path],
) -> None:
    report, page = written
    element = next(iter(report.element_facts))
    from kg.report import _anchor

    anchor = _anchor("e", element)
    found = probe(
        page,
        f"""
        var first = document.querySelector("main > section");
        return {{
          first: first.id,
          actions: Array.from(document.querySelectorAll("ol.priorities .p-action"))
            .map(function (e) {{ return e.textContent; }}),
          drawn: document.body.dataset.visDrawn || null,
          pictures: document.querySelectorAll(".kg-picture").length,
          opened: document.getElementById({json.dumps(anchor)}).open
        }};
        """,
        before=f"""
        document.querySelector("details.pictures").open = true;
        location.hash = {json.dumps("#" + anchor)};
        """,
        delay_ms=3000,
        wait_ms=20_000,
    )
    assert found["first"] == "priorities"
    assert found["actions"] == [p.action for p in report.priorities[:6]]
    # the pictures of the opened section, and only those, were drawn
    assert found["drawn"] == "true"
    assert 1 <= found["pictures"] < sum(len(p) for p in report.pictures.values())
    assert found["opened"] is True

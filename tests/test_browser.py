"""Pictures drawn by a real browser: headless Chromium with no network at all.

Chromium comes from the system's packages (``.ci/run`` installs it). Where it is missing these
tests are skipped, except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from kg.browser import drawn_nodes, find_chromium, screenshot
from kg.cli import main
from kg.model import open_model
from kg.pictures import journey_picture, model_picture

ROOT = Path(__file__).resolve().parent.parent
TELCO = ROOT / "data" / "telco"
JOURNEY = "https://example.org/alpina/jrn-family-fibre"

if find_chromium() is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs headless Chromium: .ci/run installs the chromium package")
    pytest.skip(
        "headless Chromium is not installed (apt-get install chromium)", allow_module_level=True
    )


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the raw (filtered) scanlines of an 8-bit PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, width, height = 8, b"", 0, 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    return width, height, zlib.decompress(idat)


def test_journey_page_draws_every_node_offline(tmp_path: Path) -> None:
    with open_model(TELCO) as model:
        picture = journey_picture(model, JOURNEY)
    picture.save(tmp_path / "journey.html")
    assert drawn_nodes(tmp_path / "journey.html") == len(picture.nodes)


def test_model_page_draws_offline(tmp_path: Path) -> None:
    with open_model(TELCO) as model:
        picture = model_picture(model, types=["CustomerSegment", "ValueProposition", "Channel"])
    picture.save(tmp_path / "model.html")
    assert drawn_nodes(tmp_path / "model.html") == len(picture.nodes)


def test_screenshot_is_a_png_that_is_not_blank(tmp_path: Path) -> None:
    with open_model(TELCO) as model:
        journey_picture(model, JOURNEY).save(tmp_path / "journey.html")
    png = screenshot(tmp_path / "journey.html", tmp_path / "journey.png", width=800, height=600)
    width, height, raw = png_pixels(png)
    assert (width, height) == (800, 600)
    # A blank page filters to rows of zeros; a drawing leaves many non-zero bytes.
    assert sum(1 for byte in raw if byte) > len(raw) // 50


def test_kg_picture_writes_page_and_screenshot(tmp_path: Path) -> None:
    page, png = tmp_path / "q7.html", tmp_path / "q7.png"
    assert (
        main(["picture", "question", "--question", "7", "--out", str(page), "--png", str(png)]) == 0
    )
    assert drawn_nodes(page) is not None
    assert png_pixels(png)[:2] == (1400, 900)

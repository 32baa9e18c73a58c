"""Open a page in headless Chromium with networking disabled: read back what it drew, or take a
screenshot.

Chromium is not a Python package: install it from the system's packages (Debian: ``apt-get
install chromium``). Every run uses a fresh profile and refuses all network access (a proxy that
does not exist and a host resolver that resolves nothing), so a page that needs the network fails
to draw instead of quietly fetching.

>>> find_chromium() is None or find_chromium().name.startswith("chromium")
True
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kg.errors import KGError

__all__ = [
    "BrowserError",
    "drawn_nodes",
    "dump_dom",
    "find_chromium",
    "layout",
    "probe",
    "screenshot",
]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


class BrowserError(KGError):
    """Headless Chromium is missing or could not render the page."""


def find_chromium() -> Path | None:
    """The Chromium executable on ``PATH``, or ``None``."""
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def _run(page: Path, extra: list[str], *, timeout: float) -> str:
    chromium = find_chromium()
    if chromium is None:
        raise BrowserError("headless Chromium is not installed (Debian: apt-get install chromium)")
    if not page.is_file():
        raise BrowserError(f"{page}: no such page")
    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        argv = [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            # no network at all: every request goes to a proxy that is not there, and no name
            # resolves
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            *extra,
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise BrowserError(
                f"Chromium did not finish rendering {page} in {timeout:g} s"
            ) from error
    if done.returncode != 0:
        raise BrowserError(f"Chromium failed on {page}: {done.stderr.strip()[-500:]}")
    return done.stdout


def dump_dom(page: Path, *, wait_ms: int = 15_000, timeout: float = 120) -> str:
    """The page's DOM after its scripts ran for up to ``wait_ms`` of virtual time."""
    return _run(page, ["--dump-dom", f"--virtual-time-budget={wait_ms}"], timeout=timeout)


# Headless Chromium draws no window narrower than this: a narrower page is drawn in a frame of
# its width inside a window of this width (media queries then see the frame's width).
_MIN_WINDOW = 500

# Appended to a copy of the page by probe(): once the page has loaded it runs BEFORE, waits, then
# writes what MEASURE returns, as JSON, into the DOM of the top window, where --dump-dom reads it.
_PROBE = """<script>
window.addEventListener("load", function () {
  (function () { %(before)s })();
  setTimeout(function () {
    var found = (function () { %(measure)s })();
    var top = window.top.document, out = top.createElement("pre");
    out.id = "kg-probe";
    out.textContent = JSON.stringify(found);
    top.body.appendChild(out);
  }, %(delay)d);
});
</script>"""

_LAYOUT = """
    var root = document.documentElement, limit = root.clientWidth + 1, wide = [];
    document.querySelectorAll("body *").forEach(function (e) {
      var box = e.getBoundingClientRect();
      if (box.width > 0 && box.right > limit && wide.length < 20) {
        var name = e.tagName.toLowerCase();
        if (e.id) { name += "#" + e.id; }
        if (typeof e.className === "string" && e.className) {
          name += "." + e.className.trim().split(/\\s+/).join(".");
        }
        wide.push(name);
      }
    });
    return {viewport: window.innerWidth, scrollWidth: root.scrollWidth,
            height: root.scrollHeight, overflowing: wide};
"""

_FRAME = """<!DOCTYPE html><html><body style="margin:0;background:#888">
<iframe src="{src}"
 style="border:0;display:block;background:#fff;width:{width}px;height:{height}px"></iframe>
</body></html>"""


@contextmanager
def _drawn_at(page: Path, width: int, height: int, *, probe: str = "") -> Iterator[Path]:
    """The file to open so that ``page`` is drawn ``width`` pixels wide: itself, or a copy with
    the ``probe`` script, or a frame of that width around either. Copies sit beside the page, so
    that what the page links to relatively still loads; they are removed afterwards."""
    made: list[Path] = []
    try:
        if probe:
            text = page.read_text(encoding="utf-8")
            cut = text.lower().rfind("</body>")
            text = text[:cut] + probe + text[cut:] if cut >= 0 else text + probe
            page = page.with_name(f".kg-probe-{page.stem}-{width}.html")
            page.write_text(text, encoding="utf-8")
            made.append(page)
        if width < _MIN_WINDOW:
            frame = page.with_name(f".kg-frame-{page.stem}-{width}.html")
            frame.write_text(
                _FRAME.format(src=quote(page.name), width=width, height=height), encoding="utf-8"
            )
            made.append(frame)
            page = frame
        yield page
    finally:
        for path in made:
            path.unlink(missing_ok=True)


def probe(
    page: Path,
    measure: str,
    *,
    before: str = "",
    width: int = 1400,
    height: int = 900,
    delay_ms: int = 500,
    wait_ms: int = 5_000,
) -> Any:
    """Run JavaScript in a page drawn ``width`` pixels wide, with no network, and return what it
    found.

    Once the page has loaded, the function body ``before`` runs (to open a section, say); after
    ``delay_ms`` of the page's time, the function body ``measure`` runs and what it returns comes
    back through JSON.
    """
    script = _PROBE % {"before": before, "measure": measure, "delay": delay_ms}
    with _drawn_at(page, width, height, probe=script) as drawn:
        dom = _run(
            drawn,
            [
                "--allow-file-access-from-files",
                f"--window-size={max(width, _MIN_WINDOW)},{height}",
                f"--virtual-time-budget={wait_ms}",
                "--dump-dom",
            ],
            timeout=120,
        )
    found = re.search(r'<pre id="kg-probe">(.*?)</pre>', dom, re.S)
    if found is None:
        raise BrowserError(f"Chromium drew {page} but the probe did not run")
    return json.loads(html.unescape(found.group(1)))


def layout(
    page: Path, *, width: int = 390, height: int = 900, wait_ms: int = 5_000
) -> dict[str, Any]:
    """Measure a page as drawn ``width`` pixels wide: what overflows to the right, and its height.

    Returns a mapping with ``viewport`` (the width the page was drawn at), ``scrollWidth`` and
    ``height`` of the document, and ``overflowing``: up to 20 elements (``tag#id.class``) whose
    right edge passes the viewport. A page that fits has ``scrollWidth <= viewport`` (elements
    inside a box that scrolls sideways count as overflowing but do not widen the page).
    """
    return dict(probe(page, _LAYOUT, width=width, height=height, wait_ms=wait_ms))


def drawn_nodes(page: Path, *, wait_ms: int = 15_000) -> int | None:
    """How many nodes a picture page reports it drew (its ``data-vis-nodes`` marker), if any."""
    match = re.search(r'data-vis-nodes="(\d+)"', dump_dom(page, wait_ms=wait_ms))
    return int(match.group(1)) if match else None


def screenshot(
    page: Path, png: Path, *, width: int = 1400, height: int = 900, wait_ms: int = 15_000
) -> Path:
    """Save a PNG of the page as headless Chromium draws it ``width`` pixels wide, with no network.

    A page narrower than Chromium's narrowest window (500 px) is drawn in a frame of its width
    on a grey ground: the PNG is 500 px wide, the page the left ``width`` pixels of it.
    """
    png = png.resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    with _drawn_at(page, width, height) as drawn:
        _run(
            drawn,
            [
                "--allow-file-access-from-files",
                f"--screenshot={png}",
                f"--window-size={max(width, _MIN_WINDOW)},{height}",
                "--hide-scrollbars",
                f"--virtual-time-budget={wait_ms}",
            ],
            timeout=120,
        )
    if not png.is_file():
        raise BrowserError(f"Chromium wrote no screenshot of {page}")
    return png

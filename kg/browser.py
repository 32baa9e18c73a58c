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

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from kg.errors import KGError

__all__ = ["BrowserError", "drawn_nodes", "dump_dom", "find_chromium", "screenshot"]

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


def drawn_nodes(page: Path, *, wait_ms: int = 15_000) -> int | None:
    """How many nodes a picture page reports it drew (its ``data-vis-nodes`` marker), if any."""
    match = re.search(r'data-vis-nodes="(\d+)"', dump_dom(page, wait_ms=wait_ms))
    return int(match.group(1)) if match else None


def screenshot(
    page: Path, png: Path, *, width: int = 1400, height: int = 900, wait_ms: int = 15_000
) -> Path:
    """Save a PNG of the page as headless Chromium draws it, with no network."""
    png = png.resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(
        page,
        [
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            "--hide-scrollbars",
            f"--virtual-time-budget={wait_ms}",
        ],
        timeout=120,
    )
    if not png.is_file():
        raise BrowserError(f"Chromium wrote no screenshot of {page}")
    return png

"""What every view shares: the :class:`View` it returns, the Jinja2 environment that renders it,
the stylesheet, and the badges that mark the things findings name.

A view is a fragment of HTML and CSS (``View.body``, one ``<section class="kgv ...">``) that
reads on its own in a notebook (``_repr_html_``), inside the report, or as a page of its own
(``View.page()``): no script, no network, printable from the browser.

>>> view = View("canvas", "Business Model Canvas", '<section class="kgv">x</section>')
>>> "<style>" in view.page() and view.body in view.page()
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from kg.answers import Finding, Level, percent

__all__ = ["Badge", "Href", "View", "badges", "item_context", "money", "render", "stylesheet"]

Href = Callable[[str], str | None]
"""Where a thing's name links to, given its IRI (``None``: no link)."""

_LEVELS = (Level.HIGH, Level.MEDIUM, Level.LOW)


@dataclass(frozen=True)
class View:
    """One view: its kind (``canvas``...), its title, and its HTML body."""

    kind: str
    title: str
    body: str
    notes: tuple[str, ...] = field(default=())
    """What the view could not show (no journey in the model...), also said in the body."""

    def page(self, *, title: str | None = None) -> str:
        """The view as a page of its own, its stylesheet inline."""
        return render("page.html", title=title or self.title, css=stylesheet(), body=self.body)

    def save(self, path: str | Path) -> Path:
        """Write :meth:`page` to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.page(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return f"<style>{stylesheet()}</style>{self.body}"


@dataclass(frozen=True)
class Badge:
    """The findings that name one thing: how many, the worst severity, and their messages."""

    findings: tuple[Finding, ...]

    @property
    def severity(self) -> Level:
        return min(self.findings, key=lambda f: _LEVELS.index(f.severity)).severity

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def text(self) -> str:
        """The badge's tooltip: each finding's message on a line."""
        return "\n".join(f.message for f in self.findings)


def badges(findings: Iterable[Finding]) -> dict[str, Badge]:
    """The badge of each thing the findings name, by IRI.

    >>> from kg.answers import Subject
    >>> f = Finding("k", Level.LOW, (Subject("urn:a", "A"),), "A is late.")
    >>> badges([f])["urn:a"].count
    1
    """
    named: dict[str, list[Finding]] = {}
    for finding in findings:
        for subject in finding.subjects:
            named.setdefault(subject.iri, []).append(finding)
    return {iri: Badge(tuple(found)) for iri, found in named.items()}


def money(amount: float | Decimal | int | None, currency: str | None = None) -> str:
    """An amount for people: millions as ``12.3m``, thousands as ``450k``, with the currency.

    >>> money(2_857_257_848, "CHF"), money(45_500, "EUR"), money(None)
    ('CHF 2,857.3m', 'EUR 45.5k', '')
    """
    if amount is None:
        return ""
    value = float(amount)
    if abs(value) >= 1_000_000:
        text = f"{value / 1_000_000:,.1f}m"
    elif abs(value) >= 10_000:
        text = f"{value / 1_000:,.1f}k"
    else:
        text = f"{value:,.0f}"
    return f"{currency} {text}" if currency else text


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("kg.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = money
    environment.filters["percent"] = percent
    return environment


def render(template: str, **context: Any) -> str:
    """Render one of the views' templates (autoescaped, every name must be given)."""
    return _environment().get_template(template).render(**context)


@cache
def stylesheet() -> str:
    """The CSS of every view (``kgv-`` classes only, so it can sit inside any page): the shared
    ``views.css``, then each view's own sheet (``templates/*.css``) in name order."""
    folder = resources.files("kg.views").joinpath("templates")
    sheets = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".css"))
    sheets.remove("views.css")
    return "\n".join(folder.joinpath(name).read_text("utf-8") for name in ["views.css", *sheets])


def item_context(href: Href | None, marks: Mapping[str, Badge]) -> dict[str, Any]:
    """The names the ``item`` macro of ``_macros.html`` uses: ``href(iri)`` and ``badge(iri)``."""
    return {
        "href": (lambda iri: href(iri) if href is not None else None),
        "badge": marks.get,
    }

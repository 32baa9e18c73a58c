"""The report on a model of several enterprises: one report each, and a portfolio overview.

:func:`build_portfolio` validates the whole model once, then builds each enterprise's report
(:func:`kg.report.build_report` with its ``enterprise``), whose answers are those of the
enterprise alone (:mod:`kg.portfolio`). :func:`write_portfolio` writes the overview as
``index.html``, ``portfolio.md`` and ``portfolio.json``, and each enterprise's report into a
folder of its own named after it. The overview pages are Jinja2 templates
(``kg/templates/portfolio.html`` and ``portfolio.md``), self-contained like the reports.

>>> import kg
>>> both = kg.open_model(kg.example_path("telco"), kg.example_path("bank"))
>>> book = build_portfolio(both, pictures=False)
>>> [r.model.enterprise for r in book.reports]
['Alpina Telecom AG', 'Maple Harbour Bank']
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from kg import money, portfolio
from kg._version import __version__
from kg.answers import Level, Verdict
from kg.report import (
    ModelDescription,
    Progress,
    Report,
    _report_css,
    _validation_sentence,
    build_report,
    describe_model,
    write_report,
)
from kg.store import KnowledgeGraph
from kg.validation import ValidationReport, validate

if TYPE_CHECKING:
    from kg.questions import Parameters
    from kg.silos import SiloParameters

__all__ = ["Portfolio", "build_portfolio", "write_portfolio"]


@dataclass(frozen=True)
class Portfolio:
    """The reports on each enterprise of a model, with what the overview shows."""

    title: str
    model: ModelDescription
    validation: ValidationReport
    reports: tuple[Report, ...]
    currencies: tuple[str | None, ...]
    shared: tuple[str, ...] = ()
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def folders(self) -> list[str]:
        """The folder of each enterprise's report, unique, in the order of :attr:`reports`."""
        taken: set[str] = set()
        found = []
        for report in self.reports:
            base = portfolio.slug(
                report.model.enterprise or report.model.enterprise_iri or "enterprise"
            )
            name, n = base, 2
            while name in taken:
                name, n = f"{base}-{n}", n + 1
            taken.add(name)
            found.append(name)
        return found

    def context(self) -> dict[str, Any]:
        """What the templates show, as plain data."""
        rows = []
        for report, folder, currency in zip(
            self.reports, self.folders(), self.currencies, strict=True
        ):
            findings = [f for a in report.answers for f in a.findings]
            rows.append(
                {
                    "name": report.model.enterprise or report.model.enterprise_iri,
                    "iri": report.model.enterprise_iri,
                    "folder": folder,
                    "href": f"{folder}/report.html",
                    "as_of": report.model.as_of.isoformat() if report.model.as_of else None,
                    "currency": currency,
                    "findings": len(findings),
                    "severities": [
                        (lv.value, sum(f.severity is lv for f in findings)) for lv in Level
                    ],
                    "silos": len(report.silos.findings) if report.silos is not None else 0,
                    "verdicts": {
                        v.value: sum(a.verdict is v for a in report.answers) for v in Verdict
                    },
                }
            )
        questions = []
        for i, answer in enumerate(self.reports[0].answers if self.reports else ()):
            cells = []
            for report, folder in zip(self.reports, self.folders(), strict=True):
                mine = report.answers[i]
                cells.append(
                    {
                        "verdict": mine.verdict.value,
                        "findings": len(mine.findings),
                        "href": f"{folder}/report.html#q{mine.number}",
                    }
                )
            questions.append({"label": f"Q{answer.number} {answer.short_name}", "cells": cells})
        silo_cells = []
        for report, folder in zip(self.reports, self.folders(), strict=True):
            silo = report.silo_answer()
            if silo is not None:
                silo_cells.append(
                    {
                        "verdict": silo.verdict.value,
                        "findings": len(silo.findings),
                        "href": f"{folder}/report.html#silos",
                    }
                )
        if silo_cells and len(silo_cells) == len(self.reports):
            questions.append({"label": "Silos", "cells": silo_cells})
        return {
            "title": self.title,
            "version": __version__,
            "generated": self.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
            "model": self.model.to_dict(),
            "validation_sentence": _validation_sentence(self.validation),
            "caveats": list(dict.fromkeys(self.validation.caveats())),
            "enterprises": [r["iri"] for r in rows],
            "shared": list(self.shared),
            "rows": rows,
            "questions": questions,
        }

    def to_dict(self) -> dict[str, Any]:
        """The overview and every enterprise's report, as plain data."""
        context = self.context()
        return {
            "title": self.title,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "model": context["model"],
            "validation": self.validation.to_dict(),
            "shared": context["shared"],
            "enterprises": [
                {key: row[key] for key in ("name", "iri", "folder", "as_of", "currency")}
                | {
                    "findings": row["findings"],
                    "findings_by_severity": dict(row["severities"]),
                    "silo_findings": row["silos"],
                    "verdicts": row["verdicts"],
                }
                for row in context["rows"]
            ],
            "reports": [report.to_dict() for report in self.reports],
        }

    def to_html(self) -> str:
        """The overview page: one row per enterprise, the verdicts of each, links to each report."""
        return (
            _templates(True)
            .get_template("portfolio.html")
            .render(css=_report_css(), **self.context())
        )

    def to_markdown(self) -> str:
        """The overview as Markdown."""
        return _templates(False).get_template("portfolio.md").render(**self.context())


@cache
def _templates(html: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg", "templates"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def build_portfolio(
    model: KnowledgeGraph,
    *,
    paths: Iterable[str | Path] = (),
    params: Parameters | None = None,
    silo_params: SiloParameters | None = None,
    progress: Progress | None = None,
    title: str | None = None,
    pictures: bool = True,
    picture_max_nodes: int = 250,
) -> Portfolio:
    """Validate a model of several enterprises once, and report on each in turn.

    The parameters are those of :func:`kg.report.build_report`. A model of one enterprise
    gives a portfolio of one report.
    """
    say = progress or (lambda line: None)
    paths = list(paths)
    description = describe_model(model, paths=paths)
    say(f"Validating {description.triples:,} triples against the shapes")
    validation = validate(model)
    placed = portfolio.placement(model)
    found = portfolio.enterprises(model) or (None,)
    plans = {p.enterprise: p for p in money.plans(model, placed.of if placed.several else None)}
    reports = []
    for enterprise in found:
        if enterprise is not None:
            say(f"Reporting on {enterprise.name}")
        reports.append(
            build_report(
                model,
                paths=paths,
                params=params,
                silo_params=silo_params,
                progress=progress,
                pictures=pictures,
                picture_max_nodes=picture_max_nodes,
                enterprise=enterprise,
                validation=validation,
            )
        )
    currencies = tuple(
        plans[e.iri].reporting if e is not None and e.iri in plans else None for e in found
    )
    return Portfolio(
        title=title or f"Portfolio of {len(reports)} enterprises",
        model=description,
        validation=validation,
        reports=tuple(reports),
        currencies=currencies,
        shared=tuple(sorted(placed.shared)),
    )


def write_portfolio(book: Portfolio, out_dir: str | Path) -> dict[str, Path]:
    """Write ``index.html``, ``portfolio.md`` and ``portfolio.json``, and each enterprise's
    report into its folder (:meth:`Portfolio.folders`).

    Returns
    -------
    dict
        ``{"html": path, "json": path, "markdown": path}`` for the overview, and for each
        enterprise ``"<folder>/html"`` (and ``/json``, ``/markdown``) for its report.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, (file, text) in {
        "html": ("index.html", book.to_html()),
        "json": ("portfolio.json", json.dumps(book.to_dict(), indent=2, ensure_ascii=False) + "\n"),
        "markdown": ("portfolio.md", book.to_markdown()),
    }.items():
        (folder / file).write_text(text, encoding="utf-8")
        written[name] = folder / file
    for report, sub in zip(book.reports, book.folders(), strict=True):
        for kind, path in write_report(report, folder / sub).items():
            written[f"{sub}/{kind}"] = path
    return written

"""Models in and out of the knowledge graph: the formats architects keep them in.

One module per format, sharing one pipeline:

- :mod:`~kg.interchange.archimate`: the Open Group's ArchiMate Model Exchange File Format, read
  (2.1 and 3.x) into a neutral model and written (3.1, checked against the shipped XSD);
- :mod:`~kg.interchange.archicsv`: Archi's three CSV files, to and from the same neutral model;
- :mod:`~kg.interchange.bmml`: Business Model and Value Proposition Canvases in BMML (YAML);
- :mod:`~kg.interchange.workbook`: a workbook (``.xlsx``) to fill in, and its CSV twin.

The pipeline: :mod:`~kg.interchange.safexml` (XML from users, safely),
:mod:`~kg.interchange.mapping` (which class a foreign type becomes: data, overridable),
:mod:`~kg.interchange.keys` (what a format cannot say, carried as named properties),
:mod:`~kg.interchange.importer` (neutral model to graph, provenance, the needs-input report),
:mod:`~kg.interchange.exporter` (graph to neutral model), :mod:`~kg.interchange.merge` (into a
store by identity) and :mod:`~kg.interchange.formats` (one front for the CLI and the API).
"""

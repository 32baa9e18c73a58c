"""The ontology and the SHACL shapes, shipped with the package as ``bmkg_ontology``.

Read them through :mod:`kg.ontology`, which finds this folder with importlib.resources.
"""

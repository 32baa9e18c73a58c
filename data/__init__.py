"""The example enterprises, shipped with the package as ``bmkg_examples``.

Find them with :func:`kg.ontology.example_path`.
"""

"""Models in and out of the knowledge graph: the formats architects keep them in.

:mod:`kg.interchange.safexml` reads XML from users safely; :mod:`kg.interchange.archimate` reads
the Open Group's ArchiMate Model Exchange File Format (2.1 and 3.x) into a neutral model.
"""

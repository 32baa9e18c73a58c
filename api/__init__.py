"""The HTTP face of the knowledge graph: a FastAPI app, thin over :mod:`kg`.

``api.main.create_app`` builds the app; ``kg serve`` runs it with uvicorn.
"""

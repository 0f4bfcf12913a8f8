"""The HTTP channel: ``c360 serve`` runs ``create_app()`` (FastAPI) under uvicorn."""

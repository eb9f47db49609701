"""`ganad serve`: a saved model (detector + its preprocessing) as an HTTP scoring service.

FastAPI + uvicorn (optional extra `ganad[serve]`). See `ganad.serve.app.create_app`.
"""

from .app import ScoringModel, create_app

__all__ = ["ScoringModel", "create_app"]

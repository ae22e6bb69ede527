"""The HTTP API (FastAPI) that `tolk serve` runs: tokens and roles in `auth.py`, routes in `app.py`."""

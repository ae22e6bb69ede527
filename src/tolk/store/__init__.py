"""Persistence: SQLAlchemy models, Alembic migrations and the repository the pipeline writes through."""

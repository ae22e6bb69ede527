"""Alembic migrations. HEAD names the newest revision so that opening an up-to-date store needs no
Alembic import (a test keeps it equal to Alembic's own head)."""

HEAD = "0015_chat_preferences"

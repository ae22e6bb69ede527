"""web sessions: a log-in gets a session of its own, not the API token in a cookie

Revision ID: 0010_web_sessions
Revises: 0009_first_seen

`web_sessions`: the sha256 of a random session secret (the cookie holds the secret), the API token it
was opened with, and when it expires. Log-out deletes the row; revoking the token ends its sessions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_web_sessions"
down_revision = "0009_first_seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.Integer, nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")

"""chat preferences: the language each Slack user reads, for the bot's translations

Revision ID: 0015_chat_preferences
Revises: 0014_conversations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_chat_preferences"
down_revision = "0014_conversations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_preferences",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chat_preferences")

"""support conversations: a customer's and an agent's messages, translated both ways

Revision ID: 0014_conversations
Revises: 0013_webhooks

`conversations`: the agent's language, the customer's (as last detected), the profile and engine.
`conversation_turns`: each message as written and translated, the reply's back-translation, the gate's
status and score, and who released a held reply.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0014_conversations"
down_revision = "0013_webhooks"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agent_lang", sa.String(16), nullable=False),
        sa.Column("customer_lang", sa.String(16)),
        sa.Column("profile", sa.String(64)),
        sa.Column("engine", sa.String(64)),
        sa.Column("subject", sa.String(200)),
        sa.Column("opened_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_table(
        "conversation_turns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("sender", sa.String(16), nullable=False),
        sa.Column("text", LongText, nullable=False),
        sa.Column("source_lang", sa.String(16), nullable=False),
        sa.Column("translated", LongText, nullable=False),
        sa.Column("target_lang", sa.String(16), nullable=False),
        sa.Column("back_translation", LongText),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("failed", sa.JSON, nullable=False),
        sa.Column("released_by", sa.String(128)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_conversation_turns_conversation_id", "conversation_turns", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("conversation_turns")
    op.drop_table("conversations")

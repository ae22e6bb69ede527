"""Operator surface: translations' profile, activity counters, engine calls, translation history, catalog jobs

Revision ID: 0006_operator
Revises: 0005_tokens
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_operator"
down_revision = "0005_tokens"
branch_labels = None
depends_on = None

COUNTERS = (
    "items", "segments", "translated", "unchanged", "cache_hits", "memory_hits", "cache_misses",
    "failures", "rewritten", "approved", "needs_review", "edits", "approvals", "sent_back", "scored",
    "bleu_n",
)  # fmt: skip


def upgrade() -> None:
    op.add_column("translations", sa.Column("profile", sa.String(64)))
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in COUNTERS),
        sa.Column("score_sum", sa.Float, nullable=False, server_default="0"),
        sa.Column("bleu_sum", sa.Float, nullable=False, server_default="0"),
    )
    op.create_table(
        "engine_calls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("segments", sa.Integer, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("tokens_in", sa.Integer, nullable=False),
        sa.Column("tokens_out", sa.Integer, nullable=False),
        sa.Column("cost", sa.Float, nullable=False),
    )
    op.create_table(
        "translation_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.String(191), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("text", sa.Text().with_variant(sa.dialects.mysql.MEDIUMTEXT(), "mysql", "mariadb")),
        sa.Column("grade", sa.String(16)),
        sa.Column("score", sa.Float),
    )
    op.create_index("ix_history_key", "translation_history", ["item_id", "field", "lang"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
    )


def downgrade() -> None:
    for table in ("jobs", "translation_history", "engine_calls", "activity"):
        op.drop_table(table)
    op.drop_column("translations", "profile")

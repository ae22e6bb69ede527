"""translation memory units

Revision ID: 0002_memory
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002_memory"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "memory_units",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("src_lang", sa.String(16), nullable=False),
        sa.Column("tgt_lang", sa.String(16), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("source", LongText, nullable=False),
        sa.Column("target", LongText, nullable=False),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("src_lang", "tgt_lang", "source_hash", name="uq_memory_unit"),
    )


def downgrade() -> None:
    op.drop_table("memory_units")

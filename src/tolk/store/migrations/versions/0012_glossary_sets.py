"""glossary sets and characters: what the DeepL-compatible API needs to keep

Revision ID: 0012_glossary_sets
Revises: 0011_gate_signature

`glossary_sets`: named glossaries for one language pair (DeepL's glossaries: created, listed, read
and deleted as a whole, applied by id on top of the stored terms). `activity.characters`: the source
characters translated on request, which `/v2/usage` reports (rows written before count 0).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_glossary_sets"
down_revision = "0011_gate_signature"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "glossary_sets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("source_lang", sa.String(16), nullable=False),
        sa.Column("target_lang", sa.String(16), nullable=False),
        sa.Column("entries", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("activity") as batch:
        batch.add_column(sa.Column("characters", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("activity") as batch:
        batch.drop_column("characters")
    op.drop_table("glossary_sets")

"""initial: items, source fields, translations, cache, glossary, runs

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(191)
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", ID, primary_key=True),
        sa.Column("source_lang", sa.String(16), nullable=False),
        sa.Column("category", sa.String(255)),
        sa.Column("attrs", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "source_fields",
        sa.Column("item_id", ID, primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("text", LongText, nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "translations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("text", LongText, nullable=False),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32)),
        sa.Column("engine", sa.String(64)),
        sa.Column("model", sa.String(128)),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("cache_key", sa.String(64)),
        sa.Column("score", sa.Float),
        sa.Column("checks", sa.JSON, nullable=False),
        sa.Column("suggestion", LongText),
        sa.Column("suggestion_engine", sa.String(64)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("item_id", "field", "lang", name="uq_translation_target"),
    )
    op.create_index("ix_translations_lang_grade", "translations", ["lang", "grade"])
    op.create_table(
        "cache_entries",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("text", LongText, nullable=False),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "glossary_terms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(191), nullable=False),
        sa.Column("target_lang", sa.String(16), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("do_not_translate", sa.Boolean, nullable=False),
        sa.Column("case_sensitive", sa.Boolean, nullable=False),
        sa.Column("note", sa.String(1024), nullable=False),
        sa.UniqueConstraint("source", "target_lang", name="uq_glossary_term"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("stats", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("runs", "glossary_terms", "cache_entries", "translations", "source_fields", "items"):
        op.drop_table(table)

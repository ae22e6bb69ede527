"""Trust: who approved a translation, where a memory unit came from, texts a reviewer rejected

Revision ID: 0008_trust
Revises: 0007_audit

- `translations.approved_by`: a person's name, `judge:<engine>`, `reference`, `round-trip:<engine>`;
  `translations.fallback_for`: the engine a fallback stood in for (the next healthy run replaces it).
- Rows the gate graded APPROVED on rule checks alone (no reviewer's `approve` in their history) become
  MACHINE with status CHECKED: rules can say a text is broken, not that it is good.
- `memory_units.origin` becomes person | judge | tmx | machine, with `creator`, `item_id`, `field`.
  Old HUMAN units are a person's; old APPROVED units cannot be told apart from rule-approved machine
  text, so they are marked machine (kept, but no longer reused as exact matches or shown as examples).
- `rejected_texts`: what a reviewer sent back, per source text and language; never published again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_trust"
down_revision = "0007_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("translations", sa.Column("approved_by", sa.String(128)))
    op.add_column("translations", sa.Column("fallback_for", sa.String(64)))
    op.add_column("memory_units", sa.Column("creator", sa.String(128)))
    op.add_column("memory_units", sa.Column("item_id", sa.String(191)))
    op.add_column("memory_units", sa.Column("field", sa.String(64)))
    op.create_table(
        "rejected_texts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("src_lang", sa.String(16), nullable=False),
        sa.Column("tgt_lang", sa.String(16), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("src_lang", "tgt_lang", "source_hash", "text_hash", name="uq_rejected_text"),
    )
    approved_by_person = sa.text(
        "SELECT 1 FROM translation_history h WHERE h.item_id = translations.item_id "
        "AND h.field = translations.field AND h.lang = translations.lang AND h.action = 'approve'"
    )
    op.execute(
        sa.text(
            "UPDATE translations SET grade = 'MACHINE', status = 'CHECKED' "
            f"WHERE grade = 'APPROVED' AND NOT EXISTS ({approved_by_person})"
        )
    )
    op.execute(sa.text("UPDATE translations SET approved_by = 'person' WHERE grade = 'APPROVED'"))
    op.execute(sa.text("UPDATE memory_units SET origin = 'person' WHERE origin = 'HUMAN'"))
    op.execute(sa.text("UPDATE memory_units SET origin = 'machine' WHERE origin = 'APPROVED'"))


def downgrade() -> None:
    op.execute(sa.text("UPDATE memory_units SET origin = 'HUMAN' WHERE origin = 'person'"))
    op.execute(sa.text("UPDATE memory_units SET origin = 'APPROVED' WHERE origin IN ('machine', 'judge')"))
    op.drop_table("rejected_texts")
    for column in ("field", "item_id", "creator"):
        op.drop_column("memory_units", column)
    for column in ("fallback_for", "approved_by"):
        op.drop_column("translations", column)

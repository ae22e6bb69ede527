"""gate signature: each activity row names the gate its scores were measured with

Revision ID: 0011_gate_signature
Revises: 0010_web_sessions

`activity.gate`: the short form of the gate's signature (checks and versions, thresholds, profile,
assessors). The dashboard averages scores per signature, never across a change of configuration. Rows
written before carry NULL (an unknown gate, kept apart from the signed ones).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_gate_signature"
down_revision = "0010_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activity") as batch:
        batch.add_column(sa.Column("gate", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity") as batch:
        batch.drop_column("gate")

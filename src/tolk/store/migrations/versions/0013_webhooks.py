"""webhook deliveries: events POSTed to [[webhooks]] subscribers, retried until answered

Revision ID: 0013_webhooks
Revises: 0012_glossary_sets

`outbox.hooked_at`: when an event was handed to the subscribers (events already in the outbox count as
handed: subscribers configured later get what happens from then on, not the history).
`webhook_deliveries`: one row per event and subscriber, with its attempts, next try and last error.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0013_webhooks"
down_revision = "0012_glossary_sets"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("hooked_at", sa.DateTime))
        batch.create_index("ix_outbox_unhooked", ["hooked_at", "due_at"])
    outbox = sa.table("outbox", sa.column("hooked_at", sa.DateTime))
    op.execute(outbox.update().values(hooked_at=datetime.now(UTC).replace(tzinfo=None)))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscriber", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("body", LongText, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.DateTime, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime),
        sa.Column("last_error", sa.String(500)),
        sa.UniqueConstraint("subscriber", "event_id", name="uq_webhook_delivery"),
    )
    op.create_index("ix_webhook_due", "webhook_deliveries", ["state", "next_at"])


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_unhooked")
        batch.drop_column("hooked_at")

"""agent streams: when a consumer first saw an event (a parked event's wait counts from arrival)

Revision ID: 0009_first_seen
Revises: 0008_trust

`event_attempts.first_seen_at`: set when an event first waits for a dependency; `park_timeout_s` is
measured from it, not from the event's `occurred_at` (a backfill of two-day-old events must not be
given up on sight).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_first_seen"
down_revision = "0008_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_attempts") as batch:
        batch.add_column(sa.Column("first_seen_at", sa.DateTime))


def downgrade() -> None:
    with op.batch_alter_table("event_attempts") as batch:
        batch.drop_column("first_seen_at")

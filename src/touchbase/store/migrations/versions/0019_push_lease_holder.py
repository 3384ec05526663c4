"""the job holding an event's push lease: freed when its worker is found dead

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

HELD = sa.text("push_lease_holder IS NOT NULL")


def upgrade() -> None:
    op.add_column("events", sa.Column("push_lease_holder", sa.String(64), nullable=True))
    # Only the few rows a job is pushing: a dead worker's are found without a scan.
    op.create_index(
        "ix_events_push_lease_holder",
        "events",
        ["push_lease_holder"],
        sqlite_where=HELD,
        postgresql_where=HELD,
    )


def downgrade() -> None:
    op.drop_index("ix_events_push_lease_holder", table_name="events")
    # In place, on SQLite too (3.35+): a rebuild of `events` would drop its search triggers.
    op.drop_column("events", "push_lease_holder")

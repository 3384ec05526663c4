"""a digest of the request that planned a touchpoint with an Idempotency-Key: a replay must
ask for the same, as an event's

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("touchpoints", sa.Column("idempotency_fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    # Not batch mode, as 0019: SQLite drops a column in place since 3.35.
    op.execute("ALTER TABLE touchpoints DROP COLUMN idempotency_fingerprint")

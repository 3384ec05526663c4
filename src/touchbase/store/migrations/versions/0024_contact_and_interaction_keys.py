"""an Idempotency-Key for adding a contact and for logging an interaction: a retried request
answers what the first made, as for events and touchpoints

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

WHERE = sa.text("idempotency_key IS NOT NULL")
TABLES = ("contacts", "interactions")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("idempotency_key", sa.String(200), nullable=True))
        op.add_column(table, sa.Column("idempotency_fingerprint", sa.String(64), nullable=True))
        op.create_index(
            f"uq_{table}_user_idempotency_key",
            table,
            ["user_id", "idempotency_key"],
            unique=True,
            sqlite_where=WHERE,
            postgresql_where=WHERE,
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"uq_{table}_user_idempotency_key", table_name=table)
        # Not batch mode, as 0019: SQLite drops a column in place since 3.35.
        op.execute(f"ALTER TABLE {table} DROP COLUMN idempotency_fingerprint")
        op.execute(f"ALTER TABLE {table} DROP COLUMN idempotency_key")

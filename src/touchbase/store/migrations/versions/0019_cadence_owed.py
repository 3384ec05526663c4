"""a contact whose cadence still owes its touchpoint (set by an import, or while Google cannot
take events; planned by the cadence job and cleared)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from touchbase.store.types import UtcDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WHERE = sa.text("cadence_owed_at IS NOT NULL")


def upgrade() -> None:
    op.add_column(
        "contacts", sa.Column("cadence_owed_at", UtcDateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_contacts_cadence_owed",
        "contacts",
        ["user_id", "cadence_owed_at"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_cadence_owed", table_name="contacts")
    # Not batch mode: copying `contacts` to a new table on SQLite trips the event search's
    # triggers, which name it. SQLite drops a column in place since 3.35.
    op.execute("ALTER TABLE contacts DROP COLUMN cadence_owed_at")

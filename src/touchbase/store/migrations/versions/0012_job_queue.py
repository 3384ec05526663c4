"""the job queue: when each calendar's backstop sync is due and which job holds its sync, and
(on PostgreSQL) Procrastinate's own tables, functions and triggers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendars") as table:
        table.add_column(sa.Column("next_sync_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("sync_lease_holder", sa.String(64), nullable=True))
    op.create_index("ix_calendars_next_sync_at", "calendars", ["next_sync_at"])
    bind = op.get_bind()
    _create_google_quotas()
    if bind.dialect.name == "postgresql":
        # The schema of the Procrastinate version locked in uv.lock; a later version's own
        # migration scripts (procrastinate/sql/migrations) come in a migration of ours.
        # Run as one script by the driver: it has % signs and colons SQLAlchemy would parse.
        driver = bind.connection.driver_connection
        assert driver is not None
        driver.execute(SchemaManager.get_schema())


DROP_JOB_QUEUE = """
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname LIKE 'procrastinate%' LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || f || ' CASCADE';
    END LOOP;
END $$;
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DROP TYPE IF EXISTS procrastinate_job_status, procrastinate_job_event_type,
    procrastinate_job_to_defer_v1 CASCADE;
"""


def _create_google_quotas() -> None:
    """Each user's budget of Google calls, shared by every process (used on PostgreSQL: with
    SQLite one process keeps the budget in memory)."""
    op.create_table(
        "google_quotas",
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name="pk_google_quotas"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_google_quotas_user_id_users", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_table("google_quotas")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        driver = bind.connection.driver_connection
        assert driver is not None
        driver.execute(DROP_JOB_QUEUE)
    op.drop_index("ix_calendars_next_sync_at", table_name="calendars")
    with op.batch_alter_table("calendars") as table:
        table.drop_column("sync_lease_holder")
        table.drop_column("next_sync_at")

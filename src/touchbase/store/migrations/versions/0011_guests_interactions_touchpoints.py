"""meetings linked to contacts by their guests' emails (event_guests, filled from every
event), interactions logged after a meeting, touchpoints, and each user's working hours

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _user(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def _contact(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["contact_id"], ["contacts.id"], name=f"fk_{table}_contact_id_contacts", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "event_guests",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_guests_event_id_events", ondelete="CASCADE"
        ),
        _user("event_guests"),
        sa.PrimaryKeyConstraint("event_id", "email", name="pk_event_guests"),
    )
    op.create_index("ix_event_guests_user_email", "event_guests", ["user_id", "email"])
    _index_guests()
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=True),
        sa.Column("occurred_at", WHEN, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _user("interactions"),
        _contact("interactions"),
        sa.PrimaryKeyConstraint("id", name="pk_interactions"),
    )
    op.create_index("ix_interactions_contact_when", "interactions", ["contact_id", "occurred_at"])
    op.create_index("ix_interactions_user_id", "interactions", ["user_id"])
    op.create_table(
        "touchpoints",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_at", WHEN, nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("completed_at", WHEN, nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        _user("touchpoints"),
        _contact("touchpoints"),
        sa.PrimaryKeyConstraint("id", name="pk_touchpoints"),
    )
    op.create_index("ix_touchpoints_user_status", "touchpoints", ["user_id", "status", "due_date"])
    op.create_index("ix_touchpoints_contact_id", "touchpoints", ["contact_id"])
    op.create_index("ix_touchpoints_event_id", "touchpoints", ["event_id"])
    condition = sa.text("idempotency_key IS NOT NULL")
    op.create_index(
        "uq_touchpoints_user_idempotency_key",
        "touchpoints",
        ["user_id", "idempotency_key"],
        unique=True,
        sqlite_where=condition,
        postgresql_where=condition,
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("working_hours", sa.JSON(), nullable=True))


def _index_guests() -> None:
    """Every cached event's guests, as the app indexes them from now on."""
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id", sa.String),
        sa.column("user_id", sa.String),
        sa.column("local", sa.JSON),
    )
    guests = sa.table(
        "event_guests",
        sa.column("event_id", sa.String),
        sa.column("email", sa.String),
        sa.column("user_id", sa.String),
    )
    rows = []
    for event_id, user_id, local in bind.execute(
        sa.select(events.c.id, events.c.user_id, events.c.local)
    ):
        emails = {
            str(a.get("email", "")).strip().lower()
            for a in (local or {}).get("attendees") or ()
            if isinstance(a, dict)
        }
        rows += [
            {"event_id": event_id, "email": e, "user_id": user_id}
            for e in sorted(emails)
            if e and len(e) <= 254
        ]
    if rows:
        bind.execute(guests.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("working_hours")
    op.drop_index("uq_touchpoints_user_idempotency_key", table_name="touchpoints")
    op.drop_index("ix_touchpoints_event_id", table_name="touchpoints")
    op.drop_index("ix_touchpoints_contact_id", table_name="touchpoints")
    op.drop_index("ix_touchpoints_user_status", table_name="touchpoints")
    op.drop_table("touchpoints")
    op.drop_index("ix_interactions_user_id", table_name="interactions")
    op.drop_index("ix_interactions_contact_when", table_name="interactions")
    op.drop_table("interactions")
    op.drop_index("ix_event_guests_user_email", table_name="event_guests")
    op.drop_table("event_guests")

"""contacts in full: several emails (indexed, one contact each), company, title, phone, time
zone, notes, a cadence, archiving and a version; audit entries about a contact

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emails", sa.JSON(), nullable=True))
        for name, length in (("company", 200), ("title", 200), ("phone", 50)):
            batch_op.add_column(
                sa.Column(name, sa.String(length), nullable=False, server_default="")
            )
        batch_op.add_column(sa.Column("time_zone", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("cadence_every", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cadence_unit", sa.String(8), nullable=True))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "contact_emails",
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("contact_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_contact_emails_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_contact_emails_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "email", name="pk_contact_emails"),
    )
    op.create_index("ix_contact_emails_contact_id", "contact_emails", ["contact_id"])
    _move_emails()
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.alter_column("emails", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column(
            "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("email")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.String(36), nullable=True))
        batch_op.create_index(
            "ix_audit_log_contact_id",
            ["contact_id"],
            sqlite_where=sa.text("contact_id IS NOT NULL"),
            postgresql_where=sa.text("contact_id IS NOT NULL"),
        )


def _move_emails() -> None:
    """Each contact's one email becomes its list of emails; an address two contacts of one
    user shared stays on both, and links to the earlier one (ids are time-ordered)."""
    bind = op.get_bind()
    contacts = sa.table(
        "contacts",
        sa.column("id", sa.String),
        sa.column("user_id", sa.String),
        sa.column("email", sa.String),
        sa.column("emails", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    index = sa.table(
        "contact_emails",
        sa.column("user_id", sa.String),
        sa.column("email", sa.String),
        sa.column("contact_id", sa.String),
    )
    rows = bind.execute(
        sa.select(contacts.c.id, contacts.c.user_id, contacts.c.email).order_by(contacts.c.id)
    ).all()
    taken: set[tuple[str, str]] = set()
    for contact_id, user_id, email in rows:
        address = (email or "").strip().lower()
        bind.execute(
            contacts.update()
            .where(contacts.c.id == contact_id)
            .values(emails=[address] if address else [], updated_at=contacts.c.created_at)
        )
        if address and (user_id, address) not in taken:
            taken.add((user_id, address))
            bind.execute(
                index.insert().values(user_id=user_id, email=address, contact_id=contact_id)
            )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_contact_id")
        batch_op.drop_column("contact_id")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(254), nullable=True))
    bind = op.get_bind()
    contacts = sa.table(
        "contacts",
        sa.column("id", sa.String),
        sa.column("email", sa.String),
        sa.column("emails", sa.JSON),
    )
    for contact_id, emails in bind.execute(sa.select(contacts.c.id, contacts.c.emails)).all():
        first = emails[0] if emails else None
        bind.execute(contacts.update().where(contacts.c.id == contact_id).values(email=first))
    op.drop_index("ix_contact_emails_contact_id", table_name="contact_emails")
    op.drop_table("contact_emails")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        for name in (
            "updated_at",
            "version",
            "archived_at",
            "cadence_unit",
            "cadence_every",
            "notes",
            "time_zone",
            "phone",
            "title",
            "company",
            "emails",
        ):
            batch_op.drop_column(name)

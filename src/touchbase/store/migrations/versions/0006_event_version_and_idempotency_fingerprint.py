"""touchbase's own version of each event; the fingerprint of an idempotent create

`version` is the API's etag: it changes with every change of what a person sees, so two
writers that read the same version cannot both win (Google's etag changes only once a change
reaches Google). `idempotency_fingerprint` is a digest of the create request that used the
row's idempotency key: a replay with another body is refused.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("idempotency_fingerprint")
        batch_op.drop_column("version")

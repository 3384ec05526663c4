"""an authorization in progress belongs to the browser that started it

`browser_binding` is a digest of the nonce set as a cookie in that browser when the flow
starts; the callback is refused without it, so a consent link sent to someone else cannot
attach their Google account to the sender's touchbase account. States made before this
migration have none and are refused (they last ten minutes anyway).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_binding", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_column("browser_binding")

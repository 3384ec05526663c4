"""events stored before touchbase kept each one's Google type are read from Google again

An event now keeps Google's `eventType` (in its JSON): one of a type Google keeps (a
birthday, an event Gmail made from an email, a working location) is not changed here, since
Google refuses most changes to it. Events stored before keep no type and count as plain
events until changed in Google. As 0026 did for organizers: each such event that has nothing
waiting for Google gets an etag Google never gave (its own, marked), and each of their
calendars loses its sync token, so the next sync lists every event and takes Google's
version of these; a change made here meanwhile goes out with that etag, which Google refuses
(412), and touchbase merges it with Google's version: nothing is overwritten.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

MARK = "#eventType"
EVENTS = sa.table(
    "events",
    sa.column("calendar_id", sa.String),
    sa.column("local", sa.JSON),
    sa.column("etag", sa.String),
    sa.column("pending_op", sa.String),
)
CALENDARS = sa.table("calendars", sa.column("id", sa.String), sa.column("sync_token", sa.Text))


def upgrade() -> None:
    bind = op.get_bind()
    stale = sa.and_(
        EVENTS.c.etag.is_not(None),  # from Google
        EVENTS.c.pending_op.is_(None),  # a change waiting keeps its etag: its push merges
        sa.not_(sa.cast(EVENTS.c.local, sa.Text).like('%"eventType"%')),
        sa.not_(EVENTS.c.etag.like("%#%")),  # marked already (0026): read again anyway
    )
    calendars = sa.select(EVENTS.c.calendar_id).where(stale)
    bind.execute(CALENDARS.update().where(CALENDARS.c.id.in_(calendars)).values(sync_token=None))
    bind.execute(EVENTS.update().where(stale).values(etag=EVENTS.c.etag + MARK))


def downgrade() -> None:
    """Nothing to undo: a marked etag is replaced by Google's at the next sync."""

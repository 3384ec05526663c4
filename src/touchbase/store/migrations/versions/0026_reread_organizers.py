"""events stored before touchbase kept who organizes each are read from Google again

An event now keeps its organizer (`organizer`, `organizerSelf`, `guestsCanModify` in its
JSON): someone else's meeting keeps its details for its organizer to change. Events stored
before keep none and count as the user's own, and a sync skips an event whose etag it has,
so they would stay so until changed in Google. Each such event that has nothing waiting for
Google gets an etag Google never gave (its own, marked), and each of their calendars loses
its sync token: the next sync lists every event, and takes Google's version of these. Until
then, a change made here goes out with that etag, which Google refuses (412) and touchbase
answers by merging with Google's version, as for any edit made in Google meanwhile: nothing
is overwritten.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

MARK = "#organizer"
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
        sa.not_(sa.cast(EVENTS.c.local, sa.Text).like('%"organizer"%')),
        sa.not_(EVENTS.c.etag.like(f"%{MARK}")),
    )
    calendars = sa.select(EVENTS.c.calendar_id).where(stale)
    bind.execute(CALENDARS.update().where(CALENDARS.c.id.in_(calendars)).values(sync_token=None))
    bind.execute(EVENTS.update().where(stale).values(etag=EVENTS.c.etag + MARK))


def downgrade() -> None:
    """Nothing to undo: a marked etag is replaced by Google's at the next sync."""

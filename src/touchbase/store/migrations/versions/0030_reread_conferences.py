"""events stored before touchbase kept each one's video call are read from Google again

An event now keeps its video call from Google (its conference: a Meet, or one an add-on such
as Zoom made; in its JSON), which its card offers as "Join". Events stored before keep none,
and a meeting's Meet would not show until the event changed in Google. As 0026 and 0028 did:
each such event that has nothing waiting for Google gets an etag Google never gave (its own,
marked), and each of their calendars loses its sync token, so the next sync lists every event
and takes Google's version of these; a change made here meanwhile goes out with that etag,
which Google refuses (412), and touchbase merges it with Google's version: nothing is
overwritten.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

MARK = "#conference"
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
        sa.not_(sa.cast(EVENTS.c.local, sa.Text).like('%"conference"%')),
        sa.not_(EVENTS.c.etag.like("%#%")),  # marked already (0026, 0028): read again anyway
    )
    calendars = sa.select(EVENTS.c.calendar_id).where(stale)
    bind.execute(CALENDARS.update().where(CALENDARS.c.id.in_(calendars)).values(sync_token=None))
    bind.execute(EVENTS.update().where(stale).values(etag=EVENTS.c.etag + MARK))


def downgrade() -> None:
    """Nothing to undo: a marked etag is replaced by Google's at the next sync."""

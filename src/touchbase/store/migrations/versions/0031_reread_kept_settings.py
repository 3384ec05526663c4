"""events stored before touchbase kept what was set on them in Google are read again

An event now keeps what was set on it in Google that touchbase neither shows nor changes (who
may see it, its colour, its reminders, what guests may do, other apps' properties; its
"settings", in its JSON) and the files attached to it ("attachments", shown on its card), so
that a copy made here (a split's new series, a meeting put back) has them too. Events stored
before keep neither, and a private series split here would make a new series that is not
private. As 0026, 0028 and 0030 did:
each such event that has nothing waiting for Google gets an etag Google never gave (its own,
marked), and each of their calendars loses its sync token, so the next sync lists every event
and takes Google's version of these; a change made here meanwhile goes out with that etag,
which Google refuses (412), and touchbase merges it with Google's version: nothing is
overwritten.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

MARK = "#settings"
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
        sa.not_(sa.cast(EVENTS.c.local, sa.Text).like('%"attachments"%')),
        sa.not_(EVENTS.c.etag.like("%#%")),  # marked already (0026 to 0030): read again anyway
    )
    calendars = sa.select(EVENTS.c.calendar_id).where(stale)
    bind.execute(CALENDARS.update().where(CALENDARS.c.id.in_(calendars)).values(sync_token=None))
    bind.execute(EVENTS.update().where(stale).values(etag=EVENTS.c.etag + MARK))


def downgrade() -> None:
    """Nothing to undo: a marked etag is replaced by Google's at the next sync."""

"""A change Google Calendar refused for good (an event it will not take, an organizer's
meeting): the user may drop it and take Google's version back, rather than edit again or
delete the event. Nothing is sent: Google has that version already."""

from __future__ import annotations

from touchbase.calendar.actors import Actor, audit
from touchbase.calendar.events import record_of, window
from touchbase.calendar.records import EventRecord, audit_changes
from touchbase.calendar.services import CalendarServices
from touchbase.errors import EventNotFoundError, InvalidRequestError
from touchbase.store import accounts
from touchbase.store import events as event_store
from touchbase.store.codec import event_from_json


async def discard_refused(services: CalendarServices, actor: Actor, event_id: str) -> EventRecord:
    """Drop the change Google refused of one of the user's events: the event is again as
    Google has it (a refused delete brings it back). 400 when no change of it was refused,
    or Google has no version of it (a new event Google would not take: delete it instead)."""
    now = services.clock()
    async with services.db.session() as session:
        row = await event_store.get_event(session, actor.user_id, event_id, for_update=True)
        if row is None:
            raise EventNotFoundError()
        if row.sync_status != "error" or row.pending_op is None:
            raise InvalidRequestError("Google Calendar refused no change of this event.")
        if row.base is None:
            raise InvalidRequestError(
                "Google Calendar has no version of this event to go back to: delete it instead."
            )
        calendar = await accounts.calendar_by_id(session, row.calendar_id)
        assert calendar is not None
        before = event_from_json(row.local)
        googles = event_from_json(row.base)
        version = row.version
        row.local = row.base = row.base  # one copy; a new version if the content changed
        row.start_at, row.end_at = window(googles, calendar.time_zone)
        row.contact_id, row.deleted = googles.contact_id, False
        row.pending_op, row.sync_status, row.next_push_at = None, "synced", None
        row.push_attempts, row.last_error, row.updated_at = 0, None, now
        if row.version == version:  # a restored delete, or only its state changed
            row.new_version()
        changes = audit_changes(before, googles)
        audit(session, actor, row.id, action="discard_refused", now=now, changes=changes)
        return await record_of(session, row)

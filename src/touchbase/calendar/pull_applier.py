"""Applying planned actions to the cache in one transaction: the rows of events first seen in
Google inserted in bulk, the others changed in place, with their audit entries, guests and
touchpoints kept in step (`PullApplier`, for a page of a pull or a full sync's sweep)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.calendar.records import API_FIELD, audit_changes, audit_created
from touchbase.calendar.sync_plan import Action, CachedRow, RemoteItem
from touchbase.domain import CalendarEvent
from touchbase.domain.merge import changed_fields
from touchbase.domain.recurrence import event_span
from touchbase.domain.splits import slot_instant
from touchbase.store import events as event_store
from touchbase.store import touchpoints as touchpoint_store
from touchbase.store.accounts import new_id, new_ids
from touchbase.store.bulk import insert_rows
from touchbase.store.codec import event_from_json, event_to_json
from touchbase.store.models import AuditEntry, Calendar, Conflict, Event, EventGuest, guest_emails

EVENTS_TABLE: Table = Event.__table__  # type: ignore[assignment]
AUDIT_TABLE: Table = AuditEntry.__table__  # type: ignore[assignment]
GUESTS_TABLE: Table = EventGuest.__table__  # type: ignore[assignment]
ROW_IDS_AT_ONCE = 256


def cached_row(row: Event, in_conflict: bool) -> CachedRow:
    """What planning needs of a cached row (its versions only when a change or a conflict
    is open on it)."""
    dirty = row.pending_op is not None
    return CachedRow(
        row_id=row.id,
        google_event_id=row.google_event_id,
        etag=row.etag,
        local=event_from_json(row.local) if dirty or in_conflict else None,
        base=event_from_json(row.base) if (dirty or in_conflict) and row.base else None,
        pending_op=row.pending_op,
        deleted=row.deleted,
        in_conflict=in_conflict,
        is_instance=row.recurring_event_id is not None,
    )


def new_event_row(item: RemoteItem, calendar_zone: str, row_id: str) -> dict[str, Any]:
    """What is an event's own in the cache row of an event first seen in Google (the rest is
    `new_event_common`; the columns of neither start out NULL)."""
    event = item.event
    assert event is not None
    start_at, end_at = item.span or event_span(event, calendar_zone)
    return {
        "id": row_id,
        "google_event_id": item.google_event_id,
        "local": event,  # written as the struct's JSON (store/codec.py); the base is NULL:
        "etag": item.etag,  # synced, the base is `local` (models.Event)
        "start_at": start_at,
        "end_at": end_at,
        "contact_id": event.contact_id,
        "recurring_event_id": event.recurring_event_id,
        "original_start_at": slot_instant(event.original_start) if event.original_start else None,
        "is_touchpoint": event.touchpoint_id is not None,
    }


def new_event_common(calendar: Calendar, now: datetime) -> dict[str, Any]:
    """What every cache row of an event first seen in Google (in `calendar`, at `now`) has."""
    return {
        "user_id": calendar.user_id,
        "calendar_id": calendar.id,
        "sync_status": "synced",
        "deleted": False,
        "send_updates": "none",
        "push_attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


class PullApplier:
    """Applies planned actions (a page of a pull, or a sweep) inside one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        calendar: Calendar,
        rows: dict[str, Event],
        *,
        now: datetime,
        counts: dict[str, int],
        importing: bool = False,
    ) -> None:
        self.session = session
        self.calendar = calendar
        self.rows = rows
        self.now = now
        self.counts = counts
        # The first sync of a calendar imports what it already holds: the audit log records
        # one entry per page of events it imported, not one per event.
        self.importing = importing
        self.new_rows: list[dict[str, Any]] = []
        self.audit: list[dict[str, Any]] = []
        self._fresh_ids: list[str] = []

    def _new_row_id(self) -> str:
        if not self._fresh_ids:
            self._fresh_ids = new_ids(ROW_IDS_AT_ONCE)
        return self._fresh_ids.pop()

    def _audit(
        self, event_id: str | None, action: str, changes: dict[str, Any], actor: str = "google"
    ) -> None:
        self.audit.append(
            {
                "user_id": self.calendar.user_id,
                "event_id": event_id,
                "action": action,
                "source": "sync",
                "actor": actor,
                "at": self.now,
                "changes": changes,
            }
        )

    def _span(self, item: RemoteItem, event: CalendarEvent) -> tuple[datetime, datetime]:
        return item.span or event_span(event, self.calendar.time_zone)

    def _take_remote(self, row: Event, item: RemoteItem, event: CalendarEvent) -> None:
        before = event_from_json(row.local)
        start_at, end_at = self._span(item, event)
        row.local = row.base = event_to_json(event)
        row.etag, row.start_at, row.end_at = item.etag, start_at, end_at
        row.contact_id = event.contact_id
        row.recurring_event_id = event.recurring_event_id
        row.original_start_at = slot_instant(event.original_start) if event.original_start else None
        row.deleted = item.cancelled and not item.is_exception
        row.pending_op, row.sync_status, row.next_push_at, row.last_error = (
            None,
            "synced",
            None,
            None,
        )
        self._audit(row.id, "sync_update", audit_changes(before, event))

    def add(self, item: RemoteItem) -> None:
        assert item.event is not None
        row = new_event_row(item, self.calendar.time_zone, self._new_row_id())
        self.new_rows.append(row)
        if not self.importing:
            self._audit(row["id"], "sync_create", audit_created(event_to_json(item.event)))
        self.counts["created"] += 1

    def apply_now(self, action: Action) -> bool:
        """Carry out one action that needs no query; False for those that do (conflicts)."""
        row = self.rows.get(action.google_event_id)
        item = action.remote
        if action.kind == "conflict":
            return row is None
        if action.kind == "add" and item is not None:
            self.add(item)
        elif action.kind == "replace" and row is not None and item and item.event:
            self._take_remote(row, item, item.event)
            self.counts["updated"] += 1
        elif action.kind == "merge" and row is not None and item and item.event:
            assert action.merged is not None
            before = event_from_json(row.local)
            row.base, row.etag = event_to_json(item.event), item.etag
            row.local = event_to_json(action.merged)
            row.start_at, row.end_at = event_span(action.merged, self.calendar.time_zone)
            row.pending_op, row.sync_status, row.next_push_at = "update", "pending", self.now
            self._audit(row.id, "merge", audit_changes(before, action.merged))
            self.counts["merged"] += 1
        elif action.kind == "rebase" and row is not None and item and item.event:
            row.base, row.etag = event_to_json(item.event), item.etag
        elif action.kind == "remove" and row is not None:
            row.deleted, row.pending_op, row.sync_status = True, None, "synced"
            row.next_push_at = row.last_error = None
            self._audit(row.id, "sync_delete", {"reason": action.reason})
            self.counts["deleted"] += 1
        elif action.kind == "release" and row is not None:
            event_store.release_slot(row)
        elif action.kind == "error":
            self.counts["errors"] += 1
        return True

    async def apply_later(self, action: Action) -> None:
        """Carry out an action that needs queries (a conflict)."""
        row = self.rows.get(action.google_event_id)
        if row is not None:
            await self._conflict(row, action)

    async def _conflict(self, row: Event, action: Action) -> None:
        item = action.remote
        remote = item.event if item is not None else None
        if action.conflict_kind == "refresh":  # keep the open conflict, with Google's news
            open_conflict = (
                await self.session.scalars(
                    select(Conflict).where(Conflict.event_id == row.id, Conflict.status == "open")
                )
            ).first()
            if open_conflict is not None and remote is not None and item is not None:
                open_conflict.remote = event_to_json(remote)
                open_conflict.remote_etag = item.etag
                if open_conflict.kind == "fields" and open_conflict.local and open_conflict.base:
                    local = event_from_json(open_conflict.local)
                    base = event_from_json(open_conflict.base)
                    both = set(changed_fields(base, local)) & set(changed_fields(base, remote))
                    open_conflict.fields = [API_FIELD[f] for f in sorted(both)]
            return
        self.session.add(
            Conflict(
                id=new_id(),
                user_id=row.user_id,
                event_id=row.id,
                kind=action.conflict_kind or "fields",
                fields=list(action.fields),
                base=row.base,
                local=row.local,
                remote=event_to_json(remote) if remote else None,
                remote_etag=item.etag if item else None,
                created_at=self.now,
            )
        )
        row.sync_status, row.next_push_at = "conflict", None
        self._audit(
            row.id, "conflict", {"kind": action.conflict_kind, "fields": list(action.fields)}
        )
        self.counts["conflicts"] += 1

    async def flush(self) -> None:
        """Insert the new rows and audit entries in bulk (one executemany each)."""
        await self._touchpoints_on_one_half()
        common = new_event_common(self.calendar, self.now)
        await insert_rows(self.session, EVENTS_TABLE, self.new_rows, common)
        guests = [
            {"event_id": row["id"], "email": email}
            for row in self.new_rows
            for email in guest_emails(
                (a.email, a.response_status, a.is_self) for a in row["local"].attendees
            )
        ]
        await insert_rows(self.session, GUESTS_TABLE, guests, {"user_id": self.calendar.user_id})
        if self.new_rows and self.importing:
            changes = {"calendar": self.calendar.summary, "events": len(self.new_rows)}
            self._audit(None, "sync_import", changes)
        await insert_rows(self.session, AUDIT_TABLE, self.audit)

    async def _touchpoints_on_one_half(self) -> None:
        """Google copies a series' private properties to the new half of a split made in its
        UI, so a touchpoint would sit on both halves: it goes on with the meetings to come,
        and the earlier series lets it go (pushed like any change)."""
        for new in self.new_rows:
            event = new["local"]
            if not event.recurrence or not event.touchpoint_id:
                continue
            others = await event_store.with_touchpoint(
                self.session, self.calendar.user_id, event.touchpoint_id, other_than=new["id"]
            )
            moved = False
            for other in others:
                before = event_from_json(other.local)
                later = other.start_at >= new["start_at"]
                if not before.recurrence or later or other.sync_status == "conflict":
                    continue
                moved = True
                after = before.replace(touchpoint_id=None)
                other.local, other.is_touchpoint = event_to_json(after), False
                other.pending_op = other.pending_op or "update"
                other.sync_status, other.next_push_at = "pending", self.now
                self._audit(other.id, "update", audit_changes(before, after), "touchbase")
            if moved:
                await touchpoint_store.move_to_event(
                    self.session, self.calendar.user_id, event.touchpoint_id, new["id"]
                )

"""How contacts' summaries, timelines, interactions and touchpoints look in the API's JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from touchbase.crm.contact_import import ImportPreview
from touchbase.crm.contact_list import ContactSummary
from touchbase.crm.timeline import Meeting, Timeline
from touchbase.crm.touchpoint_changes import touchpoint_etag
from touchbase.crm.touchpoint_lists import Due
from touchbase.crm.touchpoints import TouchpointState
from touchbase.store.models import Interaction
from touchbase.web.views import contact_view, event_view


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def touchpoint_view(state: TouchpointState, now: datetime) -> dict[str, Any]:
    """A touchpoint: its own fields, when it is due (its event's time, once it has one), its
    event's sync status (`conflict`: changed here and in Google, for the user to settle), and
    whether it needs a new date or is overdue."""
    tp = state.touchpoint
    return {
        "id": tp.id,
        "contactId": tp.contact_id,
        "contactName": state.contact_name,
        "status": tp.status,
        "dueDate": state.due.isoformat(),
        "dueAt": _iso(state.start),
        "anyTime": tp.due_at is None,
        "durationMinutes": state.minutes,
        "message": tp.message,
        "origin": tp.origin,
        "eventId": state.event.id if state.event is not None else None,
        "eventSyncStatus": state.event.sync_status if state.event is not None else None,
        "needsDate": state.needs_date,
        "overdue": state.overdue(now),
        "completedAt": _iso(tp.completed_at),
        "etag": touchpoint_etag(tp),
        "createdAt": tp.created_at.isoformat(),
        "updatedAt": tp.updated_at.isoformat(),
    }


def interaction_view(interaction: Interaction) -> dict[str, Any]:
    """One logged interaction."""
    return {
        "id": interaction.id,
        "contactId": interaction.contact_id,
        "eventId": interaction.event_id,
        "occurredAt": interaction.occurred_at.isoformat(),
        "outcome": interaction.outcome,
        "notes": interaction.notes,
    }


def _meeting_view(meeting: Meeting) -> dict[str, Any]:
    return {
        "kind": "meeting",
        "at": meeting.start.isoformat(),
        "event": event_view(meeting.record),
        "logged": [interaction_view(i) for i in meeting.logged],
        "held": meeting.met,
    }


def timeline_view(timeline: Timeline) -> dict[str, Any]:
    """A contact's timeline: meetings to come, and the past (meetings and interactions)."""
    return {
        "lastContacted": _iso(timeline.last_contacted),
        "upcoming": [_meeting_view(m) for m in timeline.upcoming],
        "past": [
            _meeting_view(m)
            if isinstance(m, Meeting)
            else {"kind": "interaction", "at": m.occurred_at.isoformat(), **interaction_view(m)}
            for m in timeline.past
        ],
    }


def summary_view(summary: ContactSummary, now: datetime) -> dict[str, Any]:
    """A contact in a list: its details, last contacted, next touchpoint."""
    upcoming = summary.next_touchpoint
    return {
        **contact_view(summary.contact),
        "lastContacted": _iso(summary.last_contacted),
        "nextTouchpoint": touchpoint_view(upcoming, now) if upcoming else None,
    }


def due_view(due: Due, now: datetime) -> dict[str, Any]:
    """The Due view's groups."""
    return {
        name: [touchpoint_view(s, now) for s in items]
        for name, items in (
            ("overdue", due.overdue),
            ("today", due.today),
            ("thisWeek", due.this_week),
            ("needsDate", due.needs_date),
        )
    }


def import_view(preview: ImportPreview) -> dict[str, Any]:
    """A contacts file's preview (or import): each record, what happens to it, and why."""
    rows = []
    for row in preview.rows:
        fields = row.record.fields
        rows.append(
            {
                "row": row.record.row,
                "status": row.status,
                "problems": [{"field": p.field, "message": p.message} for p in row.problems],
                "existingContactId": row.existing,
                "contact": {
                    "name": fields.name,
                    "emails": list(fields.emails),
                    "company": fields.company,
                    "title": fields.title,
                    "phone": fields.phone,
                    "timeZone": fields.time_zone,
                    "notes": fields.notes,
                    "cadence": msgspec.to_builtins(fields.cadence),
                },
            }
        )
    counts = {status: preview.count(status) for status in ("new", "exists", "invalid")}
    return {
        "rows": rows,
        "counts": counts,
        "ignoredColumns": list(preview.ignored_columns),
        "imported": preview.imported,
    }

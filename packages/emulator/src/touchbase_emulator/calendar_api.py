"""The events methods, and what every handler shares: the state, access to a calendar by
role, storing an event and telling its watchers. (Routing and scopes come from Google's
discovery document: routing.py; the other resources have modules of their own.)

Handlers are synchronous and never await, so each call sees and leaves a consistent state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from touchbase_emulator import (
    event_types,
    extras,
    instances,
    listing,
    recurrence,
    resources,
    sharing,
)
from touchbase_emulator.clock import format_rfc3339, now_utc, zone
from touchbase_emulator.errors import (
    ApiError,
    condition_not_met,
    gone_deleted,
    invalid,
    not_found,
    required,
)
from touchbase_emulator.state import Calendar, Channel, EmulatorState, Json, StoredEvent
from touchbase_emulator.wire import (
    DEFAULT_CHANNEL_TTL,
    ApiRequest,
    ApiResponse,
    Handler,
    Principal,
    new_id,
    parse_body,
)

SEND_UPDATES = ("all", "externalOnly", "none")


def _etag_matches(header: str | None, etag: str) -> bool:
    return header is None or header.strip() in ("*", etag)


class CalendarApi:
    """The Calendar API methods over one emulator state."""

    def __init__(
        self,
        state: EmulatorState,
        *,
        on_change: Callable[[str, str], None],
        on_watch: Callable[[Channel], None],
        channel_lifetime: Callable[[], int] = lambda: DEFAULT_CHANNEL_TTL,
    ) -> None:
        self.state = state
        self.on_change = on_change
        self.on_watch = on_watch
        self.channel_lifetime = channel_lifetime
        self.invitations: list[Json] = []

    # ---- plumbing -------------------------------------------------------------------------

    def calendar(self, principal: Principal, calendar_id: str, need: str = "reader") -> Calendar:
        """A calendar the caller may use with the role `need` ("primary" is theirs): 404 if
        they have no access at all, 403 requiredAccessLevel if too little."""
        if calendar_id == "primary":
            calendar_id = principal.email
        calendar = self.state.calendars.get(calendar_id)
        role = sharing.role_of(calendar, principal.email) if calendar else "none"
        if calendar is None or role == "none":
            raise not_found()
        sharing.require(role, need)
        return calendar

    def changed(self, calendar: Calendar) -> None:
        """Tell watchers that the calendar's events changed."""
        self.on_change("events", calendar.id)

    def notify(self, resource: str, key: str) -> None:
        """Tell watchers that a calendar's acl, or a user's calendar list or settings, changed
        (`key`: the calendar id, or the user's email)."""
        self.on_change(resource, key)

    def send_updates(
        self, request: ApiRequest, data: Json, action: str, before: Json | None = None
    ) -> None:
        """Record the invitation emails Google would send for this write (guests removed by
        it are told too)."""
        mode = request.param("sendUpdates")
        if mode is not None and mode not in SEND_UPDATES:
            raise invalid(f"Invalid sendUpdates: {mode!r}", location="sendUpdates")
        if request.param("sendNotifications") == "true" and mode is None:
            mode = "all"
        to = [a["email"] for a in data.get("attendees") or []]
        to += [a["email"] for a in (before or {}).get("attendees") or [] if a["email"] not in to]
        if mode in ("all", "externalOnly") and to:
            self.invitations.append(
                {"eventId": data["id"], "action": action, "sendUpdates": mode, "to": to}
            )

    def store(self, calendar: Calendar, data: Json, *, order: int | None = None) -> StoredEvent:
        """Write an event under a new sequence number and tell watchers."""
        existing = calendar.events.get(data["id"])
        stored = StoredEvent(
            data=data,
            seq=self.state.next_seq(),
            order=order or (existing.order if existing else self.state.next_order()),
        )
        calendar.events[data["id"]] = stored
        self.changed(calendar)
        return stored

    def stamp(
        self, fields: Json, *, event_id: str, calendar: Calendar, previous: Json | None
    ) -> Json:
        """The full resource of a write about to be stored (the next sequence number, now)."""
        return resources.stamp(
            fields,
            event_id=event_id,
            calendar=calendar,
            previous=previous,
            seq=self.state.seq + 1,
            now=now_utc(),
        )

    def resolve(self, calendar: Calendar, event_id: str) -> Json:
        """A stored event, or an instance of a series computed on the fly; 404 otherwise."""
        stored = calendar.events.get(event_id)
        if stored is not None:
            return stored.data
        parts = recurrence.split_instance_id(event_id)
        series = calendar.events.get(parts[0]) if parts else None
        if parts is None or series is None or not series.data.get("recurrence"):
            raise not_found()
        timing = resources.series_time(series.data)
        original = recurrence.parse_instance_suffix(parts[1], all_day=timing.all_day, tz=timing.tz)
        limit = original + timedelta(days=1)
        for start in recurrence.occurrences(series.data["recurrence"], timing, until=limit):
            if start == original:
                return listing.virtual_instance(
                    series.data, start, timing, ZoneInfo(calendar.time_zone)
                )
        raise not_found()

    # ---- events ---------------------------------------------------------------------------

    def events_list(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.list"""
        calendar = self.calendar(principal, args[0])
        query = listing.parse_query(request.query)
        items, page_token, sync_token = listing.list_page(self.state, calendar, query)
        body: Json = {
            "kind": "calendar#events",
            "etag": f'"{self.state.seq}"',
            "summary": calendar.summary,
            "description": calendar.description,
            "updated": format_rfc3339(now_utc()),
            "timeZone": calendar.time_zone,
            "accessRole": sharing.role_of(calendar, principal.email),
            "defaultReminders": [],
            "items": items,
        }
        if page_token:
            body["nextPageToken"] = page_token
        if sync_token:
            body["nextSyncToken"] = sync_token
        return ApiResponse(200, body)

    def events_get(self, request: ApiRequest, principal: Principal, args: list[str]) -> ApiResponse:
        """events.get"""
        calendar = self.calendar(principal, args[0])
        data = self.resolve(calendar, args[1])
        if request.headers.get("if-none-match", "").strip() == data["etag"]:
            return ApiResponse(304, None, {"ETag": data["etag"]})
        tz_name = request.param("timeZone")
        if tz_name:
            data = listing.in_zone(data, zone(tz_name, location="timeZone"))
        return ApiResponse(200, data, {"ETag": data["etag"]})

    def events_insert(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.insert: a client may choose the id; a taken id answers 409."""
        calendar = self.calendar(principal, args[0], "writer")
        body = extras.settle(request, parse_body(request), None, calendar.id)
        data = self.insert(calendar, body, creator=principal.email)
        self.send_updates(request, data, "created")
        return ApiResponse(200, data, {"ETag": data["etag"]})

    def insert(self, calendar: Calendar, body: Json, *, creator: str | None = None) -> Json:
        """Validate and store a new event (insert, quickAdd and seeding); `creator`: who made
        it, when not the calendar's owner (a writer it is shared with)."""
        event_id = resources.check_event_id(body["id"]) if body.get("id") else new_id()
        existing = calendar.by_ical_uid(body["iCalUID"]) if body.get("iCalUID") else None
        if event_id in calendar.events or (
            existing is not None and existing.data.get("status") != "cancelled"
        ):
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
        body = {k: v for k, v in body.items() if k != "recurringEventId"}
        fields = resources.normalise(body, calendar)
        data = self.stamp(fields, event_id=event_id, calendar=calendar, previous=None)
        if creator is not None and creator != calendar.owner:
            data["creator"] = {"email": creator}
        self.store(calendar, data)
        return data

    def events_write(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.update (PUT) and events.patch (PATCH), with If-Match."""
        calendar = self.calendar(principal, args[0], "writer")
        current = self.resolve(calendar, args[1])
        body = parse_body(request)
        if not _etag_matches(request.headers.get("if-match"), current["etag"]):
            raise condition_not_met()
        if request.method == "PATCH":
            merged = resources.merge_patch(current, body)
        else:
            merged = resources.replace_with(current, body)
        merged = extras.settle(request, merged, current, calendar.id)
        resources.check_organizer(current, merged)
        event_types.check_write(current, merged)
        if "recurringEventId" in current and merged.get("recurrence"):
            raise invalid("An instance cannot have a recurrence.", location="recurrence")
        fields = resources.normalise(merged, calendar)
        data = self.stamp(fields, event_id=current["id"], calendar=calendar, previous=current)
        self.send_updates(request, data, "updated", current)
        self.store(calendar, data)
        if data.get("recurrence") and instances.timing_changed(current, data):
            for lost in instances.lost_exceptions(calendar, data):
                self.cancel(calendar, lost)
        return ApiResponse(200, data, {"ETag": data["etag"]})

    def events_delete(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.delete: the event becomes cancelled and keeps its id."""
        calendar = self.calendar(principal, args[0], "writer")
        current = self.resolve(calendar, args[1])
        if current.get("status") == "cancelled":
            raise gone_deleted()
        if not _etag_matches(request.headers.get("if-match"), current["etag"]):
            raise condition_not_met()
        event_types.check_delete(current)
        self.send_updates(request, current, "cancelled")
        self.cancel(calendar, current)
        if current.get("recurrence"):
            for stored in list(calendar.events.values()):
                parent = stored.data.get("recurringEventId")
                if parent == current["id"] and stored.data.get("status") != "cancelled":
                    self.cancel(calendar, stored.data)
        return ApiResponse(204)

    def cancel(self, calendar: Calendar, current: Json) -> None:
        """Mark an event or instance cancelled (a new etag, sequence and `updated`)."""
        now = now_utc()
        data = {
            **current,
            "status": "cancelled",
            "etag": f'"{int(now.timestamp() * 1_000_000)}{self.state.seq + 1}"',
            "updated": format_rfc3339(now),
        }
        self.store(calendar, data)

    def events_instances(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.instances: one series expanded, exceptions applied."""
        calendar = self.calendar(principal, args[0])
        series = calendar.events.get(args[1])
        if series is None:
            raise not_found()
        original = request.param("originalStart")
        if original:
            found = instances.instance_at(
                calendar, series.data, original, show_deleted=request.param("showDeleted") == "true"
            )
            role = sharing.role_of(calendar, principal.email)
            return ApiResponse(200, instances.listing_of(calendar, series, found, role))
        query = listing.parse_query(request.query, instances=True)
        if not series.data.get("recurrence"):
            members = [series]
        else:
            members = [series] + [
                s
                for s in calendar.events.values()
                if s.data.get("recurringEventId") == series.data["id"]
            ]
        items, page_token, _ = listing.list_page(
            self.state, calendar, query, events=members, with_sync_token=False
        )
        body: Json = {
            "kind": "calendar#events",
            "etag": f'"{series.seq}"',
            "summary": calendar.summary,
            "timeZone": calendar.time_zone,
            "accessRole": sharing.role_of(calendar, principal.email),
            "items": items,
        }
        if page_token:
            body["nextPageToken"] = page_token
        return ApiResponse(200, body)

    def events_move(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.move: to another calendar of the caller, keeping the id."""
        source = self.calendar(principal, args[0], "writer")
        destination_id = request.param("destination")
        if not destination_id:
            raise required("Missing destination.", location="destination")
        destination = self.calendar(principal, destination_id, "writer")
        stored = source.events.get(args[1])
        if stored is None or stored.data.get("status") == "cancelled":
            raise not_found()
        if "recurringEventId" in stored.data:
            raise invalid("Instances cannot be moved.", location="eventId")
        if stored.data["id"] in destination.events:
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
        fields = resources.normalise(stored.data, destination)
        data = self.stamp(
            fields, event_id=stored.data["id"], calendar=destination, previous=stored.data
        )
        data["organizer"] = resources.organizer_of(destination)  # move changes the organizer
        self.cancel(source, stored.data)
        self.store(destination, data)
        return ApiResponse(200, data, {"ETag": data["etag"]})

    def events_import(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.import: insert, or update the event that has the same iCalUID."""
        calendar = self.calendar(principal, args[0], "writer")
        body = parse_body(request)
        ical_uid = body.get("iCalUID")
        if not isinstance(ical_uid, str) or not ical_uid:
            raise required("Missing iCalUID.", location="iCalUID")
        existing = calendar.by_ical_uid(ical_uid)
        if existing is not None:
            previous = existing.data
            event_id = previous["id"]
        else:
            event_id = resources.check_event_id(body["id"]) if body.get("id") else new_id()
            if event_id in calendar.events:
                raise ApiError(409, "duplicate", "The requested identifier already exists.")
            previous = None
        fields = resources.normalise(extras.settle(request, body, previous, calendar.id), calendar)
        data = self.stamp(fields, event_id=event_id, calendar=calendar, previous=previous)
        data["iCalUID"] = ical_uid
        if isinstance(body.get("organizer"), dict) and body["organizer"].get("email"):
            # An import keeps who organized it.
            data["organizer"] = resources.imported_organizer(body["organizer"], calendar)
        self.store(calendar, data)
        return ApiResponse(200, data, {"ETag": data["etag"]})


HANDLERS: dict[str, Handler] = {
    "calendar.events.list": CalendarApi.events_list,
    "calendar.events.get": CalendarApi.events_get,
    "calendar.events.insert": CalendarApi.events_insert,
    "calendar.events.update": CalendarApi.events_write,
    "calendar.events.patch": CalendarApi.events_write,
    "calendar.events.delete": CalendarApi.events_delete,
    "calendar.events.instances": CalendarApi.events_instances,
    "calendar.events.move": CalendarApi.events_move,
    "calendar.events.import": CalendarApi.events_import,
}

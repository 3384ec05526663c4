"""The Calendar v3 methods: routing, scopes, and each method's behaviour over the state.

Handlers are synchronous and never await, so each call sees and leaves a consistent state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from touchbase_emulator import instances, listing, recurrence, resources
from touchbase_emulator.clock import format_rfc3339, now_utc, zone
from touchbase_emulator.errors import (
    ApiError,
    condition_not_met,
    gone_deleted,
    insufficient_scope,
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
    Route,
    calendar_json,
    calendar_list_entry,
    channel_json,
    channel_ttl,
    new_id,
    parse_body,
    webhook_address_ok,
)

AUTH = "https://www.googleapis.com/auth/"
READ_EVENTS = frozenset(
    AUTH + s
    for s in ("calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly")
)
WRITE_EVENTS = frozenset(AUTH + s for s in ("calendar", "calendar.events"))
READ_CALENDARS = frozenset(AUTH + s for s in ("calendar", "calendar.readonly"))
WRITE_CALENDARS = frozenset({AUTH + "calendar"})
ANY_SCOPE = READ_EVENTS
SEND_UPDATES = ("all", "externalOnly", "none")


def _etag_matches(header: str | None, etag: str) -> bool:
    return header is None or header.strip() in ("*", etag)


class CalendarApi:
    """The Calendar API methods over one emulator state."""

    def __init__(
        self,
        state: EmulatorState,
        *,
        on_change: Callable[[Calendar], None],
        on_watch: Callable[[Channel], None],
        channel_lifetime: Callable[[], int] = lambda: DEFAULT_CHANNEL_TTL,
    ) -> None:
        self.state = state
        self.on_change = on_change
        self.on_watch = on_watch
        self.channel_lifetime = channel_lifetime
        self.invitations: list[Json] = []

    # ---- plumbing -------------------------------------------------------------------------

    def route(self, request: ApiRequest) -> tuple[Route, list[str]]:
        """The route and its decoded path arguments; 404 if no method matches."""
        for route in ROUTES:
            match = route.pattern.fullmatch(request.path)
            if match and route.verb == request.method:
                return route, [unquote(g) for g in match.groups()]
        raise not_found("Not Found")

    def run(
        self, route: Route, args: list[str], request: ApiRequest, principal: Principal
    ) -> ApiResponse:
        """Run one routed call: scope check, then the method."""
        if not principal.scopes & route.scopes:
            raise insufficient_scope(route.method_id)
        return route.handler(self, request, principal, args)

    def calendar(self, principal: Principal, calendar_id: str) -> Calendar:
        """A calendar the caller owns ("primary" is theirs); 404 otherwise."""
        if calendar_id == "primary":
            calendar_id = principal.email
        calendar = self.state.calendars.get(calendar_id)
        if calendar is None or calendar.owner != principal.email:
            raise not_found()
        return calendar

    def changed(self, calendar: Calendar) -> None:
        """Tell watchers that the calendar's events changed."""
        self.on_change(calendar)

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
            "accessRole": "owner",
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
        calendar = self.calendar(principal, args[0])
        data = self.insert(calendar, parse_body(request))
        self.send_updates(request, data, "created")
        return ApiResponse(200, data, {"ETag": data["etag"]})

    def insert(self, calendar: Calendar, body: Json) -> Json:
        """Validate and store a new event (insert and seeding)."""
        event_id = resources.check_event_id(body["id"]) if body.get("id") else new_id()
        if event_id in calendar.events:
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
        body = {k: v for k, v in body.items() if k != "recurringEventId"}
        fields = resources.normalise(body, calendar)
        data = resources.stamp(
            fields,
            event_id=event_id,
            calendar=calendar,
            previous=None,
            seq=self.state.seq + 1,
            now=now_utc(),
        )
        self.store(calendar, data)
        return data

    def events_write(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.update (PUT) and events.patch (PATCH), with If-Match."""
        calendar = self.calendar(principal, args[0])
        current = self.resolve(calendar, args[1])
        body = parse_body(request)
        if not _etag_matches(request.headers.get("if-match"), current["etag"]):
            raise condition_not_met()
        if request.method == "PATCH":
            merged = resources.merge_patch(current, body)
        else:
            merged = resources.replace_with(current, body)
        if "recurringEventId" in current and merged.get("recurrence"):
            raise invalid("An instance cannot have a recurrence.", location="recurrence")
        fields = resources.normalise(merged, calendar)
        data = resources.stamp(
            fields,
            event_id=current["id"],
            calendar=calendar,
            previous=current,
            seq=self.state.seq + 1,
            now=now_utc(),
        )
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
        calendar = self.calendar(principal, args[0])
        current = self.resolve(calendar, args[1])
        if current.get("status") == "cancelled":
            raise gone_deleted()
        if not _etag_matches(request.headers.get("if-match"), current["etag"]):
            raise condition_not_met()
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
            return ApiResponse(200, instances.listing_of(calendar, series, found))
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
            "accessRole": "owner",
            "items": items,
        }
        if page_token:
            body["nextPageToken"] = page_token
        return ApiResponse(200, body)

    def events_move(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.move: to another calendar of the caller, keeping the id."""
        source = self.calendar(principal, args[0])
        destination_id = request.param("destination")
        if not destination_id:
            raise required("Missing destination.", location="destination")
        destination = self.calendar(principal, destination_id)
        stored = source.events.get(args[1])
        if stored is None or stored.data.get("status") == "cancelled":
            raise not_found()
        if "recurringEventId" in stored.data:
            raise invalid("Instances cannot be moved.", location="eventId")
        if stored.data["id"] in destination.events:
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
        fields = resources.normalise(stored.data, destination)
        data = resources.stamp(
            fields,
            event_id=stored.data["id"],
            calendar=destination,
            previous=stored.data,
            seq=self.state.seq + 1,
            now=now_utc(),
        )
        self.cancel(source, stored.data)
        self.store(destination, data)
        return ApiResponse(200, data, {"ETag": data["etag"]})

    def events_import(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.import: insert, or update the event that has the same iCalUID."""
        calendar = self.calendar(principal, args[0])
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
        fields = resources.normalise(body, calendar)
        data = resources.stamp(
            fields,
            event_id=event_id,
            calendar=calendar,
            previous=previous,
            seq=self.state.seq + 1,
            now=now_utc(),
        )
        data["iCalUID"] = ical_uid
        self.store(calendar, data)
        return ApiResponse(200, data, {"ETag": data["etag"]})

    def events_watch(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """events.watch: register a web_hook channel and send it the `sync` message."""
        calendar = self.calendar(principal, args[0])
        body = parse_body(request)
        channel_id, address = body.get("id"), body.get("address")
        if not isinstance(channel_id, str) or not channel_id:
            raise required("Missing channel id.", location="id")
        if body.get("type") not in ("web_hook", "webhook"):
            raise invalid("Unknown channel type.", location="type")
        if not isinstance(address, str) or not webhook_address_ok(address):
            raise invalid("WebHook callback must be HTTPS: " + str(address), location="address")
        if channel_id in self.state.channels:
            raise invalid(f"Channel id {channel_id} not unique", location="id")
        ttl = min(channel_ttl(body.get("params")), self.channel_lifetime())
        now_ms = int(now_utc().timestamp() * 1000)
        expiration = now_ms + ttl * 1000
        if body.get("expiration"):
            expiration = min(expiration, int(body["expiration"]))
        channel = Channel(
            id=channel_id,
            resource_id=calendar.resource_id,
            calendar_id=calendar.id,
            address=address,
            token=body.get("token"),
            expiration_ms=expiration,
            owner=principal.email,
        )
        self.state.channels[channel_id] = channel
        self.on_watch(channel)
        return ApiResponse(200, channel_json(channel))

    def channels_stop(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """channels.stop"""
        body = parse_body(request)
        channel = self.state.channels.get(str(body.get("id")))
        if (
            channel is None
            or channel.resource_id != body.get("resourceId")
            or channel.owner != principal.email
        ):
            raise not_found("Channel not found.")
        del self.state.channels[channel.id]
        return ApiResponse(204)

    # ---- calendars ------------------------------------------------------------------------

    def calendar_list(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """calendarList.list"""
        user = self.state.users.get(principal.email)
        ids = user.calendar_ids if user else []
        items = [calendar_list_entry(self.state.calendars[i], principal) for i in ids]
        return ApiResponse(
            200,
            {
                "kind": "calendar#calendarList",
                "etag": f'"{len(items)}"',
                "nextSyncToken": listing.encode_token({"l": len(items)}),
                "items": items,
            },
        )

    def calendar_list_get(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """calendarList.get"""
        return ApiResponse(200, calendar_list_entry(self.calendar(principal, args[0]), principal))

    def calendars_get(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """calendars.get"""
        return ApiResponse(200, calendar_json(self.calendar(principal, args[0])))

    def calendars_insert(
        self, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        """calendars.insert: a secondary calendar of the caller."""
        body = parse_body(request)
        summary = body.get("summary")
        if not isinstance(summary, str) or not summary:
            raise required("Missing summary.", location="summary")
        user = self.state.ensure_user(principal.email)
        tz_name = body.get("timeZone") or self.state.calendars[principal.email].time_zone
        zone(tz_name, location="timeZone")
        calendar = Calendar(
            id=f"{new_id()}@group.calendar.google.com",
            owner=principal.email,
            summary=summary,
            time_zone=tz_name,
            description=str(body.get("description", "")),
        )
        self.state.calendars[calendar.id] = calendar
        user.calendar_ids.append(calendar.id)
        return ApiResponse(200, calendar_json(calendar))


def _route(
    verb: str, pattern: str, method_id: str, scopes: frozenset[str], handler: Handler
) -> Route:
    seg = "([^/]+)"
    regex = "/calendar/v3/" + pattern.replace("{}", seg)
    return Route(verb, re.compile(regex), "calendar.v3." + method_id, scopes, handler)


ROUTES = (
    _route(
        "GET",
        "users/me/calendarList",
        "CalendarList.List",
        READ_CALENDARS,
        CalendarApi.calendar_list,
    ),
    _route(
        "GET",
        "users/me/calendarList/{}",
        "CalendarList.Get",
        READ_CALENDARS,
        CalendarApi.calendar_list_get,
    ),
    _route("POST", "calendars", "Calendars.Insert", WRITE_CALENDARS, CalendarApi.calendars_insert),
    _route("GET", "calendars/{}", "Calendars.Get", READ_CALENDARS, CalendarApi.calendars_get),
    _route("GET", "calendars/{}/events", "Events.List", READ_EVENTS, CalendarApi.events_list),
    _route("POST", "calendars/{}/events", "Events.Insert", WRITE_EVENTS, CalendarApi.events_insert),
    _route(
        "POST",
        "calendars/{}/events/import",
        "Events.Import",
        WRITE_EVENTS,
        CalendarApi.events_import,
    ),
    _route(
        "POST", "calendars/{}/events/watch", "Events.Watch", READ_EVENTS, CalendarApi.events_watch
    ),
    _route(
        "GET",
        "calendars/{}/events/{}/instances",
        "Events.Instances",
        READ_EVENTS,
        CalendarApi.events_instances,
    ),
    _route(
        "POST", "calendars/{}/events/{}/move", "Events.Move", WRITE_EVENTS, CalendarApi.events_move
    ),
    _route("GET", "calendars/{}/events/{}", "Events.Get", READ_EVENTS, CalendarApi.events_get),
    _route(
        "PUT", "calendars/{}/events/{}", "Events.Update", WRITE_EVENTS, CalendarApi.events_write
    ),
    _route(
        "PATCH", "calendars/{}/events/{}", "Events.Patch", WRITE_EVENTS, CalendarApi.events_write
    ),
    _route(
        "DELETE", "calendars/{}/events/{}", "Events.Delete", WRITE_EVENTS, CalendarApi.events_delete
    ),
    _route("POST", "channels/stop", "Channels.Stop", ANY_SCOPE, CalendarApi.channels_stop),
)

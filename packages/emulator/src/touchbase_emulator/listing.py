"""events.list and events.instances: filters, expansion, keyset pagination and sync tokens.

Pagination is by key, not offset: a page token holds the sort key of the last item sent, so
events inserted or deleted while a client pages never shift it past an event. Every token also
holds the modification sequence number at which the first page was read (the snapshot); the
sync token of the last page carries that snapshot, so anything changed while paging is sent
again by the next incremental list (at least once, never lost).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from touchbase_emulator import recurrence
from touchbase_emulator.clock import now_utc, parse_datetime, zone
from touchbase_emulator.errors import ApiError, full_sync_required, invalid
from touchbase_emulator.resources import (
    When,
    event_bounds,
    parse_when,
    series_time,
    updated_at,
    when_json,
)
from touchbase_emulator.state import Calendar, EmulatorState, Json, StoredEvent

DEFAULT_PAGE = 250
MAX_PAGE = 2500
NOT_WITH_SYNC_TOKEN = (
    "timeMin",
    "timeMax",
    "orderBy",
    "q",
    "iCalUID",
    "updatedMin",
    "privateExtendedProperty",
    "sharedExtendedProperty",
)
Params = list[tuple[str, str]]


@dataclass
class ListQuery:
    """The parameters of one events.list or events.instances call."""

    max_results: int = DEFAULT_PAGE
    page_token: str | None = None
    sync_token: str | None = None
    time_min: datetime | None = None
    time_max: datetime | None = None
    single_events: bool = False
    show_deleted: bool = False
    order_by: str | None = None
    q: str | None = None
    ical_uid: str | None = None
    updated_min: datetime | None = None
    private_props: list[tuple[str, str]] = field(default_factory=list)
    shared_props: list[tuple[str, str]] = field(default_factory=list)
    time_zone: ZoneInfo | None = None
    fingerprint: str = ""


def _flag(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise invalid(f"Invalid boolean value for {name}: {value!r}", location=name)
    return value == "true"


def _properties(pairs: Params, name: str) -> list[tuple[str, str]]:
    out = []
    for key, value in pairs:
        if key == name:
            prop, sep, prop_value = value.partition("=")
            if not sep or not prop:
                raise invalid(f"{name} must be propertyName=value.", location=name)
            out.append((prop, prop_value))
    return out


def parse_query(pairs: Params, *, instances: bool = False) -> ListQuery:
    """Validate the query parameters of a list call."""
    params = dict(pairs)
    query = ListQuery()
    if "maxResults" in params:
        try:
            query.max_results = int(params["maxResults"])
        except ValueError as exc:
            raise invalid("Invalid maxResults.", location="maxResults") from exc
        if query.max_results < 1:
            raise invalid("maxResults must be positive.", location="maxResults")
        query.max_results = min(query.max_results, MAX_PAGE)
    query.page_token = params.get("pageToken") or None
    query.sync_token = params.get("syncToken") or None
    if query.sync_token:
        for name in NOT_WITH_SYNC_TOKEN:
            if name in params:
                raise invalid(f"{name} cannot be combined with syncToken.", location=name)
    for name in ("timeMin", "timeMax", "updatedMin"):
        if name in params:
            setattr(query, _attr(name), parse_datetime(params[name], location=name))
    if query.time_min and query.time_max and query.time_min >= query.time_max:
        raise ApiError(
            400, "timeRangeEmpty", "The specified time range is empty.", location="timeMax"
        )
    query.single_events = instances or _flag(params, "singleEvents")
    query.show_deleted = _flag(params, "showDeleted")
    query.order_by = params.get("orderBy")
    if query.order_by not in (None, "startTime", "updated"):
        raise invalid(f"Invalid orderBy: {query.order_by!r}", location="orderBy")
    if query.order_by == "startTime" and not query.single_events:
        raise invalid("orderBy=startTime requires singleEvents=true.", location="orderBy")
    query.q = params.get("q") or None
    query.ical_uid = params.get("iCalUID") or None
    query.private_props = _properties(pairs, "privateExtendedProperty")
    query.shared_props = _properties(pairs, "sharedExtendedProperty")
    if "timeZone" in params:
        query.time_zone = zone(params["timeZone"], location="timeZone")
    shape = sorted((k, v) for k, v in pairs if k not in ("pageToken", "maxResults"))
    query.fingerprint = hashlib.sha1(json.dumps(shape).encode()).hexdigest()[:12]
    return query


def _attr(name: str) -> str:
    return {"timeMin": "time_min", "timeMax": "time_max", "updatedMin": "updated_min"}[name]


def encode_token(payload: dict[str, Any]) -> str:
    """An opaque token."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode_token(token: str, *, location: str) -> dict[str, Any]:
    """The payload of a token made by `encode_token`; 400 invalid if malformed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (ValueError, binascii.Error) as exc:
        raise invalid(f"Invalid {location}.", location=location) from exc
    if not isinstance(payload, dict):
        raise invalid(f"Invalid {location}.", location=location)
    return payload


@dataclass
class _Item:
    key: list[Any]
    data: Json


class _Lister:
    """Collects the items of one list call."""

    def __init__(self, calendar: Calendar, query: ListQuery, since: int | None) -> None:
        self.calendar = calendar
        self.query = query
        self.since = since
        self.cal_zone = ZoneInfo(calendar.time_zone)
        self.date_zone = query.time_zone or self.cal_zone
        self.with_deleted = query.show_deleted or since is not None or bool(query.updated_min)
        self.exceptions: dict[str, list[StoredEvent]] = defaultdict(list)
        for stored in calendar.events.values():
            parent = stored.data.get("recurringEventId")
            if parent:
                self.exceptions[parent].append(stored)

    def changed(self, stored: StoredEvent) -> bool:
        """Whether an incremental list includes this stored event."""
        if self.since is not None and stored.seq <= self.since:
            return False
        return not (self.query.updated_min and updated_at(stored.data) < self.query.updated_min)

    def collect(self, events: Iterable[StoredEvent]) -> list[_Item]:
        """Every item to list, unsorted and unpaged."""
        items: list[_Item] = []
        for stored in events:
            data = stored.data
            if self.query.single_events and data.get("recurrence"):
                items.extend(self.instances(stored))
            elif self.query.single_events and data.get("recurringEventId"):
                parent = self.calendar.events.get(data["recurringEventId"])
                if parent is None and self.changed(stored):  # an orphan: listed on its own
                    items.append(_Item(self._original_key(data), data))
            elif self.changed(stored):
                items.append(_Item([stored.order, 0.0], data))
        return [item for item in items if self.keep(item.data)]

    def _original_key(self, data: Json) -> list[Any]:
        parent = self.calendar.events.get(data["recurringEventId"])
        when = parse_when(data["originalStartTime"], location="originalStartTime")
        order = parent.order if parent else 0
        return [
            order,
            when.moment.replace(tzinfo=self.date_zone).timestamp()
            if when.all_day
            else when.moment.timestamp(),
        ]

    def instances(self, series: StoredEvent) -> list[_Item]:
        """The instances of one series, exceptions applied."""
        data = series.data
        if data.get("status") == "cancelled" and not self.with_deleted:
            return []
        series_changed = self.changed(series)
        timing = series_time(data)
        overrides = {e.data["id"]: e for e in self.exceptions.get(data["id"], [])}
        bound = (
            self.query.time_max
            or max(now_utc(), timing.start.replace(tzinfo=timing.tz or self.date_zone))
            + recurrence.HORIZON
        )
        items: list[_Item] = []
        if series_changed:
            for original in recurrence.occurrences(data["recurrence"], timing, until=bound):
                inst_id = recurrence.instance_id(data["id"], original, all_day=timing.all_day)
                if inst_id in overrides:
                    continue
                instance = virtual_instance(data, original, timing, self.cal_zone)
                items.append(_Item([series.order, self._ts(original, timing)], instance))
        for stored in overrides.values():
            if series_changed or self.changed(stored):
                items.append(_Item(self._original_key(stored.data), stored.data))
        return items

    def _ts(self, moment: datetime, timing: recurrence.SeriesTime) -> float:
        if timing.all_day:
            return moment.replace(tzinfo=self.date_zone).timestamp()
        return moment.timestamp()

    def keep(self, data: Json) -> bool:
        """Whether an item passes the filters of the query."""
        query = self.query
        if data.get("status") == "cancelled":
            return self.with_deleted or self._cancelled_occurrence(data)
        if query.ical_uid and data.get("iCalUID") != query.ical_uid:
            return False
        props = data.get("extendedProperties", {})
        for scope, wanted in (("private", query.private_props), ("shared", query.shared_props)):
            have = props.get(scope, {})
            if any(have.get(k) != v for k, v in wanted):
                return False
        if query.q and not _matches_text(data, query.q):
            return False
        if query.time_min or query.time_max:
            return self.overlaps(data)
        return True

    def _cancelled_occurrence(self, data: Json) -> bool:
        """A cancelled instance of a live series: a list without `singleEvents` returns it even
        without `showDeleted` (Google's rule), so a full resync sees every one."""
        parent_id = data.get("recurringEventId")
        parent = self.calendar.events.get(parent_id) if parent_id else None
        return (
            not self.query.single_events
            and parent is not None
            and parent.data.get("status") != "cancelled"
        )

    def overlaps(self, data: Json) -> bool:
        """Whether the event (or any instance of a series) meets [timeMin, timeMax)."""
        start, end = event_bounds(data, self.date_zone)
        t_min, t_max = self.query.time_min, self.query.time_max
        if t_max and start >= t_max:
            return False
        if not data.get("recurrence") or self.query.single_events:
            return not (t_min and end <= t_min)
        if t_min is None:
            return True
        timing = series_time(data)
        bound = t_max or t_min + recurrence.HORIZON
        for original in recurrence.occurrences(data["recurrence"], timing, until=bound):
            occ_start = original.replace(tzinfo=self.date_zone) if timing.all_day else original
            if occ_start + timing.duration > t_min:
                return True
        return False

    def sort_key(self, item: _Item) -> list[Any]:
        """The key that orders the listing and pages it."""
        if self.query.order_by == "startTime":
            start, _ = event_bounds(item.data, self.date_zone)
            return [start.timestamp(), *item.key]
        if self.query.order_by == "updated":
            return [updated_at(item.data).timestamp(), *item.key]
        return item.key


def _matches_text(data: Json, text: str) -> bool:
    haystack = " ".join(
        [str(data.get(k, "")) for k in ("summary", "description", "location")]
        + [a.get("email", "") + " " + a.get("displayName", "") for a in data.get("attendees", [])]
    ).lower()
    return all(term in haystack for term in text.lower().split())


def virtual_instance(
    series: Json, original: datetime, timing: recurrence.SeriesTime, cal_zone: ZoneInfo
) -> Json:
    """One instance of a series that has no stored exception."""
    data = {k: v for k, v in series.items() if k != "recurrence"}
    all_day, tz_name = timing.all_day, series["start"].get("timeZone")
    start = When(original, all_day, tz_name)
    end = When(original + timing.duration, all_day, series["end"].get("timeZone"))
    data["id"] = recurrence.instance_id(series["id"], original, all_day=all_day)
    data["recurringEventId"] = series["id"]
    data["start"], data["end"] = when_json(start, cal_zone), when_json(end, cal_zone)
    data["originalStartTime"] = data["start"]
    return data


def in_zone(data: Json, tz: ZoneInfo) -> Json:
    out = dict(data)
    for key in ("start", "end", "originalStartTime"):
        value = out.get(key)
        if isinstance(value, dict) and "dateTime" in value:
            moment = datetime.fromisoformat(value["dateTime"]).astimezone(tz)
            out[key] = {**value, "dateTime": moment.replace(microsecond=0).isoformat()}
    return out


def list_page(
    state: EmulatorState,
    calendar: Calendar,
    query: ListQuery,
    *,
    events: Iterable[StoredEvent] | None = None,
    with_sync_token: bool = True,
) -> tuple[list[Json], str | None, str | None]:
    """(items, nextPageToken, nextSyncToken) of one page."""
    since: int | None = None
    if query.sync_token:
        token = decode_token(query.sync_token, location="syncToken")
        if token.get("c") != calendar.id or token.get("e") != state.token_epoch:
            raise full_sync_required()
        since = int(token["s"])
    snapshot, after = state.seq, None
    if query.page_token:
        page = decode_token(query.page_token, location="pageToken")
        if page.get("h") != query.fingerprint:
            raise invalid("The page token does not belong to this query.", location="pageToken")
        snapshot, after = int(page["s"]), page["k"]
    lister = _Lister(calendar, query, since)
    keyed = [(lister.sort_key(i), i) for i in lister.collect(events or calendar.events.values())]
    keyed.sort(key=lambda pair: pair[0])
    if after is not None:
        keyed = [pair for pair in keyed if pair[0] > after]
    page_items = keyed[: query.max_results]
    items = [item.data for _, item in page_items]
    if query.time_zone:
        items = [in_zone(item, query.time_zone) for item in items]
    if len(keyed) > query.max_results:
        token = {"k": page_items[-1][0], "s": snapshot, "h": query.fingerprint}
        return items, encode_token(token), None
    if not with_sync_token:
        return items, None, None
    sync = encode_token({"c": calendar.id, "s": snapshot, "e": state.token_epoch})
    return items, None, sync

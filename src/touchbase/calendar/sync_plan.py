"""Planning a pull: what to do with each change Google reports, as plain data.

`plan_pull` and `plan_sweep` are pure: given the cache and Google's changes they return the
actions, each with the reason it was chosen. Applying them is another module's job
(sync_apply.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from touchbase.calendar.records import API_FIELD
from touchbase.domain import CalendarEvent
from touchbase.domain.merge import changed_fields, three_way_merge

Kind = Literal["add", "replace", "merge", "rebase", "conflict", "remove", "release", "error"]


@dataclass(frozen=True)
class CachedRow:
    """What the cache holds for one Google event."""

    row_id: str
    google_event_id: str
    etag: str | None
    local: CalendarEvent | None  # read only for rows with a pending change
    base: CalendarEvent | None
    pending_op: str | None
    deleted: bool
    in_conflict: bool
    is_instance: bool = False  # one occurrence of a series

    @property
    def dirty(self) -> bool:
        """Whether a local change still has to reach Google."""
        return self.pending_op is not None


@dataclass(frozen=True)
class RemoteItem:
    """One event as Google reported it (`event` is None when it could not be read)."""

    google_event_id: str
    etag: str | None
    cancelled: bool
    event: CalendarEvent | None
    error: str | None = None
    span: tuple[datetime, datetime] | None = None  # the event's (start, end) in UTC
    title: str = ""  # of an event that could not be read, to name it

    @property
    def is_exception(self) -> bool:
        """Whether this is one instance of a recurring series."""
        return self.event is not None and self.event.recurring_event_id is not None


@dataclass(frozen=True)
class Action:
    """One step of applying a pull."""

    kind: Kind
    reason: str
    google_event_id: str
    row_id: str | None = None
    remote: RemoteItem | None = None
    merged: CalendarEvent | None = None
    conflict_kind: str | None = None
    fields: tuple[str, ...] = ()


def _api_names(fields: Iterable[str]) -> tuple[str, ...]:
    return tuple(API_FIELD[f] for f in fields)


def _for_dirty(row: CachedRow, item: RemoteItem, remote: CalendarEvent | None) -> Action:
    gid = row.google_event_id
    if row.pending_op == "delete":
        if item.cancelled:
            return Action("remove", "deleted on both sides", gid, row.row_id, item)
        edits = changed_fields(row.base, remote) if row.base and remote else []
        if edits:
            return Action(
                "conflict",
                "edited in Google, deleted here",
                gid,
                row.row_id,
                item,
                conflict_kind="deleted_locally",
                fields=_api_names(edits),
            )
        return Action(
            "rebase", "only Google's version moved; the delete stays", gid, row.row_id, item
        )
    if item.cancelled:
        return Action(
            "conflict",
            "deleted in Google, edited here",
            gid,
            row.row_id,
            item,
            conflict_kind="deleted_remotely",
        )
    assert remote is not None
    assert row.local is not None
    base = row.base or remote  # a create that landed: Google's copy is the base
    result = three_way_merge(base, row.local, remote)
    if not result.clean:
        return Action(
            "conflict",
            "the same fields changed on both sides",
            gid,
            row.row_id,
            item,
            conflict_kind="fields",
            fields=_api_names(result.conflicts),
        )
    if result.merged.same_content(remote):
        return Action("replace", "Google already has everything", gid, row.row_id, item)
    return Action(
        "merge",
        "different fields changed on each side",
        gid,
        row.row_id,
        item,
        merged=result.merged,
    )


def _for_remote(row: CachedRow | None, item: RemoteItem) -> Action | None:
    gid = item.google_event_id
    if item.error is not None or (item.event is None and not item.cancelled):
        row_id = row.row_id if row else None
        return Action("error", item.error or "unreadable event", gid, row_id, item)
    if row is None:
        if item.cancelled and not item.is_exception:
            return None  # deleted before we ever saw it
        return Action("add", "new in Google", gid, None, item)
    if row.etag == item.etag and item.etag is not None:
        return None  # we already have this version (often our own push)
    if row.in_conflict:
        return Action(
            "conflict",
            "Google changed an event that is in conflict",
            gid,
            row.row_id,
            item,
            conflict_kind="refresh",
        )
    if not row.dirty:
        if item.cancelled and not item.is_exception:
            return (
                None
                if row.deleted
                else Action("remove", "deleted in Google", gid, row.row_id, item)
            )
        return Action("replace", "changed in Google, unchanged here", gid, row.row_id, item)
    return _for_dirty(row, item, item.event)


@dataclass(frozen=True)
class SweepInput:
    """What a full sync needs to find the events Google no longer has: the cache's Google ids
    (with their etags) from before the listing began, and every id the listing reported."""

    before: Mapping[str, str | None]
    seen: set[str] = field(default_factory=set)


def plan_sweep(cache: Mapping[str, CachedRow], seen: set[str]) -> list[Action]:
    """After a full sync: what Google no longer has was deleted there."""
    actions = []
    for gid, row in cache.items():
        if gid in seen or (row.deleted and not row.dirty) or row.in_conflict:
            continue
        if row.is_instance:
            # Google lists an instance only as an exception (a cancelled one too): one it
            # does not list is what its series makes there, not gone. A copy kept here stops
            # standing for the slot; a change waiting for Google is left to its push (which
            # finds the instance by its slot).
            if not row.dirty:
                actions.append(
                    Action("release", "no exception in Google (full sync)", gid, row.row_id)
                )
            continue
        if not row.dirty:
            actions.append(Action("remove", "gone from Google (full sync)", gid, row.row_id))
        elif row.pending_op == "delete":
            actions.append(Action("remove", "deleted on both sides (full sync)", gid, row.row_id))
        elif row.pending_op == "update":
            actions.append(
                Action(
                    "conflict",
                    "gone from Google, edited here (full sync)",
                    gid,
                    row.row_id,
                    conflict_kind="deleted_remotely",
                )
            )
        # a pending create is simply not in Google yet: the push sends it
    return actions


def plan_pull(cache: Mapping[str, CachedRow], changes: Iterable[RemoteItem]) -> list[Action]:
    """The actions that bring Google's changes into the cache without losing local edits."""
    actions: list[Action] = []
    for item in changes:
        action = _for_remote(cache.get(item.google_event_id), item)
        if action is not None:
            actions.append(action)
    return actions

"""Three-way merge of an event edited on two sides, against the last version both knew.

A field changed on one side only takes that side's value; a field changed on both sides to the
same value is no conflict; a field changed on both sides to different values is a conflict
(the merged event keeps the local value there until the user decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from touchbase.domain.events import CalendarEvent, answers_kept

MERGE_FIELDS = (
    "title",
    "description",
    "location",
    "start",
    "end",
    "attendees",
    "recurrence",
    "status",
    "contact_id",
    "touchpoint_id",
    "conference",
    "conference_request",
)
Side = Literal["local", "remote"]
# The user's own links, kept in their copy of any event; every other field is a detail every
# guest's copy shares, which only its organizer may change in some events.
OWN_FIELDS = ("contact_id", "touchpoint_id")


def _comparable(event: CalendarEvent, name: str) -> object:
    value = getattr(event, name)
    if name == "attendees":  # the guest list, not each guest's answer
        return frozenset(a.email.lower() for a in value)
    if name == "conference":  # the call to join, not how Google describes it
        return event.call_link
    return value


def changed_fields(before: CalendarEvent, after: CalendarEvent) -> list[str]:
    """The fields whose meaning differs between two versions."""
    return [f for f in MERGE_FIELDS if _comparable(before, f) != _comparable(after, f)]


@dataclass(frozen=True)
class MergeResult:
    """The merged event, and the fields both sides changed differently."""

    merged: CalendarEvent
    conflicts: tuple[str, ...]

    @property
    def clean(self) -> bool:
        """Whether everything merged by itself."""
        return not self.conflicts


def _kept_from_us(remote: CalendarEvent, name: str) -> bool:
    """Whether Google's version takes no change of field `name` from here."""
    return remote.kept_by_google or (remote.organizer_only and name not in OWN_FIELDS)


def three_way_merge(
    base: CalendarEvent, local: CalendarEvent, remote: CalendarEvent
) -> MergeResult:
    """Merge `local` and `remote`, both derived from `base`. Identity comes from `remote`.
    Where Google's version is one only its organizer may change (an invitation whose guests
    may not modify it, as it became meanwhile), a detail changed here cannot go out: it is a
    conflict with the organizer's version, for the user to see, not a change to push; and so
    is any change made here to an event of a type Google keeps (a birthday, an event from
    Gmail), which Google would refuse."""
    values: dict[str, object] = {}
    conflicts: list[str] = []
    for name in MERGE_FIELDS:
        was, ours, theirs = (_comparable(e, name) for e in (base, local, remote))
        if ours in (theirs, was):
            values[name] = getattr(remote, name)
        elif theirs == was and not _kept_from_us(remote, name):
            values[name] = getattr(local, name)
        else:
            values[name] = getattr(local, name)
            conflicts.append(name)
    merged = remote.replace(**values)  # a guest list from either side, the answers Google's
    guests = answers_kept(  # (the user's own answer, where changed here, the user's)
        merged.attendees, google=remote.attendees, base=base.attendees, local=local.attendees
    )
    merged = merged.replace(attendees=guests)
    return MergeResult(merged, tuple(conflicts))

"""Three-way merge (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from touchbase.domain import Attendee, CalendarEvent, EventTime
from touchbase.domain.merge import changed_fields, three_way_merge

BASE = CalendarEvent(
    title="Call",
    start=EventTime.at(datetime(2027, 1, 1, 9, tzinfo=UTC)),
    end=EventTime.at(datetime(2027, 1, 1, 10, tzinfo=UTC)),
    location="Room 1",
    etag='"base"',
)


def test_changes_on_different_fields_merge() -> None:
    local = BASE.replace(title="Call with Dana")
    remote = BASE.replace(location="Room 2", etag='"remote"')
    result = three_way_merge(BASE, local, remote)
    assert result.clean
    assert (result.merged.title, result.merged.location) == ("Call with Dana", "Room 2")
    assert result.merged.etag == '"remote"'


def test_same_change_on_both_sides_is_no_conflict() -> None:
    local = BASE.replace(title="Same")
    assert three_way_merge(BASE, local, BASE.replace(title="Same")).clean


def test_different_changes_to_one_field_conflict_and_keep_local() -> None:
    local = BASE.replace(title="Local", description="only here")
    remote = BASE.replace(title="Remote")
    result = three_way_merge(BASE, local, remote)
    assert result.conflicts == ("title",)
    assert result.merged.title == "Local"
    assert result.merged.description == "only here"


def test_attendee_answers_are_not_edits() -> None:
    local = BASE.replace(attendees=(Attendee("a@example.com"),))
    remote = BASE.replace(attendees=(Attendee("a@example.com", "accepted"),))
    assert changed_fields(local, remote) == []


def test_a_guest_list_changed_here_takes_the_answers_given_in_google() -> None:
    base = BASE.replace(attendees=(Attendee("dana@acme.example"),))
    local = base.replace(attendees=(*base.attendees, Attendee("eli@globex.example")))
    remote = base.replace(attendees=(Attendee("Dana@Acme.example", "accepted"),))
    merged = three_way_merge(base, local, remote).merged
    assert [(a.email, a.response_status) for a in merged.attendees] == [
        ("dana@acme.example", "accepted"),
        ("eli@globex.example", "needsAction"),
    ]

"""Three-way merge (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from touchbase.calendar.event_checks import check_organizer
from touchbase.domain import Attendee, CalendarEvent, EventTime
from touchbase.domain.events import Conference
from touchbase.domain.merge import changed_fields, three_way_merge
from touchbase.errors import NotOrganizerError

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


def test_the_users_answer_given_here_is_theirs_and_every_other_answer_googles() -> None:
    def invited(mine: str, carol: str) -> tuple[Attendee, ...]:
        return (
            Attendee("carol@example.com", carol),
            Attendee("me@example.com", mine, is_self=True),
        )

    invitation = BASE.replace(organizer_self=False, attendees=invited("needsAction", "accepted"))
    answered_here = invitation.replace(attendees=invited("accepted", "accepted"))
    carol_answered = invited("needsAction", "declined")
    carol_moved = invitation.replace(location="Room 7", attendees=carol_answered)
    merged = three_way_merge(invitation, answered_here, carol_moved).merged
    assert merged.location == "Room 7"
    assert merged.attendees == invited("accepted", "declined")
    assert not merged.same_content(carol_moved)  # the answer is still to be sent

    # Answered elsewhere (in Gmail), not here: Google's answer.
    in_gmail = carol_moved.replace(attendees=invited("declined", "declined"))
    assert three_way_merge(invitation, invitation, in_gmail).merged.attendees == invited(
        "declined", "declined"
    )


def test_a_detail_changed_here_conflicts_with_an_organizer_only_version() -> None:
    """Carol stopped her guests changing her meeting while a change made here waited."""
    mine = BASE.replace(organizer="carol@x.example", organizer_self=False, guests_can_modify=True)
    local = mine.replace(title="Mine now", contact_id="c1")
    locked = mine.replace(guests_can_modify=False, etag='"locked"')
    result = three_way_merge(mine, local, locked)
    assert result.conflicts == ("title",)
    assert result.merged.contact_id == "c1", "the user's own link is theirs to change"
    assert three_way_merge(mine, local, mine.replace(etag='"moved"')).clean, "while she allows it"


def test_no_change_made_here_merges_into_an_event_google_keeps() -> None:
    """An event stored before its type was known (a birthday) was changed here; Google's
    version, read again, says it is a birthday: the change is a conflict, not a push Google
    would refuse (its contact link included: a birthday takes no private property)."""
    local = BASE.replace(title="Party", contact_id="c1")
    birthday = BASE.replace(event_type="birthday", etag='"read-again"')
    result = three_way_merge(BASE, local, birthday)
    assert set(result.conflicts) == {"title", "contact_id"}
    assert three_way_merge(BASE, local, BASE.replace(etag='"moved"')).clean, "a plain event"


def test_a_meet_asked_for_here_survives_googles_change_and_goes_out_once() -> None:
    """The request is the user's change: Google's edit of another field merges with it, and
    the merged version still asks for the Meet (not the same content as Google's), until
    Google's version has a video call."""
    local = BASE.replace(conference_request="r1")
    remote = BASE.replace(title="Renamed in Google", etag='"remote"')
    result = three_way_merge(BASE, local, remote)
    assert result.clean
    assert (result.merged.title, result.merged.conference_request) == ("Renamed in Google", "r1")
    assert not result.merged.same_content(remote)
    made = remote.replace(conference=Conference(url="https://meet.google.com/abc-defg-hij"))
    assert not three_way_merge(BASE, local, made).merged.wants_conference


def test_a_call_taken_off_here_merges_with_googles_changes_but_a_new_call() -> None:
    """Google describing the same call anew is no change; another call is."""
    zoom = Conference(url="https://zoom.us/j/1", name="Zoom Meeting", solution="addOn")
    base = BASE.replace(conference=zoom)
    local = base.replace(conference=None)
    renamed = base.replace(title="Renamed in Google", etag='"remote"')
    result = three_way_merge(base, local, renamed)
    assert result.clean
    assert (result.merged.title, result.merged.conference) == ("Renamed in Google", None)
    described = base.replace(conference=Conference(url=zoom.url, name="Zoom"), etag='"r2"')
    assert changed_fields(base, described) == []
    assert three_way_merge(base, local, described).merged.conference is None
    other = base.replace(conference=Conference(url="https://zoom.us/j/2"), etag='"r3"')
    assert three_way_merge(base, local, other).conflicts == ("conference",)


def test_a_call_on_someone_elses_event_is_theirs_to_take_off() -> None:
    """A guest's copy: the call is a detail every guest shares (Google keeps the organizer's)."""
    call = Conference(url="https://meet.google.com/abc-defg-hij", name="Google Meet")
    theirs = BASE.replace(organizer="carol@x.example", organizer_self=False, conference=call)
    with pytest.raises(NotOrganizerError):
        check_organizer(theirs, theirs.replace(conference=None))
    check_organizer(theirs, theirs.replace(contact_id="c1"))  # the user's own link

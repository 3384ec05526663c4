"""Whom Google emails about a change (calendar/actors.send_updates): only what a person asked,
only for an event with guests, and never fewer than a change still waiting for Google asked."""

from __future__ import annotations

from touchbase.calendar.actors import Actor, send_updates
from touchbase.domain import CalendarEvent
from touchbase.domain.events import Attendee, EventTime
from touchbase.store.models import Event

MEETING = CalendarEvent(
    title="Demo",
    start=EventTime(date_time="2027-01-10T09:00:00+00:00"),
    end=EventTime(date_time="2027-01-10T10:00:00+00:00"),
)
WITH_GUEST = MEETING.replace(attendees=(Attendee("dana@acme.example"),))


def _actor(asked: str, source: str = "ui") -> Actor:
    return Actor("u1", "alice@example.com", source=source, send_updates=asked)


def _row(pending_op: str | None = None, emails: str = "none") -> Event:
    return Event(pending_op=pending_op, send_updates=emails)


def test_guests_are_emailed_only_when_asked() -> None:
    assert send_updates(_row(), _actor("none"), MEETING, WITH_GUEST) == "none"
    assert send_updates(_row(), _actor("all"), MEETING, WITH_GUEST) == "all"
    assert send_updates(_row(), _actor("externalOnly", "api"), WITH_GUEST) == "externalOnly"


def test_an_event_that_never_had_guests_emails_no_one() -> None:
    assert send_updates(_row(), _actor("all"), MEETING, MEETING) == "none"


def test_a_guest_removed_is_told() -> None:
    assert send_updates(_row(), _actor("all"), WITH_GUEST, MEETING) == "all"


def test_automatic_changes_never_email() -> None:
    for source in ("sync", "system"):
        assert send_updates(_row(), _actor("all", source), WITH_GUEST) == "none"


def test_a_waiting_change_keeps_the_emails_it_asked_for() -> None:
    waiting = _row("create", "all")
    assert send_updates(waiting, _actor("none"), WITH_GUEST, WITH_GUEST) == "all"
    assert send_updates(_row("update", "externalOnly"), _actor("all"), WITH_GUEST) == "all"
    # Once pushed, an earlier choice is spent.
    assert send_updates(_row(None, "all"), _actor("none"), WITH_GUEST) == "none"

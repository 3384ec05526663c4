"""Calendar events as touchbase sees them, whatever the provider.

The types are frozen msgspec structs: built, compared, copied and turned into JSON in C, which
a sync of thousands of events feels. Their JSON (camelCase keys) is how the store keeps them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

import msgspec

from touchbase.domain.kept_settings import KeptSettings


class EventStatus(StrEnum):
    """Whether the event takes place."""

    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class EventTime(msgspec.Struct, frozen=True, rename="camel"):
    """When an event starts or ends: a whole day, or an instant with its time zone.

    Two instants are equal when they are the same moment in the same zone, whatever offset
    they were written with.
    """

    date: dt.date | None = None
    date_time: dt.datetime | None = None  # aware
    time_zone: str | None = None

    @classmethod
    def all_day(cls, day: dt.date) -> EventTime:
        """A whole day (all-day events; an end date is exclusive)."""
        return cls(date=day)

    @classmethod
    def at(cls, moment: dt.datetime, time_zone: str | None = None) -> EventTime:
        """An instant; `time_zone` (IANA) says where it is on the wall clock."""
        return cls(date_time=moment, time_zone=time_zone)

    @property
    def is_all_day(self) -> bool:
        """Whether this is a date rather than an instant."""
        return self.date is not None

    def instant(self, default_zone: ZoneInfo) -> dt.datetime:
        """An aware instant: a date starts at midnight in `default_zone`."""
        if self.date is not None:
            return dt.datetime.combine(self.date, dt.time(), tzinfo=default_zone)
        assert self.date_time is not None
        return self.date_time


class Attendee(msgspec.Struct, frozen=True, rename="camel"):
    """A guest of an event. `is_self`: the guest is the calendar the event is in (Google's
    read-only `self`: the user, in their own calendar). The answer is the guest's: its status,
    its comment ("running late") and how many they bring (`additional_guests`)."""

    email: str
    response_status: str = "needsAction"
    display_name: str | None = None
    optional: bool = False
    is_self: bool = False
    comment: str | None = None
    additional_guests: int = 0


def with_answers(
    attendees: tuple[Attendee, ...], answered: tuple[Attendee, ...]
) -> tuple[Attendee, ...]:
    """The guest list `attendees`, each guest also in `answered` (by email, in any case)
    with the answer given there (and whether it is the user): a list edited here keeps what
    the guests answered in Google, and only the guests new to it wait for an answer."""
    known = {a.email.lower(): a for a in answered}
    return tuple(_answered(guest, known.get(guest.email.lower())) for guest in attendees)


def own_answer(attendees: tuple[Attendee, ...]) -> str | None:
    """The user's own answer (the guest Google marks `self`); None when they are no guest."""
    return next((a.response_status for a in attendees if a.is_self), None)


def with_own_answer(attendees: tuple[Attendee, ...], answer: str | None) -> tuple[Attendee, ...]:
    """The guest list with the user's own answer set to `answer` (unchanged when None)."""
    if answer is None:
        return attendees
    return tuple(
        msgspec.structs.replace(a, response_status=answer) if a.is_self else a for a in attendees
    )


def answers_kept(
    guests: tuple[Attendee, ...],
    *,
    google: tuple[Attendee, ...],
    base: tuple[Attendee, ...],
    local: tuple[Attendee, ...],
) -> tuple[Attendee, ...]:
    """The guest list `guests` with each guest's answer as `google` has it, but the user's own
    answer as `local` has it where they changed it here (it differs from `base`, the list
    Google had when they did): the others' answers are theirs, the user's is the user's."""
    mine = own_answer(local)
    changed_here = mine if mine is not None and mine != own_answer(base) else None
    return with_own_answer(with_answers(guests, google), changed_here)


def _answer(guest: Attendee) -> tuple[str, bool, str | None, int]:
    return (guest.response_status, guest.is_self, guest.comment, guest.additional_guests)


def _answered(guest: Attendee, known: Attendee | None) -> Attendee:
    if known is None or _answer(known) == _answer(guest):
        return guest
    return msgspec.structs.replace(
        guest,
        response_status=known.response_status,
        is_self=known.is_self,
        comment=known.comment,
        additional_guests=known.additional_guests,
    )


# Google's event types whose details touchbase may change. Others are Google's to keep: a
# birthday (from Google Contacts), an event Gmail made from an email, a working location, and
# any type Google adds later; Google refuses most changes to them (400 eventTypeRestriction:
# a birthday takes no private property, so not even a contact's link, nor a delete).
EDITABLE_EVENT_TYPES = frozenset({"default", "outOfOffice", "focusTime"})


class Conference(msgspec.Struct, frozen=True, rename="camel"):
    """How to join an event's video call: its link (https) and the service's name ("Google
    Meet"); Google's to keep. A Meet's `solution` ("hangoutsMeet") and `conference_id` let a
    new event made from this one (a series split at "this and following") keep the same call."""

    url: str
    name: str = ""
    solution: str = ""
    conference_id: str = ""

    @property
    def copyable_meet(self) -> bool:
        """Whether Google takes this call onto another event (a Meet, known by its id)."""
        return self.solution == "hangoutsMeet" and bool(self.conference_id)


class Attachment(msgspec.Struct, frozen=True, rename="camel"):
    """A file attached to the event in Google (a Drive file): its link (https), its title and
    its type; Google's to keep."""

    url: str
    title: str = ""
    mime_type: str = ""


class CalendarEvent(msgspec.Struct, frozen=True, rename="camel"):
    """One event, a recurring series, or one instance of a series."""

    title: str
    start: EventTime
    end: EventTime
    description: str = ""
    location: str = ""
    attendees: tuple[Attendee, ...] = ()
    recurrence: tuple[str, ...] = ()
    status: EventStatus = EventStatus.CONFIRMED
    # Shown as free: the event leaves its time free for other things (Google's transparency).
    transparent: bool = False
    contact_id: str | None = None
    touchpoint_id: str | None = None
    # The provider's identity and version of the event.
    id: str | None = None
    etag: str | None = None
    updated: dt.datetime | None = None
    sequence: int = 0
    recurring_event_id: str | None = None
    original_start: EventTime | None = None
    ical_uid: str | None = msgspec.field(default=None, name="iCalUID")
    html_link: str | None = None
    # Who organizes it (Google's organizer's email), whether this copy is the organizer's own
    # (Google's `organizer.self`: false in the copy of each guest), and whether guests may
    # change it too (`guestsCanModify`).
    organizer: str | None = None
    organizer_self: bool = True
    guests_can_modify: bool = False
    # Google's `eventType` ("default", "birthday", "fromGmail", "workingLocation", ...).
    event_type: str = "default"
    # The event's video call (Google's conferenceData, or its Meet link).
    conference: Conference | None = None
    # A Meet asked for here that Google has not made yet: the request's id, which makes
    # sending it again safe (Google makes one Meet per request id).
    conference_request: str | None = None
    # The files attached to it in Google.
    attachments: tuple[Attachment, ...] = ()
    # What was set on it in Google that touchbase keeps for a copy of it (None: nothing).
    settings: KeptSettings | None = None

    def replace(self, **changes: object) -> CalendarEvent:
        """A copy with some fields changed."""
        return msgspec.structs.replace(self, **changes)

    @property
    def declined(self) -> bool:
        """Whether the user declined it: an invitation kept in their calendar, not attended."""
        return any(a.is_self and a.response_status == "declined" for a in self.attendees)

    @property
    def organizer_only(self) -> bool:
        """Whether its details are its organizer's alone to change: the user's copy of someone
        else's event, whose guests may not modify it (Google refuses or ignores a change)."""
        return not self.organizer_self and not self.guests_can_modify

    @property
    def kept_by_google(self) -> bool:
        """Whether it is of a type whose details are Google's to keep (not changed here)."""
        return self.event_type not in EDITABLE_EVENT_TYPES

    @property
    def call_link(self) -> str | None:
        """Where its video call is joined, or None: what a person tells one call by."""
        return self.conference.url if self.conference else None

    @property
    def wants_conference(self) -> bool:
        """Whether a Meet was asked for here and the event has no video call yet."""
        return self.conference_request is not None and self.conference is None

    def details(self) -> tuple[object, ...]:
        """What every guest's copy shares: the content but for the user's own links."""
        return (
            self.title,
            self.description,
            self.location,
            self.start,
            self.end,
            frozenset(a.email.lower() for a in self.attendees),
            self.recurrence,
            self.status,
            self.call_link,
            self.wants_conference,
        )

    @property
    def my_response(self) -> str | None:
        """The user's answer to it when it is an invitation (someone else organizes it)."""
        return None if self.organizer_self else own_answer(self.attendees)

    def content(self) -> tuple[object, ...]:
        """What a person edits: equal content means the same event, whatever its version."""
        return (*self.details(), self.my_response, self.contact_id, self.touchpoint_id)

    def same_content(self, other: CalendarEvent) -> bool:
        """Whether two versions say the same thing to a person."""
        return self.content() == other.content()

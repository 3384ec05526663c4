"""What a person set on an event in Google that touchbase neither shows nor changes, but
keeps, so that a copy made here (the new series of "this and following", a meeting put back
after its deletion in Google) has it too, as Google's own copies do: who may see it, its
colour, its reminders, what its guests may do, other apps' properties, and how an
out-of-office or focus-time event answers invitations."""

from __future__ import annotations

import msgspec

# Google's values and bounds (its data is untrusted: anything else is not kept).
VISIBILITIES = frozenset({"default", "public", "private", "confidential"})
REMINDER_METHODS = frozenset({"email", "popup"})
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 40_320  # four weeks
DECLINE_MODES = frozenset(
    {"declineNone", "declineAllConflictingInvitations", "declineOnlyNewConflictingInvitations"}
)
CHAT_STATUSES = frozenset({"available", "doNotDisturb"})
MAX_DECLINE_MESSAGE = 1024
MAX_PROPERTIES = 300
MAX_PROPERTIES_SIZE = 32_768  # characters of keys and values, each of private and shared
MAX_PROPERTY_KEY = 44
MAX_PROPERTY_VALUE = 1024
# Event types whose copy is made as that type (with how it answers invitations).
COPIED_TYPES = frozenset({"outOfOffice", "focusTime"})

Properties = tuple[tuple[str, str], ...]


class Reminder(msgspec.Struct, frozen=True):
    """A reminder `minutes` before the event, by `method` ("popup" or "email")."""

    method: str
    minutes: int


class AutoDecline(msgspec.Struct, frozen=True, rename="camel"):
    """How an out-of-office or focus-time event answers invitations in its time."""

    mode: str
    message: str = ""
    chat_status: str = ""


class KeptSettings(msgspec.Struct, frozen=True, rename="camel"):
    """The settings a copy keeps; None (or empty) where the event has Google's default."""

    visibility: str | None = None
    color_id: str | None = None
    # None: the calendar's default reminders; () none at all.
    reminders: tuple[Reminder, ...] | None = None
    guests_can_invite_others: bool | None = None
    guests_can_see_other_guests: bool | None = None
    shared_properties: Properties = ()
    # Other apps' private properties (touchbase's own links are the event's own fields).
    private_properties: Properties = ()
    auto_decline: AutoDecline | None = None

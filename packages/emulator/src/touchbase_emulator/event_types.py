"""Google's rules for events of a special type (its guide "Event types", and the answers its
API gives): the type is set when an event is made and never changes; a birthday takes a
change of its title, colour, reminders and day only, no private extended property, and no
delete; an event Gmail made from an email takes a change of its reminders, colour,
visibility, status and extended properties only. Each refusal is a 400."""

from __future__ import annotations

from touchbase_emulator.errors import ApiError
from touchbase_emulator.state import Json

# What a request may change, by type (a type not named here takes any change).
CHANGEABLE = {
    "birthday": frozenset({"summary", "colorId", "reminders", "start", "end"}),
    "fromGmail": frozenset({"reminders", "colorId", "visibility", "status", "extendedProperties"}),
}
# What the server writes itself on every change.
_SERVER_SET = frozenset(
    {"kind", "id", "etag", "created", "updated", "sequence", "htmlLink", "iCalUID"}
    | {"creator", "organizer"}
)


def _restricted(event_type: str) -> ApiError:
    return ApiError(
        400,
        "eventTypeRestriction",
        f"Attempt made to modify '{event_type}' event in a way that is not valid for this "
        "event type.",
        domain="calendar",
    )


def check_write(current: Json, changed: Json) -> None:
    """Refuse a change its type does not allow (a patch merged, or a whole replacement)."""
    kind = str(current.get("eventType") or "default")
    if str(changed.get("eventType") or kind) != kind:
        raise _restricted(kind)
    allowed = CHANGEABLE.get(kind)
    if allowed is None:
        return
    keys = (set(current) | set(changed)) - _SERVER_SET
    if any(current.get(key) != changed.get(key) for key in keys - allowed):
        raise _restricted(kind)
    if kind == "birthday" and (changed.get("extendedProperties") or {}).get("private"):
        raise ApiError(
            400,
            "invalid",
            "'birthday' event type must not have private extended properties.",
            domain="calendar",
        )


def check_delete(current: Json) -> None:
    """A birthday is not deleted through the API (its contact, or the birthdays calendar)."""
    if current.get("eventType") == "birthday":
        raise _restricted("birthday")

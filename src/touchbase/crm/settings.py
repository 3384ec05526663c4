"""A user's own settings: the working hours touchpoints are placed in, whether the pages email
guests about the user's changes, and the time zone the pages show."""

from __future__ import annotations

from typing import Any

import msgspec

from touchbase.calendar.actors import Actor, audit
from touchbase.calendar.services import CalendarServices
from touchbase.domain.touchpoints import WorkingHours, WorkingHoursError
from touchbase.domain.validation import is_valid_time_zone
from touchbase.errors import InvalidSettingError
from touchbase.store.models import User

# Before a change of an event with guests, the pages ask, always send, or never send.
GUEST_EMAILS = ("ask", "send", "never")


class UserSettings(msgspec.Struct, frozen=True):
    """What the settings page shows and changes."""

    working_hours: WorkingHours
    guest_emails: str = "ask"
    time_zone: str | None = None

    @classmethod
    def of(cls, user: User | None) -> UserSettings:
        if user is None:
            return cls(WorkingHours.read(None))
        return cls(WorkingHours.read(user.working_hours), user.guest_emails, user.time_zone)


class SettingsChange(msgspec.Struct, frozen=True):
    """The settings a request changes (None: left as they are; a time zone of "": the
    browser's own again)."""

    working_hours: tuple[str, str, list[int]] | None = None
    guest_emails: str | None = None
    time_zone: str | None = None


async def get_settings(services: CalendarServices, user_id: str) -> UserSettings:
    """The user's settings (the defaults where none are set)."""
    async with services.db.read() as session:
        return UserSettings.of(await session.get(User, user_id))


def _checked_hours(start: str, end: str, days: list[int]) -> WorkingHours:
    try:
        return WorkingHours.checked(start, end, days)
    except WorkingHoursError as exc:
        field = f"workingHours.{exc.field}"
        raise InvalidSettingError(f"{field}: {exc.message}", field=field) from None


async def change_settings(
    services: CalendarServices, actor: Actor, change: SettingsChange
) -> UserSettings:
    """Change some settings, audited, all or none; a bad part -> InvalidSettingError naming
    it (`workingHours.<part>`, `guestEmails`)."""
    hours = _checked_hours(*change.working_hours) if change.working_hours else None
    if change.guest_emails is not None and change.guest_emails not in GUEST_EMAILS:
        raise InvalidSettingError("guestEmails: ask, send or never.", field="guestEmails")
    if change.time_zone and not is_valid_time_zone(change.time_zone):
        raise InvalidSettingError("timeZone: not a time zone name.", field="timeZone")
    now = services.clock()
    async with services.db.session() as session:
        user = await session.get_one(User, actor.user_id, with_for_update=True)
        before = UserSettings.of(user)
        if hours is not None:
            user.working_hours = hours.stored()
        if change.guest_emails is not None:
            user.guest_emails = change.guest_emails
        if change.time_zone is not None:
            user.time_zone = change.time_zone or None
        after = UserSettings.of(user)
        changes = _differences(before, after)
        if changes:
            audit(session, actor, None, action="settings_update", now=now, changes=changes)
    return after


def _differences(before: UserSettings, after: UserSettings) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if before.working_hours.stored() != after.working_hours.stored():
        changes["workingHours"] = {
            "before": before.working_hours.stored(),
            "after": after.working_hours.stored(),
        }
    for field, name in (("guest_emails", "guestEmails"), ("time_zone", "timeZone")):
        was, now = getattr(before, field), getattr(after, field)
        if was != now:
            changes[name] = {"before": was, "after": now}
    return changes

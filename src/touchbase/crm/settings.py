"""A user's own settings: the working hours touchpoints are placed in."""

from __future__ import annotations

from typing import Any

import msgspec

from touchbase.calendar.events import Actor, audit
from touchbase.calendar.services import CalendarServices
from touchbase.domain.touchpoints import WorkingHours, WorkingHoursError
from touchbase.errors import InvalidSettingError
from touchbase.store.models import User


class UserSettings(msgspec.Struct, frozen=True):
    """What the settings page shows and changes."""

    working_hours: WorkingHours


async def get_settings(services: CalendarServices, user_id: str) -> UserSettings:
    """The user's settings (the defaults where none are set)."""
    async with services.db.session() as session:
        user = await session.get(User, user_id)
        return UserSettings(WorkingHours.read(user.working_hours if user else None))


async def set_working_hours(
    services: CalendarServices, actor: Actor, start: str, end: str, days: list[int]
) -> UserSettings:
    """Change the working hours (audited); a bad part -> InvalidSettingError naming it as
    `workingHours.<part>`."""
    try:
        hours = WorkingHours.checked(start, end, days)
    except WorkingHoursError as exc:
        field = f"workingHours.{exc.field}"
        raise InvalidSettingError(f"{field}: {exc.message}", field=field) from None
    now = services.clock()
    async with services.db.session() as session:
        user = await session.get_one(User, actor.user_id, with_for_update=True)
        before: dict[str, Any] = WorkingHours.read(user.working_hours).stored()
        if before != hours.stored():
            user.working_hours = hours.stored()
            await audit(
                session,
                actor,
                None,
                action="settings_update",
                now=now,
                changes={"workingHours": {"before": before, "after": hours.stored()}},
            )
    return UserSettings(hours)

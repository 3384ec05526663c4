"""/api/settings: the signed-in user's own settings."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import ConfigDict, Field

from touchbase.crm.settings import SettingsChange, UserSettings, change_settings, get_settings
from touchbase.errors import InvalidSettingError
from touchbase.web.deps import CurrentActor, MutatingActor, Services
from touchbase.web.errors import invalid_input_as
from touchbase.web.schemas import RequestBody

router = APIRouter(prefix="/api/settings", route_class=invalid_input_as(InvalidSettingError))


class WorkingHoursBody(RequestBody):
    """When touchpoints given only a day are placed, on the primary calendar's clock."""

    model_config = ConfigDict(extra="forbid")
    start: str = Field(max_length=5, description="HH:MM, such as 09:00")
    end: str = Field(max_length=5, description="HH:MM, after the start")
    days: list[int] = Field(
        default=[0, 1, 2, 3, 4],
        max_length=7,
        description="The working days, 0 (Monday) to 6 (Sunday): a cadence plans on these.",
    )


class SettingsPatch(RequestBody):
    """PATCH /api/settings: the settings to change (those left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")
    workingHours: WorkingHoursBody | None = None
    guestEmails: Literal["ask", "send", "never"] | None = Field(
        default=None,
        description="Before a change of an event with guests, the pages ask whether to email "
        "them (`ask`), always do (`send`) or never do (`never`).",
    )
    timeZone: str | None = Field(
        default=None,
        max_length=64,
        description="The IANA time zone the pages show times in; an empty string: the "
        "browser's own.",
    )


def _view(settings: UserSettings) -> dict[str, Any]:
    return {
        "workingHours": settings.working_hours.stored(),
        "guestEmails": settings.guest_emails,
        "timeZone": settings.time_zone,
    }


@router.get("")
async def read(services: Services, actor: CurrentActor) -> dict[str, Any]:
    """The user's settings."""
    return _view(await get_settings(services, actor.user_id))


@router.patch("")
async def change(services: Services, actor: MutatingActor, body: SettingsPatch) -> dict[str, Any]:
    """Change the working hours, whether the pages email guests about changes, or the time
    zone the pages show."""
    hours = body.workingHours
    change = SettingsChange(
        working_hours=(hours.start, hours.end, hours.days) if hours else None,
        guest_emails=body.guestEmails,
        time_zone=body.timeZone,
    )
    return _view(await change_settings(services, actor, change))

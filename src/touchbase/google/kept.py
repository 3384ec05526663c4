"""What a copy of an event keeps of what was set on it in Google (`KeptSettings`, and its
attached files): read from an event resource, bounded (Google's data is untrusted: a value
Google would not give is not kept), and written into the body of the copy's insert."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from touchbase.domain.events import Attachment
from touchbase.domain.kept_settings import (
    CHAT_STATUSES,
    COPIED_TYPES,
    DECLINE_MODES,
    MAX_DECLINE_MESSAGE,
    MAX_PROPERTIES,
    MAX_PROPERTIES_SIZE,
    MAX_PROPERTY_KEY,
    MAX_PROPERTY_VALUE,
    MAX_REMINDER_MINUTES,
    MAX_REMINDERS,
    REMINDER_METHODS,
    VISIBILITIES,
    AutoDecline,
    KeptSettings,
    Properties,
    Reminder,
)
from touchbase.domain.sanitize import clean_description, clean_join_link, clean_line
from touchbase.google.models import AutoDeclineProperties, EventResource, Reminders

_COLOR_IDS = frozenset(str(n) for n in range(1, 12))
# Google's number of attachments, and bounds of what is shown of each.
MAX_ATTACHMENTS = 25
MAX_ATTACHMENT_TITLE = 256
_MIME_TYPE = re.compile(r"^[\w.+-]{1,64}/[\w.+-]{1,100}$")
_TYPE_PROPERTIES = {"outOfOffice": "outOfOfficeProperties", "focusTime": "focusTimeProperties"}


def settings_of(resource: EventResource, *, own_keys: frozenset[str]) -> KeptSettings | None:
    """What a copy of this event keeps (None: nothing but Google's defaults); `own_keys` are
    touchbase's private properties, which are the event's own fields."""
    properties = resource.extended_properties
    private = (properties and properties.private) or {}
    settings = KeptSettings(
        visibility=resource.visibility if resource.visibility in VISIBILITIES else None,
        color_id=resource.color_id if resource.color_id in _COLOR_IDS else None,
        reminders=_reminders(resource.reminders),
        guests_can_invite_others=resource.guests_can_invite_others,
        guests_can_see_other_guests=resource.guests_can_see_other_guests,
        shared_properties=_properties((properties and properties.shared) or {}),
        private_properties=_properties({k: v for k, v in private.items() if k not in own_keys}),
        auto_decline=_auto_decline(
            resource.out_of_office_properties or resource.focus_time_properties
        ),
    )
    return None if settings == KeptSettings() else settings


def _reminders(value: Reminders | None) -> tuple[Reminder, ...] | None:
    if value is None or value.use_default is not False:
        return None
    kept = (
        Reminder(o.method, o.minutes)
        for o in value.overrides or ()
        if o.method in REMINDER_METHODS
        and o.minutes is not None
        and 0 <= o.minutes <= MAX_REMINDER_MINUTES
    )
    return tuple(kept)[:MAX_REMINDERS]


def _properties(values: Mapping[str, str]) -> Properties:
    """At most Google's number and size of properties, in key order."""
    kept: list[tuple[str, str]] = []
    size = 0
    for key, value in sorted(values.items())[:MAX_PROPERTIES]:
        size += len(key) + len(value)
        if size > MAX_PROPERTIES_SIZE:
            break
        if 0 < len(key) <= MAX_PROPERTY_KEY and len(value) <= MAX_PROPERTY_VALUE:
            kept.append((key, value))
    return tuple(kept)


def _auto_decline(value: AutoDeclineProperties | None) -> AutoDecline | None:
    if value is None or value.auto_decline_mode not in DECLINE_MODES:
        return None
    message = clean_description(value.decline_message or "", strip=False)
    return AutoDecline(
        mode=value.auto_decline_mode,
        message=message[:MAX_DECLINE_MESSAGE],
        chat_status=value.chat_status if value.chat_status in CHAT_STATUSES else "",
    )


def attachments_of(resource: EventResource) -> tuple[Attachment, ...]:
    """The event's attached files: https links only, titles one clean line, at most Google's
    number of them."""
    kept = []
    for item in (resource.attachments or ())[:MAX_ATTACHMENTS]:
        url = clean_join_link(item.file_url)
        if url is None:
            continue
        mime = item.mime_type if item.mime_type and _MIME_TYPE.fullmatch(item.mime_type) else ""
        title = clean_line(item.title or "")[:MAX_ATTACHMENT_TITLE]
        kept.append(Attachment(url=url, title=title, mime_type=mime))
    return tuple(kept)


def attachments_body(attachments: tuple[Attachment, ...]) -> dict[str, Any]:
    """The attachments of an insert (sent with supportsAttachments=true)."""
    if not attachments:
        return {}
    wire = [{"fileUrl": a.url, "title": a.title, "mimeType": a.mime_type} for a in attachments]
    return {"attachments": [{k: v for k, v in item.items() if v} for item in wire]}


def settings_body(
    settings: KeptSettings | None, event_type: str, crm: dict[str, str]
) -> dict[str, Any]:
    """The fields of an insert that give the copy these settings (and touchbase's own
    private properties `crm`), and its type where it is made as one."""
    settings = settings or KeptSettings()
    body: dict[str, Any] = {"eventType": event_type} if event_type in COPIED_TYPES else {}
    for key, value in (
        ("visibility", settings.visibility),
        ("colorId", settings.color_id),
        ("guestsCanInviteOthers", settings.guests_can_invite_others),
        ("guestsCanSeeOtherGuests", settings.guests_can_see_other_guests),
    ):
        if value is not None:
            body[key] = value
    if settings.reminders is not None:
        overrides = [{"method": r.method, "minutes": r.minutes} for r in settings.reminders]
        body["reminders"] = {"useDefault": False, "overrides": overrides}
    scopes = {
        "private": {**dict(settings.private_properties), **crm},
        "shared": dict(settings.shared_properties),
    }
    if any(scopes.values()):
        body["extendedProperties"] = {scope: v for scope, v in scopes.items() if v}
    decline = settings.auto_decline
    if decline is not None and event_type in _TYPE_PROPERTIES:
        wire = {"autoDeclineMode": decline.mode, "declineMessage": decline.message}
        if decline.chat_status and event_type == "focusTime":
            wire["chatStatus"] = decline.chat_status
        body[_TYPE_PROPERTIES[event_type]] = wire
    return body

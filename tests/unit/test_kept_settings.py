"""What a copy keeps of an event's settings in Google, read as untrusted input: only values
Google would give, within Google's bounds; touchbase's own properties are not among them."""

from __future__ import annotations

from typing import Any

from touchbase.domain import CalendarEvent
from touchbase.domain.kept_settings import AutoDecline, KeptSettings, Reminder
from touchbase.google.mapping import CONTACT_KEY, event_body, to_domain
from touchbase.google.models import EventResource, convert


def _event(**fields: Any) -> CalendarEvent:
    """The domain event of a resource from Google with these fields."""
    resource = convert(
        EventResource,
        {
            "id": "x1234",
            "start": {"dateTime": "2027-01-01T10:00:00Z"},
            "end": {"dateTime": "2027-01-01T11:00:00Z"},
            **fields,
        },
    )
    return to_domain(resource)


def _read(**fields: Any) -> KeptSettings | None:
    return _event(**fields).settings


def test_an_event_with_googles_defaults_keeps_nothing() -> None:
    assert _read() is None
    assert _read(reminders={"useDefault": True}, extendedProperties={"private": {}}) is None


def test_only_values_google_gives_are_kept() -> None:
    assert _read(visibility="secret", colorId="99") is None
    assert _read(visibility="private", colorId="11") == KeptSettings(
        visibility="private", color_id="11"
    )
    overrides = [
        {"method": "sms", "minutes": 10},
        {"method": "popup", "minutes": -5},
        {"method": "popup", "minutes": 99_999},
        {"method": "popup"},
        *({"method": "email", "minutes": n} for n in range(10)),
    ]
    kept = _read(reminders={"useDefault": False, "overrides": overrides})
    assert kept is not None
    assert kept.reminders == tuple(Reminder("email", n) for n in range(5))
    none_at_all = _read(reminders={"useDefault": False})
    assert none_at_all is not None
    assert none_at_all.reminders == ()


def test_properties_are_other_apps_within_googles_bounds() -> None:
    private = {CONTACT_KEY: "c1", "app": "1", "k" * 45: "too long a key", "big": "v" * 1025}
    shared = {f"key{n:03}": "v" * 1000 for n in range(40)}
    kept = _read(extendedProperties={"private": private, "shared": shared})
    assert kept is not None
    assert kept.private_properties == (("app", "1"),)
    assert len(kept.shared_properties) == 32  # 32 KB of keys and values
    assert kept.shared_properties[0] == ("key000", "v" * 1000)


def test_an_answer_to_invitations_is_one_known_mode_and_clean_text() -> None:
    kept = _read(
        eventType="outOfOffice",
        outOfOfficeProperties={
            "autoDeclineMode": "declineAllConflictingInvitations",
            "declineMessage": "Away\u202e\x00 until Monday." + "!" * 2000,
        },
    )
    assert kept is not None
    assert kept.auto_decline is not None
    assert kept.auto_decline.mode == "declineAllConflictingInvitations"
    assert kept.auto_decline.message.startswith("Away until Monday.")
    assert len(kept.auto_decline.message) == 1024
    assert _read(outOfOfficeProperties={"autoDeclineMode": "declineEverything"}) is None


def test_a_copy_is_made_with_the_settings_and_touchbases_own_links() -> None:
    settings = KeptSettings(
        visibility="private",
        reminders=(Reminder("popup", 10),),
        private_properties=(("app", "1"),),
        shared_properties=(("deal", "42"),),
        auto_decline=AutoDecline(mode="declineNone", message="Focus", chat_status="doNotDisturb"),
    )
    event = _event(eventType="focusTime").replace(settings=settings, contact_id="c1")
    body = event_body(event)
    assert body["visibility"] == "private"
    assert body["reminders"] == {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": 10}],
    }
    assert body["extendedProperties"] == {
        "private": {"app": "1", CONTACT_KEY: "c1"},
        "shared": {"deal": "42"},
    }
    assert body["eventType"] == "focusTime"
    assert body["focusTimeProperties"] == {
        "autoDeclineMode": "declineNone",
        "declineMessage": "Focus",
        "chatStatus": "doNotDisturb",
    }
    assert "eventType" not in event_body(event.replace(event_type="default", settings=None))


def test_attached_files_are_https_links_within_googles_number() -> None:
    files = [
        {"fileUrl": "https://drive.google.com/file/d/1", "mimeType": "text/html; x=<script>"},
        *(
            {"fileUrl": f"https://drive.google.com/file/d/{n}", "mimeType": "application/pdf"}
            for n in range(2, 40)
        ),
    ]
    event = _event(attachments=files)
    assert len(event.attachments) == 25
    assert (event.attachments[0].mime_type, event.attachments[1].mime_type) == (
        "",
        "application/pdf",
    )
    body = event_body(event)
    assert body["attachments"][0] == {"fileUrl": "https://drive.google.com/file/d/1"}
    assert len(body["attachments"]) == 25

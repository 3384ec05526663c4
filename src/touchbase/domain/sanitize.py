"""Cleaning what people and Google send: control characters out, only the simple HTML
Google Calendar shows in a description (cleaned by nh3, a binding of the ammonia sanitizer),
and only web links. Every event passes here, from the API or from Google (untrusted alike)."""

from __future__ import annotations

import re

import msgspec
import nh3

from touchbase.domain.events import Attendee, CalendarEvent

# Everything in C0/C1 but tab and newline, plus DEL; and the bidirectional embeddings,
# overrides and isolates, which make text show other than it reads ("\u202eexe.pdf" shows as
# "fdp.exe": a meeting's title from anyone, a name in an imported file). The marks that
# only set a direction (U+200E, U+200F) stay.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
DESCRIPTION_TAGS = {"a", "b", "strong", "i", "em", "u", "br", "p", "ul", "ol", "li", "span"}
DESCRIPTION_ATTRIBUTES = {"a": {"href"}}
_MARKUP = re.compile("[<>&\xa0]")
WEB_LINK = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)
# A video call's link, as a "Join" button opens it: https only, of a sane length.
JOIN_LINK = re.compile(r"^https://[^\s<>\"'`]{1,2040}$", re.IGNORECASE)


def without_nul(data: object) -> object:
    """`data` (parsed JSON) with every NUL character taken out of its strings, keys too. No
    text needs one, PostgreSQL cannot store one (a statement binding one fails), and the other
    control characters are taken out of text fields anyway."""
    if isinstance(data, str):
        return data.replace("\x00", "")
    if isinstance(data, dict):
        return {without_nul(key): without_nul(value) for key, value in data.items()}
    if isinstance(data, list):
        return [without_nul(item) for item in data]
    return data


def clean_line(text: str) -> str:
    """A one-line field (title, location): no control characters, no line breaks."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", text)).strip()


def clean_description(text: str, *, strip: bool = True) -> str:
    """A description: control characters out, HTML reduced to what Google Calendar allows
    (and, unless told otherwise, no white space around it)."""
    if not _MARKUP.search(text):  # plain text: nh3 would give it back as it is
        plain = _CONTROL.sub("", text.replace("\r\n", "\n"))
        return plain.strip() if strip else plain
    cleaned = nh3.clean(
        _CONTROL.sub("", text.replace("\r\n", "\n")),
        tags=DESCRIPTION_TAGS,
        attributes=DESCRIPTION_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
    )
    return cleaned.strip() if strip else cleaned


def clean_link(url: str | None) -> str | None:
    """A link to show: http(s) only (never `javascript:` or `data:`), else none."""
    return url if url is not None and WEB_LINK.fullmatch(url) else None


def clean_join_link(url: str | None) -> str | None:
    """A video call's link: https only (never `javascript:`, nor a plain http page a
    network could change), at most 2,048 characters; else none."""
    return url if url is not None and JOIN_LINK.fullmatch(url) else None


def _is_clean_line(text: str) -> bool:
    # isprintable() is False for every control character (and for some harmless ones, which
    # then take the slow path); strip() returns the same string when there is nothing to strip.
    return text.isprintable() and text.strip() is text


def _is_clean_text(text: str) -> bool:
    if "<" in text or ">" in text or "&" in text or "\xa0" in text:
        return False
    return text.isprintable() or _CONTROL.search(text) is None


def _is_clean(event: CalendarEvent) -> bool:
    return (
        _is_clean_line(event.title)
        and _is_clean_line(event.location)
        and _is_clean_text(event.description)
        and all(_is_clean_attendee(a) for a in event.attendees)
        and (event.html_link is None or WEB_LINK.fullmatch(event.html_link) is not None)
        and (event.organizer is None or _is_clean_line(event.organizer))
    )


def _is_clean_attendee(attendee: Attendee) -> bool:
    return _is_clean_line(attendee.email) and all(
        text is None or _is_clean_line(text) for text in (attendee.display_name, attendee.comment)
    )


def _clean_attendee(attendee: Attendee) -> Attendee:
    if _is_clean_attendee(attendee):
        return attendee
    name, comment = attendee.display_name, attendee.comment
    return msgspec.structs.replace(
        attendee,
        email=clean_line(attendee.email),
        display_name=None if name is None else clean_line(name),
        comment=None if comment is None else clean_line(comment),
    )


def clean_event(event: CalendarEvent) -> CalendarEvent:
    """The event with every free-text field cleaned and every link checked (the same object
    when there was nothing to clean: a sync checks thousands)."""
    if _is_clean(event):
        return event
    changes: dict[str, object] = {}
    for field in ("title", "location"):
        value = getattr(event, field)
        if not _is_clean_line(value):
            changes[field] = clean_line(value)
    if not _is_clean_text(event.description):  # white space around it is harmless
        changes["description"] = clean_description(event.description, strip=False)
    attendees = tuple(_clean_attendee(a) for a in event.attendees)
    if any(new is not old for new, old in zip(attendees, event.attendees, strict=True)):
        changes["attendees"] = attendees
    if event.html_link is not None and WEB_LINK.fullmatch(event.html_link) is None:
        changes["html_link"] = None
    if event.organizer is not None and not _is_clean_line(event.organizer):
        changes["organizer"] = clean_line(event.organizer) or None
    return event.replace(**changes) if changes else event

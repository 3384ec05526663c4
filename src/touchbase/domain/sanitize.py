"""Cleaning what people and Google send: control characters out, only the simple HTML
Google Calendar shows in a description (cleaned by nh3, a binding of the ammonia sanitizer),
and only web links. Every event passes here, from the API or from Google (untrusted alike)."""

from __future__ import annotations

import re

import msgspec
import nh3

from touchbase.domain.events import CalendarEvent

# Everything in C0/C1 but tab and newline, plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
DESCRIPTION_TAGS = {"a", "b", "strong", "i", "em", "u", "br", "p", "ul", "ol", "li", "span"}
DESCRIPTION_ATTRIBUTES = {"a": {"href"}}
_MARKUP = re.compile("[<>&\xa0]")
# What clean_line or clean_description would change.
_DIRTY_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]|^\s|\s$")
_DIRTY_TEXT = re.compile("[<>&\xa0\x00-\x08\x0b-\x1f\x7f-\x9f]")
WEB_LINK = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def clean_line(text: str) -> str:
    """A one-line field (title, location): no control characters, no line breaks."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", text)).strip()


def clean_description(text: str) -> str:
    """A description: control characters out, HTML reduced to what Google Calendar allows."""
    if not _MARKUP.search(text):  # plain text: nh3 would give it back as it is
        return _CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    cleaned = nh3.clean(
        _CONTROL.sub("", text.replace("\r\n", "\n")),
        tags=DESCRIPTION_TAGS,
        attributes=DESCRIPTION_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
    )
    return cleaned.strip()


def clean_link(url: str | None) -> str | None:
    """A link to show: http(s) only (never `javascript:` or `data:`), else none."""
    return url if url is not None and WEB_LINK.match(url) else None


def _is_clean_line(text: str) -> bool:
    return _DIRTY_LINE.search(text) is None


def _is_clean(event: CalendarEvent) -> bool:
    """Whether cleaning would change nothing (most events: a sync checks thousands)."""
    description = event.description
    return (
        _is_clean_line(event.title)
        and _is_clean_line(event.location)
        and _DIRTY_TEXT.search(description) is None
        and description == description.strip()
        and all(
            _is_clean_line(a.email) and (a.display_name is None or _is_clean_line(a.display_name))
            for a in event.attendees
        )
        and (event.html_link is None or WEB_LINK.match(event.html_link) is not None)
    )


def clean_event(event: CalendarEvent) -> CalendarEvent:
    """The event with every free-text field cleaned and every link checked."""
    if _is_clean(event):
        return event
    attendees = tuple(
        msgspec.structs.replace(
            a,
            email=clean_line(a.email),
            display_name=None if a.display_name is None else clean_line(a.display_name),
        )
        for a in event.attendees
    )
    return event.replace(
        title=clean_line(event.title),
        location=clean_line(event.location),
        description=clean_description(event.description),
        attendees=attendees,
        html_link=clean_link(event.html_link),
    )

"""Cleaning text from people: control characters out, and only the simple HTML Google
Calendar shows in a description (cleaned by nh3, a binding of the ammonia sanitizer)."""

from __future__ import annotations

import re

import nh3

# Everything in C0/C1 but tab and newline, plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
DESCRIPTION_TAGS = {"a", "b", "strong", "i", "em", "u", "br", "p", "ul", "ol", "li", "span"}
DESCRIPTION_ATTRIBUTES = {"a": {"href"}}


def clean_line(text: str) -> str:
    """A one-line field (title, location): no control characters, no line breaks."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", text)).strip()


def clean_description(text: str) -> str:
    """A description: control characters out, HTML reduced to what Google Calendar allows."""
    cleaned = nh3.clean(
        _CONTROL.sub("", text.replace("\r\n", "\n")),
        tags=DESCRIPTION_TAGS,
        attributes=DESCRIPTION_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
    )
    return cleaned.strip()

"""Cleaning events (pure): what people and Google send loses its scripts, control characters
and odd links; a clean event passes through untouched."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from touchbase.domain import Attendee, CalendarEvent, EventTime
from touchbase.domain.sanitize import clean_event, clean_join_link, clean_link
from touchbase.domain.validation import is_valid_email
from touchbase.google.ids import is_valid_event_id

START = EventTime.at(datetime(2027, 1, 1, 9, tzinfo=UTC))
END = EventTime.at(datetime(2027, 1, 1, 10, tzinfo=UTC))


def event(**fields: object) -> CalendarEvent:
    return CalendarEvent(title="t", start=START, end=END).replace(**fields)


def test_a_clean_event_is_returned_as_it_is() -> None:
    clean = event(
        title="Weekly sync",
        location="Room 4",
        description="Agenda: numbers",
        attendees=(Attendee("a@b.co", display_name="A B"),),
        html_link="https://www.google.com/calendar/event?eid=abc",
    )
    assert clean_event(clean) is clean


def test_scripts_control_characters_and_odd_links_are_removed() -> None:
    dirty = event(
        title=" Call\x00 with\x07 Dana\n",
        location="Room\r\n4",
        description='<p>Hi</p><script>alert(1)</script><img src=x onerror="alert(2)">',
        attendees=(Attendee("a@b.co", display_name="Dana\x1b"),),
        html_link="javascript:alert(1)",
    )
    cleaned = clean_event(dirty)
    assert cleaned.title == "Call with Dana"
    assert cleaned.location == "Room 4"
    assert "script" not in cleaned.description
    assert "onerror" not in cleaned.description
    assert "<p>Hi</p>" in cleaned.description
    assert cleaned.attendees[0].display_name == "Dana"
    assert cleaned.html_link is None


def test_text_cannot_show_other_than_it_reads() -> None:
    """Bidirectional overrides, embeddings and isolates go; a right-to-left title stays."""
    spoofed = event(title="Invoice \u202egpj.exe", location="\u2067Room\u2069 4")
    cleaned = clean_event(spoofed)
    assert (cleaned.title, cleaned.location) == ("Invoice gpj.exe", "Room 4")
    hebrew = event(title="\u05e4\u05d2\u05d9\u05e9\u05d4 \u200fwith Dana")
    assert clean_event(hebrew) == hebrew


TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " x", "x ", "<b>x</b>", "a & b", "\x00", "tab\there", "line\nbreak", "\u00a0"]
)
LINK = st.none() | st.sampled_from(["https://x.example/a", "javascript:alert(1)", "data:,x"])


@settings(max_examples=300)
@given(TEXT, TEXT, TEXT, TEXT, LINK)
def test_cleaning_is_idempotent_and_its_fast_path_agrees(
    title: str, location: str, description: str, name: str, link: str | None
) -> None:
    once = clean_event(
        event(
            title=title,
            location=location,
            description=description,
            attendees=(Attendee("a@b.co", display_name=name),),
            html_link=link,
        )
    )
    assert clean_event(once) == once  # cleaned means nothing left to clean
    texts = (once.title, once.location, once.description, name)
    if all(t.isascii() for t in texts) and not any(c in once.description for c in "<>&"):
        assert clean_event(once) is once  # and plain text takes the fast path


def test_a_value_with_a_line_break_at_its_end_is_not_taken_for_a_clean_one() -> None:
    """`$` matches before a final newline: every check reads the whole value."""
    assert clean_link("https://example.com/a\n") is None
    assert clean_join_link("https://meet.google.com/abc-defg-hij\n") is None
    assert clean_join_link("https://meet.google.com/abc-defg-hij") is not None
    assert not is_valid_email("dana@example.com\n")
    assert is_valid_email("dana@example.com")
    assert not is_valid_event_id("abcdef0123\n")
    assert is_valid_event_id("abcdef0123")

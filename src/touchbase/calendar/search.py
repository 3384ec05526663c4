"""Search: the user's events whose title, location, description, guests or linked contact
hold every word asked, across all time, upcoming and past apart, a page at a time."""

from __future__ import annotations

from touchbase.calendar.listing import EventPage, gone_instance
from touchbase.calendar.records import EventRecord
from touchbase.calendar.services import CalendarServices
from touchbase.errors import InvalidEventError
from touchbase.store import search as search_store

MAX_PAGE = 50
MAX_OFFSET = 10_000


def _offset(page_token: str | None) -> int:
    if page_token is None:
        return 0
    kind, _, number = page_token.partition(":")
    if kind != "o" or not number.isdigit() or int(number) > MAX_OFFSET:
        raise InvalidEventError("This page token is not one search gave.", field="pageToken")
    return int(number)


async def search_events(
    services: CalendarServices,
    user_id: str,
    query: str,
    *,
    upcoming: bool,
    limit: int = 20,
    page_token: str | None = None,
) -> EventPage:
    """A page of the user's events matching `query`: upcoming ones soonest first, or past
    ones latest first."""
    words = search_store.words_of(query)
    if not words:
        raise InvalidEventError("Give a word to search for.", field="q")
    offset = _offset(page_token)
    async with services.db.read() as session:
        rows = await search_store.find_events(
            session,
            user_id,
            words,
            now=services.clock(),
            upcoming=upcoming,
            limit=limit + 1,
            offset=offset,
        )
        more = len(rows) > limit
        shown = [EventRecord.of(r) for r in rows[:limit] if not await gone_instance(session, r)]
    token = f"o:{offset + limit}" if more and offset + limit <= MAX_OFFSET else None
    return EventPage(shown, token)

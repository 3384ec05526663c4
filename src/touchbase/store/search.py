"""Full-text search over a user's events (the index migration 0016 keeps: SQLite FTS5, or a
PostgreSQL tsvector with a GIN index): the words of a query, each a prefix, all of them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from touchbase.store.models import Event
from touchbase.store.sqlite_driver import OFF_THE_LOOP

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that say how a person asks, not what they look for ("meetings with Dana").
_FILLER = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "with",
        "of",
        "for",
        "to",
        "on",
        "in",
        "at",
        "my",
        "our",
        "me",
        "meeting",
        "meetings",
        "event",
        "events",
    ]
)
MAX_WORDS = 8
MAX_WORD = 40


def words_of(query: str) -> list[str]:
    """The words searched for: letters and digits only (so nothing in a query is syntax),
    filler left out unless nothing else is given."""
    found = [w.lower()[:MAX_WORD] for w in _WORD.findall(query)]
    meaningful = [w for w in found if w not in _FILLER] or found
    return list(dict.fromkeys(meaningful))[:MAX_WORDS]


def _sqlite_match(words: Sequence[str]) -> ColumnElement[bool]:
    index = table("event_search", column("rowid"), column("doc"))
    expression = " ".join(f'"{w}"*' for w in words)
    matched = select(index.c.rowid).where(literal_column("event_search").op("MATCH")(expression))
    return literal_column("events.rowid").in_(matched)


def _postgres_match(words: Sequence[str]) -> ColumnElement[bool]:
    index = table("event_search", column("event_id"), column("doc"))
    query = func.to_tsquery("simple", " & ".join(f"{w}:*" for w in words))
    matched = select(index.c.event_id).where(index.c.doc.op("@@")(query))
    return Event.id.in_(matched)


def matching(
    dialect: str, user_id: str, words: Sequence[str], *, now: datetime, upcoming: bool
) -> Select[Event]:
    """The user's live events matching every word: those not over yet soonest first, or
    those over, latest first."""
    match = _postgres_match(words) if dialect == "postgresql" else _sqlite_match(words)
    when = Event.end_at > now if upcoming else Event.end_at <= now
    order = (Event.start_at, Event.id) if upcoming else (Event.start_at.desc(), Event.id.desc())
    return (
        select(Event)
        .where(and_(Event.user_id == user_id, Event.deleted.is_(False), when, match))
        .order_by(*order)
    )


async def find_events(
    session: AsyncSession,
    user_id: str,
    words: Sequence[str],
    *,
    now: datetime,
    upcoming: bool,
    limit: int,
    offset: int,
) -> list[Event]:
    """A page of `matching` events. Off the event loop: SQLite's index is every user's, and
    a word's prefix walks its postings in all their events (eight one-letter words over
    300,000 events: 0.1 s)."""
    dialect = session.get_bind().dialect.name
    query = matching(dialect, user_id, words, now=now, upcoming=upcoming)
    found = await session.scalars(query.limit(limit).offset(offset), execution_options=OFF_THE_LOOP)
    return list(found)

"""On PostgreSQL, the calendars a transaction changed reach every process's LISTEN once it
commits, however many there are (PostgreSQL refuses a notice of 8000 bytes or more)."""

from __future__ import annotations

import asyncio
import json
import uuid

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from tests.support.databases import BACKENDS
from touchbase.store.changes import CHANNEL, Change, PostgresChangeFeed
from touchbase.store.database import libpq_url

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="needs TOUCHBASE_TEST_POSTGRES_URL"
)


async def _publish_and_commit(url: str, changes: set[Change]) -> None:
    engine = create_async_engine(url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            await PostgresChangeFeed(libpq_url(url)).publish(session, changes)
    finally:
        await engine.dispose()


def test_a_transaction_that_changed_many_calendars_tells_them_all(postgres_url: str) -> None:
    user = str(uuid.uuid4())
    changes = {(user, str(uuid.uuid4())) for _ in range(250)}  # ids as long as ours get
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        asyncio.run(_publish_and_commit(postgres_url, changes))
        payloads = [n.payload for n in listener.notifies(timeout=1)]
    told = {(u, c) for payload in payloads for u, c in json.loads(payload)}
    assert told == changes

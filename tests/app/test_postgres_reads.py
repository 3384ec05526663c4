"""On PostgreSQL a read opens no transaction (each statement sees a snapshot of its own at
READ COMMITTED either way, so BEGIN and COMMIT would only be two more round trips), and a
write still runs in one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from psycopg import pq
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.databases import BACKENDS
from touchbase.store.database import Database

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="needs TOUCHBASE_TEST_POSTGRES_URL"
)


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    found = Database(postgres_url)
    yield found
    await found.dispose()


async def _status(session: AsyncSession) -> pq.TransactionStatus:
    """The server connection's transaction status, after a statement of `session`."""
    await session.execute(text("SELECT count(*) FROM users"))
    raw = await (await session.connection()).get_raw_connection()
    return raw.driver_connection.info.transaction_status  # type: ignore[union-attr]


async def test_a_read_opens_no_transaction_and_a_write_does(database: Database) -> None:
    for _ in range(3):  # on pooled connections, one after the other
        async with database.read() as session:
            assert await _status(session) == pq.TransactionStatus.IDLE
        async with database.session() as session:
            assert await _status(session) == pq.TransactionStatus.INTRANS

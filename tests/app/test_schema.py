"""The migrations build the schema the models describe, on SQLite and PostgreSQL, and the
queue queries use the partial indexes."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from touchbase.store.database import alembic_config, sync_url
from touchbase.store.models import Base


def _sync_engine(database_url: str) -> Any:
    return create_engine(sync_url(database_url))


def test_migrations_build_the_models_schema(database_url: str) -> None:
    engine = _sync_engine(database_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_mostly_null_columns_are_indexed_only_where_set(database_url: str) -> None:
    engine = _sync_engine(database_url)
    try:
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("events")}
    finally:
        engine.dispose()
    partial = {
        "uq_events_user_idempotency_key": "idempotency_key IS NOT NULL",
        "ix_events_contact_id": "contact_id IS NOT NULL",
        "ix_events_series_instances": "recurring_event_id IS NOT NULL",
        "ix_events_push_queue": "pending_op IS NOT NULL",
        "ix_events_calendar_pending": "pending_op IS NOT NULL",
    }
    for name, condition in partial.items():
        options = indexes[name].get("dialect_options", {})
        where = options.get("sqlite_where", options.get("postgresql_where"))
        assert where is not None, name
        assert condition.replace(" ", "").lower() in str(where).replace(" ", "").lower()
    assert indexes["uq_events_user_idempotency_key"]["unique"]


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0004")
    command.upgrade(config, "head")
    test_migrations_build_the_models_schema(database_url)

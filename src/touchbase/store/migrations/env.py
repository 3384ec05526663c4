"""Alembic environment: migrations run synchronously, in batch mode so SQLite can alter."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from touchbase.store.models import Base

config = context.config


def run() -> None:
    """Run the migrations against the configured URL."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run()

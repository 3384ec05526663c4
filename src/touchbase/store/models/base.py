"""What every table shares: the declarative base, its naming of constraints, and partial
indexes."""

from __future__ import annotations

from sqlalchemy import (
    Index,
    MetaData,
    String,
    text,
)
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID = String(36)
MAX_EMAIL = 254


class Base(DeclarativeBase):
    """Base of every table."""

    metadata = MetaData(naming_convention=NAMING)


def partial_index(name: str, *columns: str, where: str = "", unique: bool = False) -> Index:
    """An index of the rows where `where` holds (by default: where the last column is set),
    on SQLite and PostgreSQL alike."""
    condition = text(where or f"{columns[-1]} IS NOT NULL")
    return Index(name, *columns, unique=unique, sqlite_where=condition, postgresql_where=condition)

"""a full-text index over each event's title, location, description, guests and linked
contact, kept by triggers (so every writer, bulk sync inserts included, keeps it true)

SQLite: an FTS5 table whose rowid is the event row's rowid. PostgreSQL: a tsvector per event
in `event_search` with a GIN index. A contact's rename re-indexes its events. Guests' emails
are indexed as words too (dana@acme.example -> dana acme example), so a part finds them.

A later migration that rebuilds `events` on SQLite (batch_alter_table) drops these triggers
and may renumber rowids: it must run `downgrade()` then `upgrade()` of this one afterwards.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 23:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _sqlite_doc(row: str) -> str:
    """The text indexed for an event row named `row` (SQLite)."""

    def field(name: str) -> str:
        return f"coalesce(json_extract({row}.local, '$.{name}'), '')"

    guests = (
        "coalesce((SELECT group_concat(coalesce(json_extract(a.value, '$.email'), '') || ' ' "
        f"|| coalesce(json_extract(a.value, '$.displayName'), ''), ' ') "
        f"FROM json_each({row}.local, '$.attendees') AS a), '')"
    )
    contact = (
        "coalesce((SELECT c.name || ' ' || c.company FROM contacts AS c "
        f"WHERE c.id = {row}.contact_id), '')"
    )
    return " || ' ' || ".join(
        [field("title"), field("location"), field("description"), guests, contact]
    )


def _postgres_doc(row: str) -> str:
    """The tsvector of an event row named `row` (PostgreSQL)."""

    def field(name: str) -> str:
        return f"coalesce({row}.local ->> '{name}', '')"

    guests = (
        "coalesce((SELECT string_agg(translate(coalesce(a ->> 'email', ''), '@.', '  ') "
        "|| ' ' || coalesce(a ->> 'displayName', ''), ' ') "
        f"FROM json_array_elements(coalesce({row}.local -> 'attendees', '[]'::json)) AS a), '')"
    )
    contact = (
        "coalesce((SELECT c.name || ' ' || c.company FROM contacts AS c "
        f"WHERE c.id = {row}.contact_id), '')"
    )
    text = " || ' ' || ".join(
        [field("title"), field("location"), field("description"), guests, contact]
    )
    return f"to_tsvector('simple', {text})"


SQLITE_UP = [
    "CREATE VIRTUAL TABLE event_search USING fts5(doc, tokenize = 'unicode61 remove_diacritics 2')",
    f"INSERT INTO event_search(rowid, doc) SELECT e.rowid, {_sqlite_doc('e')} FROM events AS e",
    "CREATE TRIGGER event_search_insert AFTER INSERT ON events BEGIN "
    f"INSERT INTO event_search(rowid, doc) VALUES (NEW.rowid, {_sqlite_doc('NEW')}); END",
    "CREATE TRIGGER event_search_update AFTER UPDATE OF local, contact_id ON events BEGIN "
    "DELETE FROM event_search WHERE rowid = OLD.rowid; "
    f"INSERT INTO event_search(rowid, doc) VALUES (NEW.rowid, {_sqlite_doc('NEW')}); END",
    "CREATE TRIGGER event_search_delete AFTER DELETE ON events BEGIN "
    "DELETE FROM event_search WHERE rowid = OLD.rowid; END",
    "CREATE TRIGGER event_search_contact AFTER UPDATE OF name, company ON contacts BEGIN "
    "UPDATE events SET contact_id = contact_id WHERE contact_id = NEW.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS event_search_contact",
    "DROP TRIGGER IF EXISTS event_search_delete",
    "DROP TRIGGER IF EXISTS event_search_update",
    "DROP TRIGGER IF EXISTS event_search_insert",
    "DROP TABLE IF EXISTS event_search",
]
POSTGRES_UP = [
    "CREATE TABLE event_search (event_id VARCHAR(36) PRIMARY KEY "
    "REFERENCES events (id) ON DELETE CASCADE, doc TSVECTOR NOT NULL)",
    "CREATE INDEX ix_event_search_doc ON event_search USING GIN (doc)",
    f"INSERT INTO event_search (event_id, doc) SELECT e.id, {_postgres_doc('e')} FROM events AS e",
    "CREATE FUNCTION touchbase_index_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO event_search (event_id, doc) VALUES (NEW.id, {_postgres_doc('NEW')}) "
    "ON CONFLICT (event_id) DO UPDATE SET doc = EXCLUDED.doc; RETURN NULL; END $$",
    "CREATE TRIGGER event_search_write AFTER INSERT OR UPDATE OF local, contact_id ON events "
    "FOR EACH ROW EXECUTE FUNCTION touchbase_index_event()",
    "CREATE FUNCTION touchbase_index_contact_events() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE events SET contact_id = contact_id WHERE contact_id = NEW.id; RETURN NULL; "
    "END $$",
    "CREATE TRIGGER event_search_contact AFTER UPDATE OF name, company ON contacts "
    "FOR EACH ROW EXECUTE FUNCTION touchbase_index_contact_events()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS event_search_contact ON contacts",
    "DROP FUNCTION IF EXISTS touchbase_index_contact_events()",
    "DROP TRIGGER IF EXISTS event_search_write ON events",
    "DROP FUNCTION IF EXISTS touchbase_index_event()",
    "DROP TABLE IF EXISTS event_search",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _run(POSTGRES_UP if postgres else SQLITE_UP)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _run(POSTGRES_DOWN if postgres else SQLITE_DOWN)

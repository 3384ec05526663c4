"""The migrations build the schema the models describe, on SQLite and PostgreSQL, and the
queue queries use the partial indexes."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from touchbase.store.database import alembic_config, sync_url
from touchbase.store.models import Base


def _sync_engine(database_url: str) -> Any:
    return create_engine(sync_url(database_url))


def _ours(name: str | None, kind: str, _parent: Any) -> bool:
    """Procrastinate's tables are the job queue's, not our models'; the search index is kept
    by triggers (migration 0016), not by the models."""
    others = ("procrastinate_", "event_search")
    return not (kind == "table" and name is not None and name.startswith(others))


def test_migrations_build_the_models_schema(database_url: str) -> None:
    engine = _sync_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": _ours})
            assert compare_metadata(context, Base.metadata) == []
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    job_queue = {"procrastinate_jobs", "procrastinate_workers", "procrastinate_periodic_defers"}
    if database_url.startswith("postgresql"):  # the job queue's schema, with ours
        assert job_queue <= tables
    else:
        assert not job_queue & tables


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


def _user_and_calendar(connection: Any, now: str) -> None:
    """User `u` and their calendar `c`, as rows."""
    connection.execute(
        text("INSERT INTO users (id, email, created_at) VALUES ('u', 'u@x.org', :now)"),
        {"now": now},
    )
    connection.execute(
        text(
            "INSERT INTO calendars (id, user_id, google_calendar_id, summary, time_zone,"
            " is_primary, sync_enabled) VALUES ('c', 'u', 'g', 's', 'UTC', true, true)"
        )
    )


def _event(
    connection: Any, row_id: str, local: str, now: str, *, series: str | None = None
) -> None:
    """An event of calendar `c`, as a row (`local`: its JSON)."""
    connection.execute(
        text(
            "INSERT INTO events (id, user_id, calendar_id, google_event_id, local,"
            " start_at, end_at, recurring_event_id, is_touchpoint, sync_status,"
            " deleted, send_updates, push_attempts, created_at, updated_at) VALUES"
            " (:id, 'u', 'c', :id, :local, :now, :now, :series, false, 'synced',"
            " false, 'none', 0, :now, :now)"
        ),
        {"id": row_id, "local": local, "now": now, "series": series},
    )


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0004")
    command.upgrade(config, "head")
    test_migrations_build_the_models_schema(database_url)


def test_the_original_start_of_stored_occurrences_is_filled_in(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0008")
    engine = _sync_engine(database_url)
    now = "2026-12-02 00:00:00"
    timed = '{"title": "x", "originalStart": {"dateTime": "2027-03-26T10:00:00+01:00"}}'
    dated = '{"title": "y", "originalStart": {"date": "2027-03-26"}}'
    try:
        with engine.begin() as connection:
            _user_and_calendar(connection, now)
            for row_id, local, series in (
                ("e1", timed, "s"),
                ("e2", dated, "s"),
                ("e3", "{}", None),
            ):
                _event(connection, row_id, local, now, series=series)
        command.upgrade(config, "head")
        with engine.connect() as connection:
            found = dict(connection.execute(text("SELECT id, original_start_at FROM events")).all())
    finally:
        engine.dispose()
    as_text = {k: str(v)[:19] if v is not None else None for k, v in found.items()}
    assert as_text == {"e1": "2027-03-26 09:00:00", "e2": "2027-03-26 00:00:00", "e3": None}


def test_each_contacts_email_becomes_its_list_and_links_to_one_contact(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0009")
    engine = _sync_engine(database_url)
    now = "2026-12-02 00:00:00"
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO users (id, email, created_at) VALUES ('u', 'u@x.org', :now)"),
                {"now": now},
            )
            for row_id, email in (
                ("c1", " Dana@Acme.example"),
                ("c2", "dana@acme.example"),
                ("c3", None),
            ):
                connection.execute(
                    text(
                        "INSERT INTO contacts (id, user_id, name, email, created_at)"
                        " VALUES (:id, 'u', :id, :email, :now)"
                    ),
                    {"id": row_id, "email": email, "now": now},
                )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            emails = dict(connection.execute(text("SELECT id, emails FROM contacts")).all())
            linked = connection.execute(text("SELECT email, contact_id FROM contact_emails")).all()
    finally:
        engine.dispose()
    as_lists = {k: json.loads(v) if isinstance(v, str) else v for k, v in emails.items()}
    assert as_lists == {"c1": ["dana@acme.example"], "c2": ["dana@acme.example"], "c3": []}
    assert [tuple(row) for row in linked] == [("dana@acme.example", "c1")]


def test_guests_who_declined_leave_the_guest_index(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0020")
    engine = _sync_engine(database_url)
    now = "2026-12-05 00:00:00"
    attendees = [
        {"email": "Dana@Acme.example", "responseStatus": "declined"},
        {"email": "eli@globex.example", "responseStatus": "accepted"},
    ]
    try:
        with engine.begin() as connection:
            _user_and_calendar(connection, now)
            for row_id, local in (
                ("e1", {"title": "Demo", "attendees": attendees}),
                ("e2", {"title": "Intro", "attendees": attendees[1:]}),
                ("e3", {"title": "declined", "attendees": [attendees[0] | {"email": "x@y.z"}]}),
            ):
                _event(connection, row_id, json.dumps(local), now)
            for row_id, email in (
                ("e1", "dana@acme.example"),
                ("e1", "eli@globex.example"),
                ("e2", "eli@globex.example"),
                ("e3", "x@y.z"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO event_guests (event_id, email, user_id)"
                        " VALUES (:id, :email, 'u')"
                    ),
                    {"id": row_id, "email": email},
                )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT event_id, email FROM event_guests ORDER BY event_id, email")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in found] == [
        ("e1", "eli@globex.example"),
        ("e2", "eli@globex.example"),
    ]


def test_invitations_the_user_declined_leave_the_guest_index(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0021")
    engine = _sync_engine(database_url)
    now = "2026-12-05 00:00:00"
    dana = {"email": "dana@acme.example", "responseStatus": "accepted"}
    try:
        with engine.begin() as connection:
            _user_and_calendar(connection, now)  # calendar `c`, Google's id `g`
            for row_id, answer in (("e1", "declined"), ("e2", "accepted")):
                user = {"email": "G", "responseStatus": answer}
                _event(connection, row_id, json.dumps({"attendees": [dana, user]}), now)
                connection.execute(
                    text(
                        "INSERT INTO event_guests (event_id, email, user_id)"
                        " VALUES (:id, 'dana@acme.example', 'u'), (:id, 'g', 'u')"
                    ),
                    {"id": row_id},
                )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT event_id, email FROM event_guests ORDER BY event_id, email")
            ).all()
            local = connection.execute(text("SELECT local FROM events WHERE id = 'e1'")).scalar()
    finally:
        engine.dispose()
    assert [tuple(row) for row in found] == [("e2", "dana@acme.example"), ("e2", "g")]
    marked = json.loads(local) if isinstance(local, str) else local
    assert marked["attendees"][1] == {"email": "G", "responseStatus": "declined", "isSelf": True}


def test_events_stored_without_their_organizer_are_read_from_google_again(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0025")
    engine = _sync_engine(database_url)
    now = "2026-12-06 00:00:00"
    known = json.dumps({"title": "Known", "organizer": "carol@x.org", "organizerSelf": False})
    try:
        with engine.begin() as connection:
            _user_and_calendar(connection, now)  # calendar `c`
            connection.execute(text("UPDATE calendars SET sync_token = 'token'"))
            for row_id, local in (
                ("old", json.dumps({"title": "Old"})),
                ("known", known),
                ("changed", json.dumps({"title": "Changed here"})),
                ("never", json.dumps({"title": "Not in Google yet"})),
            ):
                _event(connection, row_id, local, now)
            connection.execute(text("UPDATE events SET etag = '\"e-' || id || '\"'"))
            connection.execute(text("UPDATE events SET pending_op = 'update' WHERE id = 'changed'"))
            connection.execute(text("UPDATE events SET etag = NULL WHERE id = 'never'"))
        command.upgrade(config, "0026")
        with engine.connect() as connection:
            etags = dict(connection.execute(text("SELECT id, etag FROM events")).all())
            token = connection.execute(text("SELECT sync_token FROM calendars")).scalar()
        command.upgrade(config, "head")
    finally:
        engine.dispose()
    assert etags == {
        "old": '"e-old"#organizer',  # Google's next version replaces it, and a push gets 412
        "known": '"e-known"',
        "changed": '"e-changed"',  # its push merges with Google's version as it is
        "never": None,
    }
    assert token is None, "the next sync lists every event"


def _etags_read_again(
    database_url: str, before: str, to: str, rows: dict[str, dict[str, Any]], marked: str
) -> tuple[dict[str, str | None], str | None]:
    """Events of calendar `c` (a sync token kept) stored at migration `before`, each with
    Google's etag `"e-<id>"`: "changed" waiting for Google, "marked" marked `#<marked>` by an
    earlier migration; their etags and the calendar's sync token after migration `to`."""
    config = alembic_config(database_url)
    command.downgrade(config, before)
    engine = _sync_engine(database_url)
    now = "2026-12-06 00:00:00"
    try:
        with engine.begin() as connection:
            _user_and_calendar(connection, now)  # calendar `c`
            connection.execute(text("UPDATE calendars SET sync_token = 'token'"))
            for row_id, local in rows.items():
                _event(connection, row_id, json.dumps(local), now)
            connection.execute(text("UPDATE events SET etag = '\"e-' || id || '\"'"))
            connection.execute(text("UPDATE events SET pending_op = 'update' WHERE id = 'changed'"))
            connection.execute(
                text("UPDATE events SET etag = etag || :mark WHERE id = 'marked'"),
                {"mark": f"#{marked}"},
            )
        command.upgrade(config, to)
        with engine.connect() as connection:
            etags = dict(connection.execute(text("SELECT id, etag FROM events")).all())
            token = connection.execute(text("SELECT sync_token FROM calendars")).scalar()
        command.upgrade(config, "head")
    finally:
        engine.dispose()
    return etags, token


def test_events_stored_without_their_type_are_read_from_google_again(database_url: str) -> None:
    rows = {
        "old": {"title": "Old"},
        "typed": {"title": "Typed", "eventType": "birthday"},
        "changed": {"title": "Changed here"},
        "marked": {"title": "Marked by 0026"},
    }
    etags, token = _etags_read_again(database_url, "0027", "0028", rows, "organizer")
    assert etags == {
        "old": '"e-old"#eventType',
        "typed": '"e-typed"',
        "changed": '"e-changed"',
        "marked": '"e-marked"#organizer',
    }
    assert token is None, "the next sync lists every event"


def test_events_stored_without_their_video_call_are_read_from_google_again(
    database_url: str,
) -> None:
    """A Meet made before touchbase kept conferences shows once the next sync has run."""
    rows = {
        "old": {"title": "Old", "eventType": "default"},
        "known": {"title": "Known", "conference": None},
        "changed": {"title": "Changed here"},
        "marked": {"title": "Marked by 0028"},
    }
    etags, token = _etags_read_again(database_url, "0029", "0030", rows, "eventType")
    assert etags == {
        "old": '"e-old"#conference',
        "known": '"e-known"',
        "changed": '"e-changed"',
        "marked": '"e-marked"#eventType',
    }
    assert token is None, "the next sync lists every event"


def test_events_stored_without_their_kept_settings_are_read_from_google_again(
    database_url: str,
) -> None:
    """A private series stored before touchbase kept settings stays private when split."""
    rows = {
        "old": {"title": "Old", "conference": None},
        "known": {"title": "Known", "attachments": [], "settings": None},
        "changed": {"title": "Changed here"},
        "marked": {"title": "Marked by 0030"},
    }
    etags, token = _etags_read_again(database_url, "0030", "0031", rows, "conference")
    assert etags == {
        "old": '"e-old"#settings',
        "known": '"e-known"',
        "changed": '"e-changed"',
        "marked": '"e-marked"#conference',
    }
    assert token is None, "the next sync lists every event"

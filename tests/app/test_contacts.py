"""Contacts through the API: every field, edits with If-Match, archiving, emails that link
meetings to one contact each, search, and nobody else's contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.support.app import ApiUser, AppHarness
from touchbase.store.contacts import email_taken
from touchbase.store.database import sync_url
from touchbase.store.models import Contact, ContactEmail, User

DANA = {
    "name": "  Dana Scully ",
    "emails": ["Dana@Acme.example", "dana.scully@fbi.example", "dana@acme.example"],
    "company": "Acme",
    "title": "Head of Procurement",
    "phone": "+1 202 555 0143",
    "timeZone": "America/New_York",
    "notes": "Met at SaaStr.\nPrefers mornings.",
    "cadence": {"every": 2, "unit": "week"},
}


def _contact(user: ApiUser, **fields: Any) -> dict[str, Any]:
    made = user.api.post("/api/contacts", json={**DANA, **fields})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _names(user: ApiUser, **params: Any) -> list[str]:
    return [c["name"] for c in user.api.get("/api/contacts", params=params).json()["items"]]


def test_a_contact_keeps_every_field_cleaned(app: AppHarness) -> None:
    alice = app.user(connect=False)
    dana = _contact(alice)
    expected = {
        "name": "Dana Scully",
        "email": "dana@acme.example",
        "emails": ["dana@acme.example", "dana.scully@fbi.example"],
        "company": "Acme",
        "title": "Head of Procurement",
        "phone": "+1 202 555 0143",
        "timeZone": "America/New_York",
        "notes": "Met at SaaStr.\nPrefers mornings.",
        "cadence": {"every": 2, "unit": "week"},
        "archived": False,
    }
    assert {k: dana[k] for k in expected} == expected
    assert alice.api.get(f"/api/contacts/{dana['id']}").json() == dana


def test_a_contacts_time_zone_is_read_as_people_write_it(app: AppHarness) -> None:
    """The zone as the import reads it: "EST" is New York's clock (IANA's "EST" is a fixed
    UTC-5, an hour off all summer), an everyday name or a city is its zone."""
    alice = app.user(connect=False)
    written = {
        "EST": "America/New_York",
        "Pacific Time": "America/Los_Angeles",
        "Berlin": "Europe/Berlin",
        "W. Europe Standard Time": "Europe/Berlin",
        "Asia/Tokyo": "Asia/Tokyo",
    }
    for n, (text, zone) in enumerate(written.items()):
        made = _contact(alice, name=f"Contact {n}", emails=[f"c{n}@example.com"], timeZone=text)
        assert made["timeZone"] == zone, text
    eli = _contact(alice, name="Eli", emails=["eli@example.com"], timeZone=None)
    moved = alice.api.patch(f"/api/contacts/{eli['id']}", json={"timeZone": "central time"})
    assert moved.json()["timeZone"] == "America/Chicago"
    unknown = alice.api.patch(f"/api/contacts/{eli['id']}", json={"timeZone": "Narnia Time"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["field"] == "timeZone"
    assert alice.api.get(f"/api/contacts/{eli['id']}").json()["timeZone"] == "America/Chicago"


def test_edits_follow_if_match_and_leave_the_rest(app: AppHarness) -> None:
    alice = app.user(connect=False)
    dana = _contact(alice)
    path = f"/api/contacts/{dana['id']}"
    changed = alice.api.patch(
        path, json={"title": "VP Procurement", "cadence": None}, headers={"If-Match": dana["etag"]}
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (after["title"], after["cadence"], after["company"]) == ("VP Procurement", None, "Acme")
    assert after["etag"] != dana["etag"]
    stale = alice.api.patch(path, json={"title": "CEO"}, headers={"If-Match": dana["etag"]})
    assert stale.status_code == 412
    assert alice.api.get(path).json()["title"] == "VP Procurement"
    entries = alice.api.get("/api/audit").json()["items"]
    mine = [(e["action"], e["contactId"]) for e in entries if e["contactId"] == dana["id"]]
    assert sorted(mine) == [("contact_create", dana["id"]), ("contact_update", dana["id"])]
    update = next(e for e in entries if e["action"] == "contact_update")
    assert update["changes"] == {
        "title": {"before": "Head of Procurement", "after": "VP Procurement"},
        "cadence": {"before": {"every": 2, "unit": "week"}, "after": None},
    }


def test_an_edit_leaves_the_fields_it_does_not_name_as_stored(app: AppHarness) -> None:
    """A zone stored before zones were read as people write them (IANA's legacy "EST")
    stays as it is when another field changes, or when a form sends it back as it is: the
    edit changes what it changes, and its audit entry says only that."""
    alice = app.user(connect=False)
    dana = _contact(alice)
    engine = sqlalchemy.create_engine(sync_url(app.database_url))
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.update(Contact).where(Contact.id == dana["id"]).values(time_zone="EST")
        )
    engine.dispose()
    path = f"/api/contacts/{dana['id']}"
    changed = alice.api.patch(path, json={"title": "VP Procurement"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["timeZone"]) == ("VP Procurement", "EST")
    update = next(
        e for e in alice.api.get("/api/audit").json()["items"] if e["action"] == "contact_update"
    )
    assert update["changes"] == {
        "title": {"before": "Head of Procurement", "after": "VP Procurement"}
    }
    sent_back = alice.api.patch(path, json={"title": "VP", "timeZone": "EST"})  # as a form does
    assert sent_back.json()["timeZone"] == "EST"
    moved = alice.api.patch(path, json={"timeZone": "Eastern Time"})  # read as people mean it
    assert moved.json()["timeZone"] == "America/New_York"


def test_archived_contacts_leave_lists_and_come_back(app: AppHarness) -> None:
    alice = app.user(connect=False)
    dana = _contact(alice)
    _contact(alice, name="Eli Vance", emails=["eli@globex.example"], company="Globex")
    archived = alice.api.delete(f"/api/contacts/{dana['id']}")
    assert (archived.status_code, archived.json()["archived"]) == (200, True)
    assert _names(alice) == ["Eli Vance"]
    assert _names(alice, archived="true") == ["Dana Scully"]
    assert alice.api.get(f"/api/contacts/{dana['id']}").status_code == 200, "kept, not deleted"
    back = alice.api.patch(f"/api/contacts/{dana['id']}", json={"archived": False})
    assert (back.status_code, back.json()["archived"]) == (200, False)
    assert _names(alice) == ["Dana Scully", "Eli Vance"]


def test_an_email_belongs_to_one_contact_and_nothing_is_half_written(app: AppHarness) -> None:
    alice = app.user(connect=False)
    dana = _contact(alice)
    eli = _contact(alice, name="Eli Vance", emails=["eli@globex.example"])
    taken = alice.api.patch(
        f"/api/contacts/{eli['id']}",
        json={"name": "Eli V.", "emails": ["eli@globex.example", "DANA.SCULLY@fbi.example"]},
    )
    assert taken.status_code == 422
    error = taken.json()["error"]
    assert (error["details"]["field"], error["details"]["contactId"]) == ("emails[1]", dana["id"])
    assert alice.api.get(f"/api/contacts/{eli['id']}").json() == eli
    again = alice.api.post("/api/contacts", json={"name": "Dup", "emails": ["dana@acme.example"]})
    assert again.status_code == 422
    assert _names(alice) == ["Dana Scully", "Eli Vance"]
    # Freed by Dana, the address can go to Eli.
    alice.api.patch(f"/api/contacts/{dana['id']}", json={"emails": ["dana@acme.example"]})
    moved = alice.api.patch(
        f"/api/contacts/{eli['id']}", json={"emails": ["dana.scully@fbi.example"]}
    )
    assert moved.status_code == 200, moved.text
    # Another user has their own contacts, with the same addresses if they like.
    bob = app.user("bob@example.com", connect=False)
    assert _contact(bob)["emails"] == ["dana@acme.example", "dana.scully@fbi.example"]


def test_search_by_company_and_any_email_and_sort(app: AppHarness) -> None:
    alice = app.user(connect=False)
    _contact(alice)
    _contact(alice, name="eli Vance", emails=["eli@globex.example", "e.vance@mesa.example"])
    _contact(alice, name="Fran Kubelik", emails=[], company="Globex")
    assert _names(alice, q="globex") == ["eli Vance", "Fran Kubelik"]
    assert _names(alice, q="MESA") == ["eli Vance"]
    assert _names(alice) == ["Dana Scully", "eli Vance", "Fran Kubelik"], "by name, any case"
    assert _names(alice, sort="created") == ["Fran Kubelik", "eli Vance", "Dana Scully"]
    assert _names(alice, limit=1, offset=1) == ["eli Vance"]


def test_another_users_contact_is_not_found(app: AppHarness) -> None:
    alice, bob = app.user(connect=False), app.user("bob@example.com", connect=False)
    dana = _contact(alice)
    path = f"/api/contacts/{dana['id']}"
    assert bob.api.get(path).status_code == 404
    assert bob.api.patch(path, json={"name": "Mine"}).status_code == 404
    assert bob.api.delete(path).status_code == 404
    assert alice.api.get(path).json() == dana


def test_only_an_email_given_to_two_contacts_reads_as_taken(database_url: str) -> None:
    """Writes of contacts turn the database's refusal of an email another contact holds into
    a 422 naming the emails (two writes at the same moment, past the check before them);
    any other refusal is a bug, and must show as one."""
    engine = sqlalchemy.create_engine(sync_url(database_url))
    now = datetime.now(UTC)

    def refusal(*rows: Any) -> IntegrityError:
        with Session(engine) as session:
            session.add_all(rows)
            with pytest.raises(IntegrityError) as refused:
                session.commit()
        return refused.value

    with Session(engine) as session:
        session.add(User(id="u1", email="ann@example.com", created_at=now))
        session.flush()
        session.add(Contact(id="c1", user_id="u1", name="Dana", created_at=now, updated_at=now))
        session.flush()
        session.add(ContactEmail(user_id="u1", email="dana@acme.example", contact_id="c1"))
        session.commit()
    contact = Contact(id="c2", user_id="u1", name="Dup", created_at=now, updated_at=now)
    taken = refusal(contact, ContactEmail(user_id="u1", email="dana@acme.example", contact_id="c2"))
    assert email_taken(taken)
    assert not email_taken(refusal(User(id="u2", email="ann@example.com", created_at=now)))
    orphan = ContactEmail(user_id="u1", email="eli@acme.example", contact_id="nobody")
    if database_url.startswith("postgresql"):  # SQLite checks no foreign key here
        assert not email_taken(refusal(orphan))
    engine.dispose()

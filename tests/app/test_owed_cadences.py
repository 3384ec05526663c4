"""A cadence owes its contact a touchpoint until one is planned: set while Google could not take
events, or on contacts an import wrote whose process died before planning them, it is planned
once touchpoints can get events, by the cadence job, exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from tests.app.test_touchpoints import _working
from tests.support.app import ApiUser, AppHarness, run_in_thread, wait_for
from tests.support.inprocess import calendar_services, connected_user
from tests.support.servers import EmulatorControl
from touchbase.crm.cadence import OWED_AT_ONCE, plan_owed
from touchbase.crm.contacts import create_in
from touchbase.domain.contacts import Cadence, ContactFields
from touchbase.store.database import Database
from touchbase.store.models import Contact, Touchpoint


def _planned(user: ApiUser) -> dict[str, dict[str, Any]]:
    """The user's planned touchpoints by contact name (checked: one each)."""
    items = user.api.get("/api/touchpoints", params={"status": "planned"}).json()["items"]
    by_name = {t["contactName"]: t for t in items}
    assert len(by_name) == len(items), items
    return by_name


def _touchpoints_in_google(user: ApiUser) -> list[str]:
    """The touchpoint ids of the live events in Google."""
    return [
        e["extendedProperties"]["private"]["touchbaseTouchpointId"]
        for e in user.google_events()
        if e.get("status") != "cancelled"
        and "touchbaseTouchpointId" in e.get("extendedProperties", {}).get("private", {})
    ]


def test_cadences_set_before_google_is_connected_plan_their_touchpoints_once_it_is(
    app: AppHarness,
) -> None:
    alice = app.user(connect=False)
    fortnightly = {"cadence": {"every": 2, "unit": "week"}}
    dana = alice.api.post("/api/contacts", json={"name": "Dana Scully", **fortnightly})
    assert dana.status_code == 201, dana.text
    fran = alice.api.post("/api/contacts", json={"name": "Fran Kubelik", **fortnightly})
    assert fran.status_code == 201, fran.text
    dropped = alice.api.patch(f"/api/contacts/{fran.json()['id']}", json={"cadence": None})
    assert dropped.status_code == 200, dropped.text
    imported = alice.api.post(
        "/api/contacts/import",
        json={"format": "csv", "content": "name,cadence\nEli Wallace,every 1 week\n"},
    )
    assert imported.status_code == 201, imported.text
    assert _planned(alice) == {}

    alice.connect()
    wait_for(lambda: len(_planned(alice)) == 2, what="the owed touchpoints planned")
    planned = _planned(alice)
    today = datetime.now(UTC).date()
    assert planned["Dana Scully"]["dueDate"] == _working(today + timedelta(weeks=2)).isoformat()
    assert planned["Eli Wallace"]["dueDate"] == _working(today + timedelta(weeks=1)).isoformat()
    assert all(t["origin"] == "cadence" for t in planned.values())
    # Their events reach Google; Fran's cadence, taken away, owed nothing.
    wanted = sorted(t["id"] for t in planned.values())
    wait_for(lambda: sorted(_touchpoints_in_google(alice)) == wanted, what="events in Google")


def _owing_since(database_url: str, since: datetime) -> None:
    """What a process that died after an import's commit leaves: contacts with a cadence,
    owing their first touchpoint since `since`."""

    async def write() -> None:
        database = Database(database_url)
        try:
            async with database.session() as session:
                await session.execute(
                    update(Contact)
                    .where(Contact.cadence_every.is_not(None))
                    .values(cadence_owed_at=since)
                )
        finally:
            await database.dispose()

    run_in_thread(write())


def test_touchpoints_owed_since_a_process_died_are_planned_by_the_tick(app: AppHarness) -> None:
    alice = app.user()
    a_while_ago = datetime.now(UTC) - timedelta(minutes=5)
    # Contacts with a cadence whose planning never ran: their touchpoints are gone.
    for name in ("Dana Scully", "Eli Wallace"):
        every_3_days = {"every": 3, "unit": "day"}
        made = alice.api.post("/api/contacts", json={"name": name, "cadence": every_3_days})
        assert made.status_code == 201, made.text
    for touchpoint in _planned(alice).values():
        gone = alice.api.delete(f"/api/touchpoints/{touchpoint['id']}")
        assert gone.status_code == 204, gone.text
    _owing_since(app.database_url, a_while_ago)

    wait_for(lambda: len(_planned(alice)) == 2, what="the tick's cadence job")
    planned = _planned(alice)
    wanted = sorted(t["id"] for t in planned.values())
    wait_for(lambda: sorted(_touchpoints_in_google(alice)) == wanted, what="events in Google")


async def test_two_planners_at_once_plan_each_owed_touchpoint_once(
    database_url: str, emulator: EmulatorControl
) -> None:
    async with calendar_services(database_url, emulator.url) as services:
        actor = await connected_user(services, "alice@example.com")
        now = services.clock()
        many = 3 * OWED_AT_ONCE + 7
        async with services.db.session() as session:
            for n in range(many):
                fields = ContactFields(name=f"Person {n}", cadence=Cadence(2, "week"))
                contact = await create_in(session, actor, fields, now=now)
                contact.cadence_owed_at = now
        followed = await asyncio.gather(plan_owed(services, actor), plan_owed(services, actor))
        assert sum(followed) == many
        async with services.db.session() as session:
            per_contact = (
                await session.execute(
                    select(Touchpoint.contact_id, func.count())
                    .where(Touchpoint.status == "planned")
                    .group_by(Touchpoint.contact_id)
                )
            ).all()
            owing = await session.scalar(
                select(func.count()).where(Contact.cadence_owed_at.is_not(None))
            )
        assert len(per_contact) == many
        assert {count for _, count in per_contact} == {1}
        assert owing == 0

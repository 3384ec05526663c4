"""The calendar page as a test drives it: what a person clicks and reads, nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.support.app import ApiUser, AppHarness

NEW_YORK = ZoneInfo("America/New_York")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def today() -> date:
    """Today where the browser is (the tests run it in New York)."""
    return datetime.now(NEW_YORK).date()


def at(hour: int, minute: int = 0, day: date | None = None) -> datetime:
    """A time today (or on `day`) in New York."""
    return datetime.combine(day or today(), time(hour, minute), NEW_YORK)


@dataclass
class CalendarPage:
    page: Page
    app: AppHarness
    user: ApiUser

    def sign_in(self, password: str) -> None:
        self.page.goto(self.app.url + "/calendar")
        self.page.get_by_label("Email").fill(self.user.email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        self.page.wait_for_url("**/calendar")
        expect(self.page.locator(".fc-timegrid")).to_be_visible()

    def screenshot(self, name: str) -> None:
        """A screenshot of the page as it is now, in test-artifacts/browser/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

    def reload(self) -> None:
        self.page.reload()
        expect(self.page.locator(".fc-timegrid")).to_be_visible()

    def event(self, title: str) -> Locator:
        """The event on the calendar whose title contains `title`."""
        return self.page.locator("#calendar [data-event-id]", has_text=title)

    def expect_status(self, title: str, status: str, timeout: float = 10_000) -> None:
        expect(self.event(title)).to_have_attribute("data-sync-status", status, timeout=timeout)

    def toast(self, text: str) -> Locator:
        return self.page.locator("#toasts .toast", has_text=text)

    def fill_form(
        self,
        *,
        title: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        location: str | None = None,
        attendees: str | None = None,
    ) -> None:
        """Fill the open event modal's fields (times as the browser's zone shows them)."""
        form = self.page.locator("#event-modal")
        expect(form).to_be_visible()
        if title is not None:
            form.get_by_label("Title").fill(title)
        if start is not None:
            form.get_by_label("Start date").fill(start.date().isoformat())
            form.get_by_label("Start time").fill(start.strftime("%H:%M"))
        if end is not None:
            form.get_by_label("End date").fill(end.date().isoformat())
            form.get_by_label("End time").fill(end.strftime("%H:%M"))
        if location is not None:
            form.get_by_label("Location").fill(location)
        if attendees is not None:
            form.get_by_label("Attendees").fill(attendees)

    def save_form(self, *, email_guests: bool | None = None) -> None:
        """Save the event modal (answering whether to email its guests, when it has some)."""
        self.page.locator("#event-modal").get_by_role("button", name="Save").click()
        if email_guests is not None:
            self.answer_guests(email_guests)
        expect(self.page.locator("#event-modal")).to_be_hidden()

    def answer_guests(self, send: bool, *, remember: bool = False) -> None:
        """Answer the question whether Google emails the guests."""
        prompt = self.page.locator("#guests-modal")
        expect(prompt).to_be_visible()
        if remember:
            prompt.get_by_label("Remember my choice").check()
        prompt.get_by_role("button", name="Send" if send else "Don't send", exact=True).click()
        expect(prompt).to_be_hidden()

    def invitations(self) -> list[tuple[str, str, list[str]]]:
        """The emails Google sent guests: (action, sendUpdates, to) each."""
        emulator = self.app.emulator
        sent = emulator.http.get(emulator.url + "/_emulator/invitations").json()["items"]
        return [(s["action"], s["sendUpdates"], s["to"]) for s in sent]

    def open_card(self, title: str) -> Locator:
        """Click the event: its card, read-only."""
        self.event(title).click()
        card = self.page.locator("#event-card")
        expect(card.get_by_role("heading")).to_have_text(title)
        return card

    def open_event(self, title: str) -> None:
        """Open the event's edit form (from its card)."""
        self.open_card(title).get_by_role("button", name="Edit").click()
        expect(self.page.locator("#event-modal")).to_be_visible()
        expect(self.page.get_by_label("Title")).to_have_value(title)

    def slot(self, moment: datetime) -> tuple[float, float]:
        """Page coordinates of the week view's cell for `moment` (its top, mid-column)."""
        column = self.page.locator(f'td.fc-timegrid-col[data-date="{moment.date().isoformat()}"]')
        row = self.page.locator(f'td.fc-timegrid-slot-lane[data-time="{moment:%H:%M:00}"]')
        row.scroll_into_view_if_needed()
        column_box, row_box = column.bounding_box(), row.bounding_box()
        assert column_box
        assert row_box
        return column_box["x"] + column_box["width"] / 2, row_box["y"] + 2

    def _box(self, element: Locator, what: str, hover: Locator | None = None) -> FloatRect:
        """Where `element` is on the page, once it shows: a refetch (a live update, the poll of
        pending events) may replace it between finding it and measuring it, so look again."""
        for _ in range(50):
            if hover is not None:
                hover.hover()
            box = element.bounding_box()
            if box:
                return box
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{what} never showed")

    def drag(self, handle: Locator, to_moment: datetime, grab_dy: float = 5) -> None:
        """Drag an event with the mouse so that its top lands on `to_moment`, in small steps."""
        to = self.slot(to_moment)
        box = self._box(handle, "the event")
        start_x, start_y = box["x"] + box["width"] / 2, box["y"] + grab_dy
        self.page.mouse.move(start_x, start_y)
        self.page.mouse.down()
        self.page.mouse.move(start_x, start_y + 8, steps=4)
        self.page.mouse.move(to[0], to[1] + grab_dy, steps=15)
        self.page.mouse.up()

    def resize(self, event: Locator, into_slot: datetime) -> None:
        """Drag an event's end with the mouse into the slot starting at `into_slot` (the end
        snaps to the end of the slot under the pointer)."""
        box = self._box(event.locator(".fc-event-resizer-end"), "the event's resize handle", event)
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        _, target = self.slot(into_slot)
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x, target + 3, steps=10)
        self.page.mouse.up()

    def google_event(self, title: str) -> dict[str, Any]:
        """The one live event in Google with this title."""
        found = [
            e
            for e in self.user.google_events()
            if e.get("summary") == title and e["status"] != "cancelled"
        ]
        assert len(found) == 1, found
        return found[0]

    def api_create(
        self, title: str, start: datetime, minutes: int = 60, **fields: Any
    ) -> dict[str, Any]:
        """An event made through the API (synced to Google) before the page shows it."""
        response = self.user.create(
            title=title,
            startTime=start.isoformat(),
            endTime=(start + timedelta(minutes=minutes)).isoformat(),
            **fields,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

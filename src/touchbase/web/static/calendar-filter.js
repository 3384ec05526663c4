// Which of the user's calendars the grid shows, as Google Calendar's "My calendars" boxes: a
// calendar hidden here still syncs (its meetings still count for contacts); only the grid
// leaves its events out. Remembered in this browser.

import { colorSwatch } from "./app.js";

const KEY = "touchbase.hiddenCalendars";
const hidden = new Set(read());
// Whether the boxes are offered (two calendars or more): with one, nothing is hidden.
let offering = hidden.size > 0;
let refresh = () => {}; // shows the grid again with the calendars ticked

function remember() {
  localStorage.setItem(KEY, JSON.stringify([...hidden]));
}

function read() {
  try {
    const ids = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : [];
  } catch {
    return [];
  }
}

// Whether the grid shows the events of this calendar.
export function shown(calendarId) {
  return !offering || !hidden.has(calendarId);
}

// A box for each calendar whose events the grid may show (those synced, and one kept on
// touchbase), when there are two or more; `changed` runs when one is ticked or cleared.
export function offerCalendarFilter(items, changed) {
  refresh = changed;
  const box = document.getElementById("calendar-filter");
  const offered = items.filter((c) => c.syncEnabled || c.isLocal);
  const before = [offering, hidden.size];
  offering = offered.length > 1;
  const ids = new Set(offered.map((c) => c.id));
  for (const id of hidden) if (!ids.has(id)) hidden.delete(id); // gone, or no longer synced
  remember();
  const choices = offered.map((calendar) => {
    const tick = document.createElement("input");
    tick.type = "checkbox";
    tick.dataset.calendarId = calendar.id;
    tick.checked = shown(calendar.id);
    tick.addEventListener("change", () => {
      if (tick.checked) hidden.delete(calendar.id);
      else hidden.add(calendar.id);
      remember();
      changed();
    });
    const label = document.createElement("label");
    label.className = "inline";
    label.append(tick, " ", colorSwatch(calendar.color), calendar.summary);
    return label;
  });
  box.replaceChildren(...choices);
  box.hidden = !offering;
  if (offering !== before[0] || hidden.size !== before[1]) changed();
}

// A new event made in a hidden calendar shows that calendar again (it would vanish otherwise).
export function reveal(calendarId) {
  if (!hidden.delete(calendarId)) return;
  remember();
  const tick = [...document.querySelectorAll("#calendar-filter input")]
    .find((input) => input.dataset.calendarId === calendarId);
  if (tick) tick.checked = true;
  refresh();
}

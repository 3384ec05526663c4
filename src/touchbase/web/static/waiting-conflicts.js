// The conflicts waiting for the user, listed above the calendar: an event deleted here and
// changed in Google Calendar is not on the calendar at all, and one in another week is out of
// sight, yet each holds its change back until someone chooses what to keep.

import { api, formatWhen } from "./app.js";
import { openConflict } from "./conflict.js";

const $ = (id) => document.getElementById(id);
const WHAT_HAPPENED = {
  fields: "changed here and in Google Calendar",
  deleted_locally: "deleted here, changed in Google Calendar",
  deleted_remotely: "deleted in Google Calendar, changed here",
};

function item(conflict, onResolved) {
  const version = conflict.local ?? conflict.remote ?? conflict.base ?? {};
  const li = document.createElement("li");
  li.dataset.eventId = conflict.eventId;
  const title = document.createElement("strong");
  title.textContent = version.title || "(no title)";
  const when = version.startTime ? ` · ${formatWhen(version.startTime)}` : "";
  li.append(title, `${when}: ${WHAT_HAPPENED[conflict.kind] ?? conflict.kind}. `);
  const choose = document.createElement("button");
  choose.type = "button";
  choose.textContent = "Choose what to keep";
  choose.addEventListener("click", () => openConflict(conflict.eventId, conflict, onResolved));
  li.append(choose);
  return li;
}

// Read the open conflicts again and list them (the section hides when there are none).
export async function showWaiting(onResolved) {
  const section = $("waiting-conflicts");
  let found;
  try {
    found = (await api("GET", "/api/calendar/conflicts")).items;
  } catch {
    return; // the calendar's own loading tells of a failing server
  }
  $("waiting-list").replaceChildren(...found.map((c) => item(c, onResolved)));
  section.hidden = found.length === 0;
}

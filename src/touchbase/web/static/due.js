// Due: touchpoints overdue, today, this week, and those whose event was deleted.

import { api, showError, useShownZone } from "./app.js";
import { el, touchpointItem } from "./crm.js";
import { shownZone } from "./times.js";

const GROUPS = ["overdue", "today", "thisWeek", "needsDate"];

async function show() {
  // "Today" is the day the page shows, in its zone.
  const due = await api("GET", `/api/touchpoints/due?zone=${encodeURIComponent(shownZone)}`);
  for (const group of GROUPS) {
    const list = document.getElementById(`due-${group}`);
    list.replaceChildren(...due[group].map((tp) => touchpointItem(tp, show)));
    if (!due[group].length) list.append(el("li", "Nothing here.", "hint"));
  }
}

await useShownZone();
show().catch((error) => showError(error, "The due touchpoints could not be loaded"));

// Settings: connect or reconnect Google Calendar, the granted scopes, the calendars to sync and
// the last sync result of each.

import { api, colorSwatch, formatWhen, showError, toast, userSettings, useShownZone } from "./app.js";
import { connectGoogle } from "./google-connect.js";

const $ = (id) => document.getElementById(id);
const SCOPE_NAMES = {
  "https://www.googleapis.com/auth/calendar": "See, edit, share and delete all your calendars",
  "https://www.googleapis.com/auth/calendar.events": "View and edit events on all your calendars",
  "https://www.googleapis.com/auth/calendar.readonly": "See your calendars (read only)",
  "https://www.googleapis.com/auth/calendar.events.readonly": "See events on your calendars (read only)",
  "https://www.googleapis.com/auth/calendar.calendarlist.readonly": "See the list of your calendars",
  "openid": "Know who you are on Google", "email": "See your email address",
  "https://www.googleapis.com/auth/userinfo.email": "See your email address",
};

async function showConnection() {
  const state = $("google-state");
  const connection = await api("GET", "/api/google/connection");
  const scopes = $("google-scopes");
  scopes.replaceChildren(...connection.scopes.map((scope) => {
    const item = document.createElement("li");
    item.textContent = SCOPE_NAMES[scope] ?? scope;
    item.title = scope;
    return item;
  }));
  const button = $("google-connect");
  if (!connection.connected) {
    state.textContent = "Google Calendar is not connected.";
    button.textContent = "Connect Google Calendar";
  } else if (!connection.canWrite) {
    state.textContent = "Connected read-only: touchbase can see your calendar but not change it. Reconnect and allow editing events.";
    state.dataset.state = "read-only";
    button.textContent = "Reconnect Google Calendar";
  } else {
    state.textContent = "Connected. touchbase may:";
    state.dataset.state = "connected";
    button.textContent = "Reconnect Google Calendar";
  }
}

function resultText(run) {
  if (!run) return "—";
  if (run.status === "running") return "running…";
  if (run.status === "failed") return `failed: ${run.error?.message ?? "unknown error"}`;
  const c = run.counts ?? {};
  return `pulled ${c.pulled ?? 0}, pushed ${c.pushed ?? 0}, conflicts ${c.conflicts ?? 0}, errors ${c.errors ?? 0}`;
}

// How a calendar learns of changes made in Google (push notifications, or polling).
function updatesText(updates) {
  if (!updates || updates.mode === "off") return "—";
  if (updates.mode === "live") return `Live (channel until ${formatWhen(updates.until)}, renewed before)`;
  const minutes = Math.max(1, Math.round((updates.everySeconds ?? 300) / 60));
  const every = updates.everySeconds ? `Checked every ${minutes} min` : "Checked on Sync now only";
  if (updates.reason === "no_address") {
    return `${every}: Google cannot send this server notifications (it needs an https TOUCHBASE_PUBLIC_URL).`;
  }
  return `${every} (live updates starting)`;
}

// The local calendar's events go into the primary Google calendar (once one is connected).
function moveButton(connected) {
  if (!connected) return "Connect Google Calendar to move its events there.";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Move its events into Google Calendar";
  button.addEventListener("click", async () => {
    try {
      const { moved } = await api("POST", "/api/calendar/local/move", {});
      toast(`Moved ${moved} event${moved === 1 ? "" : "s"} into Google Calendar.`, { kind: "success" });
      await showCalendars();
    } catch (error) {
      showError(error, "The events were not moved");
    }
  });
  return button;
}

// How a calendar someone shared with the user reads beside its name.
const SHARED_AS = {
  reader: " (shared with you: view only)",
  freeBusyReader: " (shared with you: busy times only, nothing to sync)",
  writer: " (shared with you)",
  writerWithoutPrivateAccess: " (shared with you)",
};

// The zone working hours and touchpoints' days are in: the user's time zone setting, else
// their primary calendar's.
let calendarZone = null;

function showHoursZone(timeZone) {
  $("hours-zone").textContent = timeZone
    ? `${timeZone}, the time zone you chose below`
    : calendarZone ? `${calendarZone}, your primary calendar's zone` : "your primary calendar's zone";
}

// Events Google sent that touchbase could not read (not shown on the calendar), each named.
function unreadList(unread) {
  const box = document.createElement("div");
  box.className = "unread-events";
  const said = document.createElement("p");
  said.className = "error";
  said.textContent = unread.length === 1
    ? "One event from Google could not be read, and is not shown here:"
    : `${unread.length} events from Google could not be read, and are not shown here:`;
  const list = document.createElement("ul");
  for (const entry of unread) {
    const item = document.createElement("li");
    item.textContent = `${entry.title ? `“${entry.title}”` : entry.googleEventId}: ${entry.error}`;
    list.append(item);
  }
  box.append(said, list);
  return box;
}

async function showCalendars() {
  const { items } = await api("GET", "/api/calendar/calendars");
  const primary = items.find((calendar) => calendar.primary && !calendar.isLocal);
  calendarZone = primary?.timeZone ?? null;
  showHoursZone((await userSettings()).timeZone);
  const rows = $("calendar-rows");
  rows.replaceChildren();
  for (const calendar of items) {
    const row = document.createElement("tr");
    const sync = document.createElement("td");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `sync-${calendar.id}`;
    box.checked = calendar.syncEnabled;
    box.addEventListener("change", async () => {
      try {
        await api("PATCH", `/api/calendar/calendars/${encodeURIComponent(calendar.id)}`, { syncEnabled: box.checked });
        toast(box.checked ? `${calendar.summary} will sync.` : `${calendar.summary} will not sync.`, { kind: "success" });
      } catch (error) {
        box.checked = !box.checked;
        showError(error, "The choice was not saved");
      }
    });
    sync.append(box);
    const name = document.createElement("td");
    const label = document.createElement("label");
    label.htmlFor = box.id;
    const sharedAs = SHARED_AS[calendar.accessRole] ?? (calendar.shared ? " (shared with you to manage)" : "");
    label.textContent = calendar.summary + (calendar.primary ? " (primary)" : "") + sharedAs;
    name.append(colorSwatch(calendar.color), label);
    if (calendar.unreadEvents.length) name.append(unreadList(calendar.unreadEvents));
    if (calendar.accessRole === "freeBusyReader") box.disabled = true; // no events to sync
    const updates = document.createElement("td");
    updates.className = "updates";
    updates.textContent = updatesText(calendar.updates);
    if (calendar.isLocal) {
      box.disabled = true;
      label.textContent = `${calendar.summary}: kept here only`;
      updates.replaceChildren(moveButton(items.some((c) => !c.isLocal)));
    }
    const last = document.createElement("td");
    last.textContent = calendar.lastSyncedAt ? formatWhen(calendar.lastSyncedAt) : "never";
    const result = document.createElement("td");
    result.textContent = "—";
    row.append(sync, name, updates, last, result);
    rows.append(row);
    if (calendar.lastSyncRunId) {
      api("GET", `/api/calendar/sync/${encodeURIComponent(calendar.lastSyncRunId)}`)
        .then((run) => { result.textContent = resultText(run); })
        .catch(() => {});
    }
  }
  if (!items.length) {
    const row = document.createElement("tr");
    const cell = document.createElement("td");
    cell.colSpan = 5;
    cell.textContent = "No calendars yet: connect Google Calendar first.";
    row.append(cell);
    rows.append(row);
  }
}

const params = new URLSearchParams(location.search);
if (params.get("google") === "connected") toast("Google Calendar is connected.", { kind: "success" });
// The callback names what went wrong by a fixed code; the words are ours alone.
const FAILURES = {
  access_denied: "Google Calendar access was not granted.",
  expired: "the authorization link has expired; connect again.",
  other_browser: "it was started in another browser or by another user; connect from your own Settings page.",
  refused: "Google did not authorize touchbase.",
};
if (params.get("google") === "failed") {
  toast(`Google Calendar was not connected: ${FAILURES[params.get("reason")] ?? FAILURES.refused}`, { kind: "error" });
}
$("google-connect").addEventListener("click", connectGoogle);
await useShownZone();
showConnection().catch((error) => showError(error, "The connection could not be loaded"));
showCalendars().catch((error) => showError(error, "The calendars could not be loaded"));
document.addEventListener("time-zone-saved", (event) => {
  showHoursZone(event.detail.zone);
});

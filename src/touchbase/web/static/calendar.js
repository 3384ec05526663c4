// The calendar page: FullCalendar fed by the API, optimistic create / edit / move / delete,
// sync states and conflicts (the sync-status area is sync-status.js).

import {
  api, listedCalendars, showError, toast, useShownZone, whenWritesSettle, wireDialogs,
} from "./app.js";
import {
  board, dragEnded, dragStarted, dragStopped, events, isOccurrence, isReadOnly, known, learnCalendars,
  keptByGoogle, pattern, readOnly, remember, settled, SOURCE, STATUS_TEXT, toCalendar,
} from "./calendar-events.js";
import { offerCalendarFilter, reveal, shown } from "./calendar-filter.js";
import { create, hooks, moved, remove, removeWithTouchpoint, update } from "./calendar-writes.js";
import { openConflict, setUpConflict } from "./conflict.js";
import { showWaiting } from "./waiting-conflicts.js";
import { setUpSync, showLastSync } from "./sync-status.js";
import { cardEvent, closeCard, setUpCard, showCard } from "./event-card.js";
import { connectGoogle } from "./google-connect.js";
import { setUpSearch } from "./search.js";
import { setUpShortcuts } from "./shortcuts.js";
import { followTileFocus, refocusTile } from "./tile-focus.js";
import { setUpLog, showLog } from "./event-log.js";
import { changedFields, fillForm, formError, readForm, setUpForm } from "./event-form.js";
import { emailGuests } from "./guests-prompt.js";
import { askScope } from "./scope.js";
import { browserZone, localDate, shownZone } from "./times.js";

const $ = (id) => document.getElementById(id);
const PENDING_POLL_MS = 1500;
// A change stream the server refused (this account has too many open): try again this late.
const REFUSED_STREAM_RETRY_MS = 30000;
let pendingTimer = null;

// ---- loading -------------------------------------------------------------------------------

// A visible range shows at most this many pages of events (2,500 each).
const MAX_PAGES = 4;

async function fetchRange(range) {
  const query = `timeMin=${encodeURIComponent(range.start.toISOString())}&timeMax=${encodeURIComponent(range.end.toISOString())}`;
  const items = [];
  let token = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const more = token ? `&pageToken=${encodeURIComponent(token)}` : "";
    const answer = await api("GET", `/api/calendar/events?${query}${more}`);
    items.push(...answer.items);
    token = answer.nextPageToken;
    if (!token) break;
  }
  return items;
}

async function loadEvents(range, success, failure) {
  try {
    const items = await fetchRange(range);
    await dragEnded();
    const live = items.filter((e) => !e.deleted);
    live.forEach((e) => remember(e));
    success(live.filter((e) => shown(e.calendarId)).map((e) => toCalendar(e)));
    schedulePendingPoll(live);
    noticeChangeWhileEditing();
    showWaiting(resolved);
  } catch (error) {
    failure(error);
    showError(error, "The calendar could not be loaded");
  }
}

// The event open in the edit dialog changed elsewhere: say so; the form keeps what was typed.
function noticeChangeWhileEditing() {
  if (!editing?.event || !modal.open) return;
  const latest = events.get(editing.event.id);
  if (!latest || latest.etag === editing.event.etag || editing.noticed === latest.etag) return;
  editing.noticed = latest.etag;
  const changed = differences(editing.event, latest);
  warn(
    "This event just changed in Google Calendar (or elsewhere); your unsaved changes are kept." +
      (changed.length ? ` Changed: ${changed.join("; ")}.` : "") +
      " Saving asks you to look at the latest version first.",
    [],
  );
}

// Changes made elsewhere (Google Calendar, another tab, a sync) arrive as they happen: the
// visible range is read again. The browser reconnects a stream that ends; one the server
// refused (too many of this account's pages are open) is asked for again later, and what
// changed meanwhile is read then.
function followChanges() {
  const source = new EventSource("/api/calendar/changes");
  const refetch = () => calendar.refetchEvents();
  // A change of this page's own is placed when its answer comes (then read again).
  source.addEventListener("changed", () => whenWritesSettle(refetch));
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) return;
    setTimeout(() => {
      followChanges();
      whenWritesSettle(refetch);
    }, REFUSED_STREAM_RETRY_MS);
  });
}

// While changes wait for Google, look again until they settle.
function schedulePendingPoll(items) {
  clearTimeout(pendingTimer);
  if (items.some((e) => e.syncStatus === "pending")) {
    pendingTimer = setTimeout(() => calendar.refetchEvents(), PENDING_POLL_MS);
  }
}

function decorate(info) {
  const status = info.event.extendedProps.syncStatus ?? "saving";
  const said = STATUS_TEXT[status] ?? status;
  info.el.dataset.eventId = info.event.id;
  info.el.dataset.syncStatus = status;
  const badge = document.createElement("span");
  badge.className = `badge ${status}`;
  badge.textContent = said;
  const title = info.el.querySelector(".fc-event-title, .fc-list-event-title");
  (title ?? info.el).append(" ", badge);
  // A short event clips its title and badge: its first line keeps the state as an icon.
  const time = info.el.querySelector(".fc-timegrid-event .fc-event-time");
  if (time) {
    const icon = document.createElement("span");
    icon.className = `sync-icon ${status}`;
    icon.textContent = said.split(" ")[0];
    icon.setAttribute("aria-hidden", "true");
    time.prepend(icon, " ");
  }
  const repeats = info.event.extendedProps.pattern;
  const theirs = theirTime(info.event);
  if (theirs) {
    const other = document.createElement("span");
    other.className = "their-time";
    other.textContent = `= ${theirs}`;
    (title ?? info.el).append(other);
  }
  const tip = [repeats, theirs].filter(Boolean).join("; ");
  if (tip) info.el.title = `${info.event.title}: ${tip}`;
  info.el.setAttribute("aria-label", [info.event.title, repeats, theirs, said].filter(Boolean).join(", "));
  refocusTile(info.el, info.event.id);
}

// An event set in another zone than the one shown: its time there ("= 4:00 PM in Berlin").
function theirTime(fcEvent) {
  const zone = fcEvent.extendedProps.zone;
  if (!zone || zone === shownZone || fcEvent.allDay || !fcEvent.start) return "";
  const at = (d) => d.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit", timeZone: zone });
  const end = fcEvent.end ? ` – ${at(fcEvent.end)}` : "";
  return `${at(fcEvent.start)}${end} in ${zone}`;
}

// A phone shows the whole day (the page scrolls, not the grid): it opens at the working day.
function showWorkingDay(view) {
  if (!view.startsWith("timeGrid")) return;
  const start = `${settings?.workingHours?.start ?? "08:00"}:00`;
  const slot = document.querySelector(`td.fc-timegrid-slot-lane[data-time="${start}"]`);
  if (slot) window.scrollBy(0, slot.getBoundingClientRect().top - 60);
}

// The events of calendars shared with the user to view only stop being draggable once known.
async function lockViewOnly() {
  await learnCalendars();
  for (const shown of calendar.getEvents()) {
    if (readOnly.has(events.get(shown.id)?.calendarId)) shown.setProp("editable", false);
  }
}

// A user without Google connected (and no calendar kept here) is shown the way to start, not
// a calendar that could only refuse.
async function offerToConnect() {
  const connection = await api("GET", "/api/google/connection").catch(() => null);
  if (!connection || connection.connected) return;
  const { items } = await listedCalendars().catch(() => ({ items: [] }));
  if (items.some((c) => c.isLocal)) return;
  $("onboarding").hidden = false;
  const connectFirst = (event) => {
    event.stopImmediatePropagation(); // no event form that could only fail
    $("onboarding-connect").focus();
  };
  $("new-event").addEventListener("click", connectFirst, { capture: true });
  $("onboarding-connect").addEventListener("click", connectGoogle);
  $("onboarding-local").addEventListener("click", async () => {
    try {
      await api("POST", "/api/calendar/local");
    } catch (error) {
      return showError(error, "The calendar was not started");
    }
    $("new-event").removeEventListener("click", connectFirst, { capture: true });
    $("onboarding").hidden = true;
    showLastSync({ again: true });
    toast("Your events are kept on touchbase until you connect Google Calendar.", { kind: "success" });
  });
}

// Which zone the grid shows, and how that came to be.
function showZone() {
  const note = $("zone-note");
  note.textContent = shownZone === browserZone
    ? `Times in ${shownZone}`
    : `Times in ${shownZone} (your setting; this device is in ${browserZone})`;
}

// ---- the modals ----------------------------------------------------------------------------

const modal = $("event-modal");
let editing = null; // {event, before} while editing; null while creating

function openCreate(range) {
  editing = null;
  $("event-modal-title").textContent = "New event";
  $("event-delete").hidden = true;
  $("event-save").hidden = false;
  $("event-warning").hidden = true;
  $("event-series-note").hidden = true;
  formError("");
  showLog(null);
  fillForm({
    title: "", allDay: range.allDay,
    startTime: range.allDay ? range.startStr?.slice(0, 10) ?? localDate(range.start) : range.start.toISOString(),
    endTime: range.allDay ? range.endStr?.slice(0, 10) ?? localDate(range.end) : range.end.toISOString(),
  });
  modal.showModal();
  $("ev-title").focus();
}

function nextHour() {
  const start = new Date();
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  return { start, end: new Date(start.getTime() + 3600_000), allDay: false };
}

function warn(message, buttons) {
  const box = $("event-warning");
  box.replaceChildren(message);
  for (const [label, act] of buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", act);
    box.append(" ", button);
  }
  box.hidden = false;
}

async function openEdit(id) {
  let event;
  try {
    event = await api("GET", `/api/calendar/events/${encodeURIComponent(id)}`);
  } catch (error) {
    return showError(error, "The event could not be opened");
  }
  if (event.syncStatus === "conflict" && event.conflict) {
    return openConflict(event.id, event.conflict, (e) => resolved(e));
  }
  editing = { event };
  const viewOnly = (await isReadOnly(event.calendarId)) || event.keptByGoogle;
  $("event-modal-title").textContent = viewOnly ? "Event" : "Edit event";
  $("event-delete").hidden = viewOnly;
  $("event-save").hidden = viewOnly;
  const repeats = pattern(event);
  $("event-series-note").textContent = repeats ? `Recurring: ${repeats}.` : "";
  $("event-series-note").hidden = !repeats;
  $("event-warning").hidden = true;
  formError("");
  await fillForm(event);
  showLog(event);
  editing.before = readForm();
  const seen = known.get(event.id);
  if (seen && event.etag !== seen.etag) {
    const changed = differences(seen, event);
    warn(
      "This event changed in Google Calendar since this page loaded; the form shows the latest version." +
        (changed.length ? ` Changed: ${changed.join("; ")}.` : ""),
      [],
    );
    known.set(event.id, event);
  }
  if (event.keptByGoogle) warn(keptByGoogle(event), []);
  else if (viewOnly) warn("This calendar is shared with you to view only: its events cannot be changed here.", []);
  else if (event.organizerOnly) {
    const who = event.organizer ?? "Someone else";
    warn(`${who} organizes this event: only they can change it. The contact it is with is yours to set.`, []);
  }
  if (!modal.open) modal.showModal();
}

const FIELD_NAMES = {
  title: "title", startTime: "start", endTime: "end", location: "location",
  description: "description", attendees: "attendees", allDay: "all day", timeZone: "time zone",
};

// What changed between the version this page loaded and the latest one.
function differences(loaded, latest) {
  return Object.entries(FIELD_NAMES)
    .filter(([key]) => JSON.stringify(loaded[key] ?? null) !== JSON.stringify(latest[key] ?? null))
    .map(([key, name]) => `${name} (was “${Array.isArray(loaded[key]) ? loaded[key].join(", ") : loaded[key] ?? ""}”)`);
}

function resolved(event) {
  settled(event, "Conflict resolved");
}

// Drop a change Google refused: the event is again as Google has it.
async function discardRefused(event) {
  try {
    const back = await api("POST", `/api/calendar/events/${encodeURIComponent(event.id)}/discard`);
    settled(back, "Back to Google Calendar's version");
  } catch (error) {
    showError(error, "The change was not dropped");
  }
}

async function askDelete(event) {
  // Someone else's event the user is a guest of leaves their calendar only: Google emails no
  // guest for them, so nothing is asked.
  const emailThem = () => (event.organizerOnly ? "none" : emailGuests("delete", event));
  if (isOccurrence(event)) {
    const scope = await askScope("Delete recurring event");
    if (!scope) return;
    const sendUpdates = await emailThem();
    if (!sendUpdates) return;
    modal.close();
    return remove(event, scope, sendUpdates);
  }
  $("delete-summary").textContent = event.organizerOnly
    ? `“${event.title}” will be removed from your calendar, here and in Google Calendar. ` +
      `${event.organizer ?? "Its organizer"} organizes it: the other guests keep it.`
    : `“${event.title}” will be removed here and from Google Calendar.`;
  $("delete-touchpoint").hidden = !(event.isTouchpointEvent || event.touchpointId);
  $("delete-touchpoint-choice").hidden = !event.touchpointId;
  $("delete-touchpoint-then").value = "planned";
  $("delete-series").hidden = !event.recurrence.length;
  const confirm = $("delete-confirm");
  confirm.onclick = async () => {
    const then = $("delete-touchpoint-then").value;
    const withTouchpoint = event.touchpointId && then !== "planned";
    const sendUpdates = withTouchpoint ? "none" : await emailThem();
    if (!sendUpdates) return;
    $("delete-modal").close();
    modal.close();
    if (withTouchpoint) removeWithTouchpoint(event, then);
    else remove(event, null, sendUpdates);
  };
  $("delete-modal").showModal();
  $("delete-modal").querySelector("[data-close]").focus();
}

async function submitted(submit) {
  submit.preventDefault();
  const body = readForm();
  if (!body) return;
  const current = editing;
  const changed = current ? Object.keys(changedFields(current.before, body)) : null;
  if (changed && !changed.length) return modal.close();
  // Asked over the form: stepping back returns to it with everything typed. Whom the event is
  // with is the user's own note (in their copy only): no guest hears of it.
  const ownNoteOnly = changed?.every((key) => key === "contactId");
  const sendUpdates = ownNoteOnly
    ? "none"
    : await emailGuests(current ? "update" : "create", current?.event, body);
  if (!sendUpdates) return;
  modal.close();
  if (current) update(current.event, current.before, body, sendUpdates);
  else {
    if (body.calendarId) reveal(body.calendarId);
    create(body, sendUpdates);
  }
}

// A search result, or the event a link names (`/calendar?event=ID`, from a contact's meetings
// or a touchpoint): its day on the calendar, and its card, or its conflict if it waits in one.
function openFound(event) {
  calendar.gotoDate(event.allDay ? event.startTime : new Date(event.startTime));
  if (event.syncStatus === "conflict") openEdit(event.id);
  else showCard(event.id, null, pattern);
}

function openLinked() {
  const id = new URLSearchParams(location.search).get("event");
  if (!id) return;
  api("GET", `/api/calendar/events/${encodeURIComponent(id)}`).then(openFound, (error) =>
    showError(error, "The event could not be opened"),
  );
}

// ---- wiring --------------------------------------------------------------------------------

const narrow = window.matchMedia("(max-width: 640px)").matches;
// The user's zone and working hours (the defaults when they cannot be read).
const settings = await useShownZone();
// The view last used here opens again (as in Google Calendar).
const VIEW_KEY = "touchbase.view";
const VIEWS = ["dayGridMonth", "timeGridWeek", "timeGridDay", "listWeek"];
const lastView = VIEWS.includes(localStorage.getItem(VIEW_KEY)) ? localStorage.getItem(VIEW_KEY) : null;
const calendar = (board.calendar = new FullCalendar.Calendar($("calendar"), {
  initialView: lastView ?? (narrow ? "listWeek" : "timeGridWeek"),
  datesSet: (info) => {
    localStorage.setItem(VIEW_KEY, info.view.type);
    if (narrow) requestAnimationFrame(() => showWorkingDay(info.view.type));
  },
  headerToolbar: narrow
    ? { left: "prev,next", center: "title", right: "today" }
    : { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
  footerToolbar: narrow ? { center: "dayGridMonth,timeGridDay,listWeek" } : undefined,
  buttonText: { today: "Today", month: "Month", week: "Week", day: "Day", list: "List" },
  height: narrow ? "auto" : "max(560px, calc(100vh - 190px))",
  timeZone: shownZone,
  scrollTime: `${settings?.workingHours?.start ?? "08:00"}:00`,
  nowIndicator: true,
  selectable: true,
  selectMirror: true,
  editable: true,
  eventInteractive: true,
  eventSources: [{ id: SOURCE, events: loadEvents }],
  select: (info) => {
    calendar.unselect();
    openCreate(info);
  },
  eventClick: (info) => {
    info.jsEvent.preventDefault();
    if (info.event.id.startsWith("tmp-")) return;
    // A conflict needs a decision: it opens at once; anything else shows its card first.
    if (info.event.extendedProps.syncStatus === "conflict") openEdit(info.event.id);
    else showCard(info.event.id, info.el, pattern);
  },
  eventDrop: moved,
  eventResize: moved,
  eventDidMount: decorate,
}));

// FullCalendar takes hold of an event when the pointer goes down on it (before any drag).
$("calendar").addEventListener("pointerdown", (event) => event.target.closest(".fc-event") && dragStarted(), true);
document.addEventListener("pointerup", dragStopped, true);
document.addEventListener("pointercancel", dragStopped, true);
hooks.openEdit = openEdit;
setUpCard({
  edit: openEdit,
  remove: askDelete,
  answered: (event) => settled(event, "Your answer was sent"),
  discard: discardRefused,
});
setUpSearch(openFound);
setUpShortcuts({
  calendar,
  create: () => openCreate(nextHour()),
  search: () => $("search").focus(),
  chosen: () => cardEvent()?.id ?? document.activeElement?.closest?.("#calendar [data-event-id]")?.dataset.eventId ?? null,
  edit: (id) => {
    closeCard();
    openEdit(id);
  },
  remove: (id) => {
    const event = cardEvent()?.id === id ? cardEvent() : events.get(id);
    closeCard();
    if (event) askDelete(event);
  },
});
wireDialogs();
setUpForm();
setUpConflict();
setUpLog();
$("event-form").addEventListener("submit", submitted);
$("event-delete").addEventListener("click", () => editing && askDelete(editing.event));
$("new-event").addEventListener("click", () => openCreate(nextHour()));
$("shortcuts-help").addEventListener("click", () => $("shortcuts-modal").showModal());
calendar.render();
showZone();
offerToConnect();
lockViewOnly();
listedCalendars().then(({ items }) => offerCalendarFilter(items, () => calendar.refetchEvents()), () => {});
setUpSync(calendar);
followTileFocus();
followChanges();
openLinked();
window.touchbaseCalendar = calendar; // for people poking at the page from the console

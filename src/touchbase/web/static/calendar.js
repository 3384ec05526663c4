// The calendar page: FullCalendar fed by the API, optimistic create / edit / move / delete,
// sync states and conflicts (the sync-status area is sync-status.js).

import { api, ApiError, describe, showError, toast, whenWritesSettle, wireDialogs } from "./app.js";
import { openConflict, setUpConflict } from "./conflict.js";
import { setUpSync } from "./sync-status.js";
import { setUpLog, showLog } from "./event-log.js";
import { changedFields, fillForm, formDates, formError, readForm, setUpForm } from "./event-form.js";
import { ruleInWords } from "./repeat.js";
import { emailGuests } from "./guests-prompt.js";
import { askScope } from "./scope.js";
import { addDays, browserZone, localDate } from "./times.js";

const $ = (id) => document.getElementById(id);
const SOURCE = "api";
const PENDING_POLL_MS = 1500;
const STATUS_TEXT = {
  synced: "✓ synced", pending: "⟳ saved, will sync", conflict: "⚠ conflict",
  error: "✕ error", saving: "… saving",
};
const events = new Map(); // id -> the API's latest view of each loaded event
const known = new Map(); // id -> the version this page first loaded or last wrote itself
let pendingTimer = null;

// ---- loading -------------------------------------------------------------------------------

// One occurrence of a recurring series (a change to it asks which occurrences it is for).
function isOccurrence(event) {
  return Boolean(event.seriesId);
}

// The series' pattern in words ("Weekly on Tue and Thu, until 31 Mar 2027").
function pattern(event) {
  const rule = event.recurrence?.length ? event.recurrence : event.seriesRecurrence;
  if (!rule?.length) return "";
  const start = event.allDay ? event.startTime.slice(0, 10) : localDate(new Date(event.startTime));
  return ruleInWords(rule, start, event.timeZone || browserZone);
}

function toCalendar(event, status = event.syncStatus) {
  return {
    id: event.id,
    title: event.title,
    start: event.startTime,
    end: event.endTime,
    allDay: event.allDay,
    editable: !event.recurrence.length && status !== "conflict",
    classNames: [`sync-${status}`],
    extendedProps: { syncStatus: status, pattern: pattern(event) },
  };
}

function remember(event, { ours = false } = {}) {
  const before = events.get(event.id);
  if (ours || !known.has(event.id) || before?.syncStatus === "pending") known.set(event.id, event);
  events.set(event.id, event);
}

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
    const live = items.filter((e) => !e.deleted);
    live.forEach((e) => remember(e));
    success(live.map((e) => toCalendar(e)));
    schedulePendingPoll(live);
    noticeChangeWhileEditing();
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
// visible range is read again. The browser reconnects a stream that ends.
function followChanges() {
  const source = new EventSource("/api/calendar/changes");
  const refetch = () => calendar.refetchEvents();
  // A change of this page's own is placed when its answer comes (then read again).
  source.addEventListener("changed", () => whenWritesSettle(refetch));
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
  info.el.dataset.eventId = info.event.id;
  info.el.dataset.syncStatus = status;
  const badge = document.createElement("span");
  badge.className = `badge ${status}`;
  badge.textContent = STATUS_TEXT[status] ?? status;
  const title = info.el.querySelector(".fc-event-title, .fc-list-event-title");
  (title ?? info.el).append(" ", badge);
  const repeats = info.event.extendedProps.pattern;
  if (repeats) info.el.title = `${info.event.title}: ${repeats}`;
  const said = [info.event.title, repeats, STATUS_TEXT[status] ?? status].filter(Boolean);
  info.el.setAttribute("aria-label", said.join(", "));
}

// Put the server's answer on the calendar at once (the next refetch confirms it).
function place(event) {
  calendar.getEventById(event.id)?.remove();
  // A series shows as its instances, which only the refetch brings.
  if (!event.deleted && !event.recurrence.length) calendar.addEvent(toCalendar(event), SOURCE);
}

function settled(event, done) {
  remember(event, { ours: true });
  place(event);
  if (event.syncStatus === "pending") {
    toast(`${done}. Saved, will sync with Google Calendar.`, { kind: "pending" });
  } else if (event.syncStatus === "synced") {
    toast(`${done}.`, { kind: "success" });
  } else if (event.syncStatus === "error") {
    const { message, action, link } = describe(new ApiError(502, { error: event.lastError ?? {} }));
    toast(`Saved here, but Google Calendar refused it: ${message}`, { kind: "error", action, link });
  }
  calendar.refetchEvents();
}

// ---- the modals ----------------------------------------------------------------------------

const modal = $("event-modal");
let editing = null; // {event, before} while editing; null while creating

function openCreate(range) {
  editing = null;
  $("event-modal-title").textContent = "New event";
  $("event-delete").hidden = true;
  $("event-warning").hidden = true;
  $("event-series-note").hidden = true;
  formError("");
  showLog(null);
  fillForm({
    title: "", allDay: range.allDay,
    startTime: range.allDay ? localDate(range.start) : range.start.toISOString(),
    endTime: range.allDay ? localDate(range.end) : range.end.toISOString(),
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
  $("event-modal-title").textContent = "Edit event";
  $("event-delete").hidden = false;
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

// ---- optimistic writes ---------------------------------------------------------------------

function conflictOf(error) {
  return error instanceof ApiError && error.status === 409 ? error.details : null;
}

function handleWriteError(error, what, rollback) {
  rollback();
  const details = conflictOf(error);
  if (details?.conflict) {
    calendar.refetchEvents();
    return openConflict(details.eventId, details.conflict, (e) => resolved(e));
  }
  if (details?.current) {
    remember(details.current, { ours: true });
    place(details.current);
    toast("This event changed since you opened it. Look at the latest version and try again.", {
      kind: "error",
    });
    return openEdit(details.current.id);
  }
  showError(error, what);
  calendar.refetchEvents();
}

// The query of a write: which occurrences (a series) and whom Google emails.
function writeQuery(scope, sendUpdates) {
  const params = new URLSearchParams();
  if (scope) params.set("scope", scope);
  if (sendUpdates && sendUpdates !== "none") params.set("sendUpdates", sendUpdates);
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function create(body, sendUpdates) {
  const key = crypto.randomUUID();
  const dates = formDates(body);
  const temp = calendar.addEvent({
    id: `tmp-${key}`, title: body.title, ...dates, editable: false,
    classNames: ["sync-saving"], extendedProps: { syncStatus: "saving" },
  });
  try {
    const path = `/api/calendar/events${writeQuery(null, sendUpdates)}`;
    const event = await api("POST", path, body, { "Idempotency-Key": key });
    temp.remove();
    settled(event, "Event created");
  } catch (error) {
    handleWriteError(error, "The event was not created", () => temp.remove());
  }
}

function snapshot(fcEvent) {
  return { title: fcEvent.title, start: fcEvent.start, end: fcEvent.end, allDay: fcEvent.allDay, classNames: fcEvent.classNames, status: fcEvent.extendedProps.syncStatus };
}

function restore(fcEvent, saved) {
  fcEvent.setProp("title", saved.title);
  fcEvent.setAllDay(saved.allDay);
  fcEvent.setDates(saved.start, saved.end, { allDay: saved.allDay });
  fcEvent.setProp("classNames", saved.classNames);
  fcEvent.setExtendedProp("syncStatus", saved.status);
}

function markSaving(fcEvent) {
  fcEvent.setProp("classNames", ["sync-saving"]);
  fcEvent.setExtendedProp("syncStatus", "saving");
  // FullCalendar keeps a tile's element across prop changes (eventDidMount does not run
  // again): mark the element itself, so it never shows a change beside the old state.
  const selector = `#calendar [data-event-id="${CSS.escape(fcEvent.id)}"]`;
  for (const element of document.querySelectorAll(selector)) {
    element.dataset.syncStatus = "saving";
    const badge = element.querySelector(".badge");
    if (badge) {
      badge.className = "badge saving";
      badge.textContent = STATUS_TEXT.saving;
    }
  }
}

async function patch(id, changes, etag, rollback, what, { scope = null, sendUpdates = null } = {}) {
  try {
    const headers = etag ? { "If-Match": etag } : {};
    const path = `/api/calendar/events/${encodeURIComponent(id)}${writeQuery(scope, sendUpdates)}`;
    const event = await api("PATCH", path, changes, headers);
    settled(event, what);
  } catch (error) {
    handleWriteError(error, `The change was not saved`, rollback);
  }
}

async function update(event, before, after, sendUpdates) {
  const changes = changedFields(before, after);
  let scope = null;
  if (isOccurrence(event)) {
    scope = await askScope("Change recurring event", { single: !("recurrence" in changes) });
    if (!scope) return;
  }
  const fcEvent = calendar.getEventById(event.id);
  const saved = fcEvent ? snapshot(fcEvent) : null;
  if (fcEvent) {
    // Saving first: the tile must never show the new title beside the old "synced".
    markSaving(fcEvent);
    const dates = formDates(after);
    fcEvent.setProp("title", after.title);
    fcEvent.setDates(dates.start, dates.end, { allDay: dates.allDay });
  }
  const rollback = () => fcEvent && saved && restore(fcEvent, saved);
  await patch(event.id, changes, event.etag, rollback, "Event saved", { scope, sendUpdates });
}

// Show the event where the API last put it. (FullCalendar's own revert, after a pause for a
// question or a request, can bring back a copy the refetch in between already replaced.)
function putBack(id) {
  for (let stale = calendar.getEventById(id); stale; stale = calendar.getEventById(id)) stale.remove();
  const latest = events.get(id);
  if (latest) place(latest);
  calendar.refetchEvents();
}

// Dragged or resized on the calendar.
async function moved(info) {
  const fcEvent = info.event;
  const event = events.get(fcEvent.id);
  if (!event) return info.revert();
  let changes;
  if (fcEvent.allDay) {
    const start = fcEvent.startStr.slice(0, 10);
    const end = fcEvent.end ? fcEvent.endStr.slice(0, 10) : addDays(start, 1);
    changes = { allDay: true, startTime: start, endTime: end };
  } else {
    const end = fcEvent.end ?? new Date(fcEvent.start.getTime() + 3600_000);
    changes = { allDay: false, startTime: fcEvent.start.toISOString(), endTime: end.toISOString() };
  }
  let scope = null;
  if (isOccurrence(event)) {
    scope = await askScope("Move recurring event");
    if (!scope) return putBack(event.id);
  }
  const sendUpdates = await emailGuests("update", event);
  if (!sendUpdates) return putBack(event.id);
  markSaving(fcEvent);
  patch(event.id, changes, event.etag, () => putBack(event.id), "Event moved", { scope, sendUpdates });
}

async function askDelete(event) {
  if (isOccurrence(event)) {
    const scope = await askScope("Delete recurring event");
    if (!scope) return;
    const sendUpdates = await emailGuests("delete", event);
    if (!sendUpdates) return;
    modal.close();
    return remove(event, scope, sendUpdates);
  }
  $("delete-summary").textContent = `“${event.title}” will be removed here and from Google Calendar.`;
  $("delete-touchpoint").hidden = !(event.isTouchpointEvent || event.touchpointId);
  $("delete-touchpoint-choice").hidden = !event.touchpointId;
  $("delete-touchpoint-then").value = "planned";
  $("delete-series").hidden = !event.recurrence.length;
  const confirm = $("delete-confirm");
  confirm.onclick = async () => {
    const then = $("delete-touchpoint-then").value;
    const withTouchpoint = event.touchpointId && then !== "planned";
    const sendUpdates = withTouchpoint ? "none" : await emailGuests("delete", event);
    if (!sendUpdates) return;
    $("delete-modal").close();
    modal.close();
    if (withTouchpoint) removeWithTouchpoint(event, then);
    else remove(event, null, sendUpdates);
  };
  $("delete-modal").showModal();
  $("delete-modal").querySelector("[data-close]").focus();
}

async function remove(event, scope = null, sendUpdates = null) {
  const fcEvent = calendar.getEventById(event.id);
  const saved = fcEvent?.toPlainObject({ collapseExtendedProps: false });
  fcEvent?.remove();
  try {
    const headers = event.etag ? { "If-Match": event.etag } : {};
    const path = `/api/calendar/events/${encodeURIComponent(event.id)}${writeQuery(scope, sendUpdates)}`;
    const answer = await api("DELETE", path, undefined, headers);
    events.delete(event.id);
    toast(answer.syncStatus === "pending" ? "Event deleted. Saved, will sync with Google Calendar." : "Event deleted.", {
      kind: answer.syncStatus === "pending" ? "pending" : "success",
    });
    calendar.refetchEvents();
  } catch (error) {
    handleWriteError(error, "The event was not deleted", () => saved && calendar.addEvent(saved, SOURCE));
  }
}

// The touchpoint's event goes, and the touchpoint is marked (or deleted) in the same change.
async function removeWithTouchpoint(event, then) {
  const path = `/api/touchpoints/${encodeURIComponent(event.touchpointId)}`;
  calendar.getEventById(event.id)?.remove();
  try {
    if (then === "deleted") await api("DELETE", path);
    else await api("PATCH", path, { status: then, deleteEvent: true });
    events.delete(event.id);
    toast(then === "deleted" ? "Event and touchpoint deleted." : `Event deleted; touchpoint marked ${then}.`, { kind: "success" });
  } catch (error) {
    showError(error, "The event was not deleted");
  }
  calendar.refetchEvents();
}

async function submitted(submit) {
  submit.preventDefault();
  const body = readForm();
  if (!body) return;
  const current = editing;
  if (current && !Object.keys(changedFields(current.before, body)).length) return modal.close();
  // Asked over the form: stepping back returns to it with everything typed.
  const sendUpdates = await emailGuests(current ? "update" : "create", current?.event, body);
  if (!sendUpdates) return;
  modal.close();
  if (current) update(current.event, current.before, body, sendUpdates);
  else create(body, sendUpdates);
}

// ---- wiring --------------------------------------------------------------------------------

const narrow = window.matchMedia("(max-width: 640px)").matches;
const calendar = new FullCalendar.Calendar($("calendar"), {
  initialView: narrow ? "listWeek" : "timeGridWeek",
  headerToolbar: narrow
    ? { left: "prev,next", center: "title", right: "today" }
    : { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
  footerToolbar: narrow ? { center: "dayGridMonth,timeGridDay,listWeek" } : undefined,
  buttonText: { today: "Today", month: "Month", week: "Week", day: "Day", list: "List" },
  height: narrow ? "auto" : "max(560px, calc(100vh - 190px))",
  scrollTime: "08:00:00",
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
    if (!info.event.id.startsWith("tmp-")) openEdit(info.event.id);
  },
  eventDrop: moved,
  eventResize: moved,
  eventDidMount: decorate,
});

wireDialogs();
setUpForm();
setUpConflict();
setUpLog();
$("event-form").addEventListener("submit", submitted);
$("event-delete").addEventListener("click", () => editing && askDelete(editing.event));
$("new-event").addEventListener("click", () => openCreate(nextHour()));
calendar.render();
setUpSync(calendar);
followChanges();
window.touchbaseCalendar = calendar; // for people poking at the page from the console

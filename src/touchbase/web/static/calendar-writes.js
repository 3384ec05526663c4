// The calendar page's writes: optimistic create, edit, move and delete, each through the API,
// rolled back (or shown as a conflict) when refused, and undone from its toast for ~10 s
// through the same path (so an undo syncs, is audited and meets conflicts like any change).

import { api, ApiError, showError, toast } from "./app.js";
import {
  board, dragEnded, events, isOccurrence, place, remember, settled, SOURCE, STATUS_TEXT, undoOffer,
} from "./calendar-events.js";
import { openConflict } from "./conflict.js";
import { changedFields, formDates } from "./event-form.js";
import { emailGuests } from "./guests-prompt.js";
import { askScope } from "./scope.js";
import { addDays } from "./times.js";

export const hooks = { openEdit: null }; // set by calendar.js: shows an event's latest version

function conflictOf(error) {
  return error instanceof ApiError && error.status === 409 ? error.details : null;
}

function handleWriteError(error, what, rollback) {
  rollback();
  const details = conflictOf(error);
  if (details?.conflict) {
    board.calendar.refetchEvents();
    return openConflict(details.eventId, details.conflict, (e) => settled(e, "Conflict resolved"));
  }
  if (details?.current) {
    remember(details.current, { ours: true });
    place(details.current);
    toast("This event changed since you opened it. Look at the latest version and try again.", {
      kind: "error",
    });
    return hooks.openEdit(details.current.id);
  }
  showError(error, what);
  board.calendar.refetchEvents();
}

// The query of a write: which occurrences (a series) and whom Google emails.
function writeQuery(scope, sendUpdates) {
  const params = new URLSearchParams();
  if (scope) params.set("scope", scope);
  if (sendUpdates && sendUpdates !== "none") params.set("sendUpdates", sendUpdates);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export async function create(body, sendUpdates, done = "Event created") {
  const key = crypto.randomUUID();
  const dates = formDates(body);
  const temp = board.calendar.addEvent({
    id: `tmp-${key}`, title: body.title, ...dates, editable: false,
    classNames: ["sync-saving", ...(body.calendarId ? [`calendar-${body.calendarId}`] : [])],
    extendedProps: { syncStatus: "saving" },
  });
  showDay(temp, dates.start);
  try {
    const path = `/api/calendar/events${writeQuery(null, sendUpdates)}`;
    const event = await api("POST", path, body, { "Idempotency-Key": key });
    temp.remove();
    settled(event, done);
  } catch (error) {
    handleWriteError(error, "The event was not created", () => temp.remove());
  }
}

// A new event outside the days shown turns the calendar to it (as Google Calendar does): the
// user sees it land, not nothing.
function showDay(fcEvent, start) {
  const { activeStart, activeEnd } = board.calendar.view;
  if (fcEvent.start < activeStart || fcEvent.start >= activeEnd) board.calendar.gotoDate(start);
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
    const icon = element.querySelector(".sync-icon");
    if (icon) {
      icon.className = "sync-icon saving";
      icon.textContent = STATUS_TEXT.saving.split(" ")[0];
    }
  }
}

// Change an event; `reverse` (the fields as they were) offers to undo the change.
async function patch(id, changes, etag, rollback, what, { scope = null, sendUpdates = null, reverse = null } = {}) {
  try {
    const headers = etag ? { "If-Match": etag } : {};
    const path = `/api/calendar/events/${encodeURIComponent(id)}${writeQuery(scope, sendUpdates)}`;
    const event = await api("PATCH", path, changes, headers);
    const undo = reverse && undoable(scope) ? () => undoChange(event, reverse, scope, sendUpdates) : null;
    settled(event, what, undo);
  } catch (error) {
    handleWriteError(error, `The change was not saved`, rollback);
  }
}

export async function update(event, before, after, sendUpdates) {
  const changes = changedFields(before, after);
  let scope = null;
  if (isOccurrence(event)) {
    scope = await askScope("Change recurring event", { single: !("recurrence" in changes) });
    if (!scope) return;
  }
  const fcEvent = board.calendar.getEventById(event.id);
  const saved = fcEvent ? snapshot(fcEvent) : null;
  if (fcEvent) {
    // Saving first: the tile must never show the new title beside the old "synced".
    markSaving(fcEvent);
    const dates = formDates(after);
    fcEvent.setProp("title", after.title);
    fcEvent.setDates(dates.start, dates.end, { allDay: dates.allDay });
  }
  const rollback = () => fcEvent && saved && restore(fcEvent, saved);
  const reverse = undoing(before, after);
  await patch(event.id, changes, event.etag, rollback, "Event saved", { scope, sendUpdates, reverse });
}

// Show the event (once) where the API last put it.
export async function putBack(id) {
  await dragEnded();
  for (let stale = board.calendar.getEventById(id); stale; stale = board.calendar.getEventById(id)) stale.remove();
  const latest = events.get(id);
  if (latest) place(latest);
  board.calendar.refetchEvents();
}

// Dragged or resized on the board.calendar.
export async function moved(info) {
  const fcEvent = info.event;
  const event = events.get(fcEvent.id);
  let changes;
  if (fcEvent.allDay) {
    const start = fcEvent.startStr.slice(0, 10);
    const end = fcEvent.end ? fcEvent.endStr.slice(0, 10) : addDays(start, 1);
    changes = { allDay: true, startTime: start, endTime: end };
  } else {
    const end = fcEvent.end ?? new Date(fcEvent.start.getTime() + 3600_000);
    changes = { allDay: false, startTime: fcEvent.start.toISOString(), endTime: end.toISOString() };
  }
  await null; // FullCalendar finishes the drop first
  dropCopies(fcEvent);
  if (!event) return putBack(fcEvent.id);
  let scope = null;
  if (isOccurrence(event)) {
    scope = await askScope("Move recurring event");
    if (!scope) return putBack(event.id);
  }
  const sendUpdates = await emailGuests("update", event);
  if (!sendUpdates) return putBack(event.id);
  markSaving(fcEvent);
  const reverse = { allDay: event.allDay, startTime: event.startTime, endTime: event.endTime };
  if (!event.allDay && event.timeZone) reverse.timeZone = event.timeZone;
  const options = { scope, sendUpdates, reverse };
  patch(event.id, changes, event.etag, () => putBack(event.id), "Event moved", options);
}

// A refetch that lands during a drag brings the event back beside the dropped one: only the
// dropped one stays.
function dropCopies(dropped) {
  const at = (e) => `${e.start?.getTime()}/${e.end?.getTime()}/${e.allDay}`;
  for (const other of board.calendar.getEvents()) {
    if (other.id === dropped.id && at(other) !== at(dropped)) other.remove();
  }
}
export async function remove(event, scope = null, sendUpdates = null) {
  const fcEvent = board.calendar.getEventById(event.id);
  const saved = fcEvent?.toPlainObject({ collapseExtendedProps: false });
  fcEvent?.remove();
  try {
    const headers = event.etag ? { "If-Match": event.etag } : {};
    const path = `/api/calendar/events/${encodeURIComponent(event.id)}${writeQuery(scope, sendUpdates)}`;
    const answer = await api("DELETE", path, undefined, headers);
    events.delete(event.id);
    // Undone, a deleted event is made again, as the user's own: never someone else's.
    const undo = undoable(scope) && !event.recurrence.length && !event.organizerOnly
      ? () => restoreDeleted(event, sendUpdates)
      : null;
    toast(answer.syncStatus === "pending" ? "Event deleted. Saved, will sync with Google Calendar." : "Event deleted.", {
      kind: answer.syncStatus === "pending" ? "pending" : "success",
      ...undoOffer(undo),
    });
    board.calendar.refetchEvents();
  } catch (error) {
    handleWriteError(error, "The event was not deleted", () => saved && board.calendar.addEvent(saved, SOURCE));
  }
}

// The touchpoint's event goes, and the touchpoint is marked (or deleted) in the same change.
export async function removeWithTouchpoint(event, then) {
  const path = `/api/touchpoints/${encodeURIComponent(event.touchpointId)}`;
  board.calendar.getEventById(event.id)?.remove();
  try {
    if (then === "deleted") await api("DELETE", path);
    else await api("PATCH", path, { status: then, deleteEvent: true });
    events.delete(event.id);
    // The touchpoint changed; the event's delete may have met a change in Google Calendar.
    const after = await api("GET", `/api/calendar/events/${encodeURIComponent(event.id)}`).catch(() => null);
    const done = then === "deleted" ? "deleted" : `marked ${then}`;
    toast(after?.conflict ? `Touchpoint ${done}.` : `Event deleted; touchpoint ${done}.`, { kind: "success" });
    if (after?.conflict) openConflict(after.id, after.conflict, (e) => settled(e, "Conflict resolved"));
  } catch (error) {
    showError(error, "The event was not deleted");
  }
  board.calendar.refetchEvents();
}

// ---- undo ----------------------------------------------------------------------------------

// A change of a whole series (or of this and following) is not undone from a toast.
function undoable(scope) {
  return !scope || scope === "instance";
}


// The change that undoes a form's `before` -> `after`, or null when there is none: a Meet
// added is taken off again; a call taken off cannot come back (its link is gone).
function undoing(before, after) {
  const reverse = changedFields(after, before);
  if (after.addMeet) reverse.conference = null;
  return Object.keys(reverse).length ? reverse : null;
}

function undoChange(answer, reverse, scope, sendUpdates) {
  const back = () => putBack(answer.id);
  patch(answer.id, reverse, answer.etag, back, "Change undone", { scope, sendUpdates });
}

// A deleted event comes back as a new event with everything it had.
function restoreDeleted(event, sendUpdates) {
  const body = {
    title: event.title, allDay: event.allDay, startTime: event.startTime, endTime: event.endTime,
    location: event.location ?? "", description: event.description ?? "", attendees: event.attendees,
  };
  if (!event.allDay && event.timeZone) body.timeZone = event.timeZone;
  if (event.contactId) body.contactId = event.contactId;
  body.calendarId = event.calendarId; // back where it was, not in the primary calendar
  create(body, sendUpdates, "Event restored");
}

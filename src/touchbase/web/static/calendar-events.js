// The calendar page's events: the API's latest view of each, the version this page knows, and
// how one shows on FullCalendar (`board.calendar`, set by calendar.js).

import { api, ApiError, describe, listedCalendars, RGB, toast } from "./app.js";
import { ruleInWords } from "./repeat.js";
import { localDate, shownZone } from "./times.js";

export const SOURCE = "api";
export const STATUS_TEXT = {
  synced: "✓ synced", pending: "⟳ saved, will sync", conflict: "⚠ conflict",
  error: "✕ error", saving: "… saving", local: "● on touchbase",
};
export const events = new Map(); // id -> the API's latest view of each loaded event
export const known = new Map(); // id -> the version this page first loaded or last wrote itself
export const board = { calendar: null };
// Calendars shared with the user to view only: their events are seen here, not changed.
export const readOnly = new Set();
const calendars = new Map(); // id -> the API's view of each of the user's calendars
let calendarsRead = Promise.resolve(); // the calendar list being read (`learnCalendars`)
const UNDO_MS = 10_000; // how long a change's toast offers to undo it

// One occurrence of a recurring series (a change to it asks which occurrences it is for).
export function isOccurrence(event) {
  return Boolean(event.seriesId);
}

// The series' pattern in words ("Weekly on Tue and Thu, until 31 Mar 2027").
export function pattern(event) {
  const rule = event.recurrence?.length ? event.recurrence : event.seriesRecurrence;
  if (!rule?.length) return "";
  const start = event.allDay ? event.startTime.slice(0, 10) : localDate(new Date(event.startTime));
  return ruleInWords(rule, start, event.timeZone || shownZone);
}

// Learn from the API's calendar list (refreshed from Google as it is read) which calendars are
// view only, and the colour each has in Google; an unreadable list leaves every calendar as it
// was.
export function learnCalendars() {
  const listed = listedCalendars().catch(() => ({ items: [] }));
  calendarsRead = listed.then(({ items }) => {
    for (const entry of items) {
      calendars.set(entry.id, entry);
      if (!entry.writable) readOnly.add(entry.id);
    }
    showCalendarColors(items);
  });
  return calendarsRead;
}

// ---- colours, as in Google --------------------------------------------------------------------
// An event shows in its own colour (Google's event palette, app.css's `event-color-N`), else in
// its calendar's: a rule per calendar, added once the list is read (tiles drawn before take it
// then). A state to act on (conflict, error, declined) keeps its own look.

function showCalendarColors(items) {
  const rules = items
    .filter((c) => RGB.test(c.color ?? "") && RGB.test(c.textColor ?? ""))
    .map((c) => `.fc-event.calendar-${CSS.escape(c.id)} { --fc-event-bg-color: ${c.color}; `
      + `--fc-event-border-color: ${c.color}; --fc-event-text-color: ${c.textColor}; }`);
  let sheet = document.getElementById("calendar-colors");
  if (!sheet) {
    sheet = document.createElement("style");
    sheet.id = "calendar-colors";
    document.head.append(sheet);
  }
  sheet.textContent = rules.join("\n");
}

function colorClass(event) {
  return /^(?:[1-9]|1[01])$/.test(event.colorId ?? "") ? `event-color-${event.colorId}` : `calendar-${event.calendarId}`;
}

// Why Google keeps an event of a special type (its details are not changed here), in words.
const KEPT_BY_GOOGLE = {
  birthday: "a birthday from Google Contacts",
  fromGmail: "made by Gmail from an email",
  workingLocation: "a working location",
};

export function keptByGoogle(event) {
  if (!event.keptByGoogle) return null;
  return `Google Calendar keeps this event (${KEPT_BY_GOOGLE[event.eventType] ?? event.eventType}): change it there.`;
}

// Whether an event's calendar is view only. An event opened while the page loads waits for the
// calendar list: it never offers a Save or a Delete the server would refuse.
export async function isReadOnly(calendarId) {
  await calendarsRead;
  return readOnly.has(calendarId);
}

// The calendar an event is in (its name, its colour), once the list is read; null if unknown.
export async function calendarOf(calendarId) {
  await calendarsRead;
  return calendars.get(calendarId) ?? null;
}

export function toCalendar(event, status = event.syncStatus) {
  return {
    id: event.id,
    title: event.title,
    start: event.startTime,
    end: event.endTime,
    allDay: event.allDay,
    editable: !event.recurrence.length && status !== "conflict" && !readOnly.has(event.calendarId)
      && !event.organizerOnly && !event.keptByGoogle,
    classNames: [`sync-${status}`, colorClass(event), ...(event.declined ? ["declined"] : [])],
    extendedProps: { syncStatus: status, pattern: pattern(event), zone: event.timeZone },
  };
}

export function remember(event, { ours = false } = {}) {
  const before = events.get(event.id);
  if (ours || !known.has(event.id) || before?.syncStatus === "pending") known.set(event.id, event);
  events.set(event.id, event);
}

// ---- while an event is held ------------------------------------------------------------------
// FullCalendar drops a dragged or resized event on the events it had when the pointer went
// down on it, and fails if they were replaced meanwhile: fetched events and answers wait until
// the pointer is up again.
let drag = null; // {ended: Promise, end()} while a drag goes on
const HOLD_MS = 30_000;

export function dragStarted() {
  let end;
  const ended = new Promise((resolve) => (end = resolve));
  drag = { ended, end };
}

export function dragStopped() {
  const stopped = drag;
  if (!stopped) return;
  // After the drop's own handler has run.
  setTimeout(() => {
    if (drag === stopped) drag = null;
    stopped.end();
  }, 0);
}

// Resolves once no drag is going on.
// (A pointer never seen up again lets go after HOLD_MS.)
export async function dragEnded() {
  while (drag) {
    const held = drag;
    await Promise.race([held.ended, new Promise((done) => setTimeout(done, HOLD_MS))]);
    if (drag === held) drag = null;
  }
}

// Put the server's answer on the calendar as soon as it can be (the next refetch confirms it).
export async function place(event) {
  await dragEnded();
  board.calendar.getEventById(event.id)?.remove();
  // A series shows as its instances, which only the refetch brings.
  if (!event.deleted && !event.recurrence.length) board.calendar.addEvent(toCalendar(event), SOURCE);
}

// The toast's options offering `undo` (none when null).
export function undoOffer(undo) {
  return undo ? { button: { label: "Undo", act: undo }, timeout: UNDO_MS } : {};
}

// The API's answer to a change of this page's: shown, and told (with `undo` offered, if any).
export function settled(event, done, undo = null) {
  remember(event, { ours: true });
  place(event);
  const offer = undoOffer(undo);
  if (event.syncStatus === "pending") {
    toast(`${done}. Saved, will sync with Google Calendar.`, { kind: "pending", ...offer });
  } else if (event.syncStatus === "synced") {
    toast(`${done}.`, { kind: "success", ...offer });
  } else if (event.syncStatus === "error") {
    const { message, action, link } = describe(new ApiError(502, { error: event.lastError ?? {} }));
    toast(`Saved here, but Google Calendar refused it: ${message}`, { kind: "error", action, link });
  }
  board.calendar.refetchEvents();
}

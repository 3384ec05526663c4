// The event modal's form: filling it from an event or a selected range, reading and checking it,
// and its contact (event-contact.js). It knows nothing of the calendar or the API's writes.

import { callName, listedCalendars, outsideLink } from "./app.js";
import { chosenContact, setUpContact, showContact } from "./event-contact.js";
import { fillRepeat, readRepeat, relabel, setUpRepeat } from "./repeat-picker.js";
import { editorValue, fillEditor, setUpEditor } from "./rich-text.js";
import { addDays, instantIn, isDateOnly, shownZone, wallClock, zoneNames } from "./times.js";

const $ = (id) => document.getElementById(id);
const EMAIL = /^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$/;
const field = {
  title: $("ev-title"), allDay: $("ev-all-day"), startDate: $("ev-start-date"),
  startTime: $("ev-start-time"), endDate: $("ev-end-date"), endTime: $("ev-end-time"),
  zone: $("ev-zone"), location: $("ev-location"), attendees: $("ev-attendees"),
  description: $("ev-description"), contact: $("ev-contact"), meet: $("ev-meet"),
  callOff: $("ev-call-off"), calendar: $("ev-calendar"),
};
// Where Google Calendar makes a Meet: new events (made in Google once it is connected), and
// events of the user's calendars there (not of one kept on touchbase only).
let googleCalendars = null; // ids, once listed
let creating = false; // the form is for a new event (which may choose its calendar)

export function setUpForm() {
  const list = $("zones");
  for (const name of zoneNames()) {
    const option = document.createElement("option");
    option.value = name;
    list.append(option);
  }
  field.allDay.addEventListener("change", showTimes);
  setUpRepeat(() => ({
    start: field.startDate.value || new Date().toISOString().slice(0, 10),
    allDay: field.allDay.checked,
    zone: field.zone.value.trim() || shownZone,
  }));
  field.startDate.addEventListener("change", relabel);
  setUpContact();
  setUpEditor(field.description, $("ev-description-tools"));
  listedCalendars().then(({ items }) => {
    googleCalendars = new Set(items.filter((c) => !c.isLocal).map((c) => c.id));
    offerCalendars(items);
  }, () => {});
  field.calendar.addEventListener("change", () => {
    const possible = meetPossible({ calendarId: field.calendar.value });
    $("ev-meet-row").hidden = !possible;
    if (!possible) field.meet.checked = false; // Google makes a Meet: not in one kept here
  });
}

// A new event goes into the calendar chosen: one of the user's calendars shown here that they
// may change, the primary one unless another is chosen. (An event keeps its calendar.)
function offerCalendars(items) {
  const offered = items
    .filter((c) => c.writable && c.syncEnabled)
    .sort((a, b) => Number(b.primary) - Number(a.primary));
  field.calendar.replaceChildren(...offered.map((c) => new Option(c.summary, c.id)));
  showCalendarChoice();
}

// The choice shows for a new event, when there is one to make (the list read meanwhile).
function showCalendarChoice() {
  $("ev-calendar-row").hidden = !creating || field.calendar.options.length < 2;
}

function meetPossible(event) {
  if (!googleCalendars?.size) return false;
  return !event.calendarId || googleCalendars.has(event.calendarId);
}

// The event's video call: its link and the offer to take it off, or the offer to add a Meet
// (asked for: waiting for Google, and unchecked to call it off).
function showMeet(event) {
  const call = event.conference;
  const asked = Boolean(event.meetRequested);
  $("ev-meet-row").hidden = Boolean(call) || !meetPossible(event);
  $("ev-call-off-row").hidden = !call;
  field.callOff.checked = false;
  field.meet.checked = asked;
  field.meet.dataset.asked = asked ? "yes" : "";
  const note = $("ev-meet-note");
  note.hidden = !call && !asked;
  if (call) note.replaceChildren("Video call: ", outsideLink(call.url, callName(call)));
  else if (asked) note.textContent = "Google Calendar adds the Meet's link when the event syncs.";
}

function showTimes() {
  for (const box of document.querySelectorAll("#event-form .time")) box.hidden = field.allDay.checked;
  field.zone.disabled = field.allDay.checked;
}

// Fill the form: from an API event, or from {start, end, allDay} (Dates) for a new one.
export async function fillForm(event) {
  const zone = event.timeZone || shownZone;
  creating = !event.id;
  if (creating) field.calendar.selectedIndex = 0;
  showCalendarChoice();
  field.title.value = event.title ?? "";
  field.allDay.checked = Boolean(event.allDay);
  field.zone.value = zone;
  if (event.allDay) {
    const start = isDateOnly(event.startTime) ? event.startTime : wallClock(new Date(event.startTime), zone).date;
    const end = isDateOnly(event.endTime) ? event.endTime : addDays(start, 1);
    field.startDate.value = start;
    field.endDate.value = addDays(end, -1); // shown inclusive; Google's end date is exclusive
    field.startTime.value = "09:00";
    field.endTime.value = "10:00";
  } else {
    const start = wallClock(new Date(event.startTime), zone);
    const end = wallClock(new Date(event.endTime), zone);
    field.startDate.value = start.date;
    field.startTime.value = start.time;
    field.endDate.value = end.date;
    field.endTime.value = end.time;
  }
  // An occurrence shows (and may change) its series' rule.
  fillRepeat(event.recurrence?.length ? event.recurrence : event.seriesRecurrence ?? []);
  field.location.value = event.location ?? "";
  field.attendees.value = (event.attendees ?? []).join(", ");
  fillEditor(field.description, event.description);
  showMeet(creating && field.calendar.value ? { ...event, calendarId: field.calendar.value } : event);
  await showContact(event.contactId);
  showTimes();
  lockDetails(Boolean(event.organizerOnly || event.keptByGoogle));
}

// Someone else's event the user is a guest of: its details are its organizer's to change;
// the contact it is with stays the user's to set.
function lockDetails(locked) {
  $("ev-details").disabled = locked;
  field.description.contentEditable = String(!locked);
  $("contact-guest-add").disabled = locked; // adding a guest changes the details
}

export function formError(message, input) {
  const box = $("event-error");
  box.textContent = message;
  box.hidden = !message;
  for (const element of Object.values(field)) element.removeAttribute("aria-invalid");
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

// The form as the API's fields, or null after showing what is wrong.
export function readForm() {
  const title = field.title.value.trim();
  if (!title) return formError("Give the event a title.", field.title), null;
  const allDay = field.allDay.checked;
  const zone = field.zone.value.trim() || shownZone;
  if (!allDay && !zoneNames().includes(zone) && zone !== "UTC") {
    return formError(`Unknown time zone "${zone}".`, field.zone), null;
  }
  if (!field.startDate.value) return formError("Choose a start date.", field.startDate), null;
  if (!field.endDate.value) return formError("Choose an end date.", field.endDate), null;
  const attendees = field.attendees.value.split(/[,;\s]+/).map((a) => a.trim()).filter(Boolean);
  const bad = attendees.find((a) => !EMAIL.test(a));
  if (bad) return formError(`"${bad}" is not an email address.`, field.attendees), null;
  const repeat = readRepeat();
  if (repeat.error) return formError(repeat.error, repeat.field), null;
  const body = {
    title, allDay, location: field.location.value.trim(), attendees,
    description: editorValue(field.description), contactId: chosenContact() ?? "", recurrence: repeat.lines,
  };
  if (creating && field.calendar.value) body.calendarId = field.calendar.value;
  const asked = Boolean(field.meet.dataset.asked);
  if (field.meet.checked && !asked) body.addMeet = true;
  if (field.callOff.checked || (asked && !field.meet.checked)) body.conference = null;
  if (allDay) {
    const end = addDays(field.endDate.value, 1);
    if (end <= field.startDate.value) return formError("The end date is before the start.", field.endDate), null;
    Object.assign(body, { startTime: field.startDate.value, endTime: end });
  } else {
    if (!field.startTime.value) return formError("Choose a start time.", field.startTime), null;
    if (!field.endTime.value) return formError("Choose an end time.", field.endTime), null;
    const start = instantIn(field.startDate.value, field.startTime.value, zone);
    const end = instantIn(field.endDate.value, field.endTime.value, zone);
    if (end <= start) return formError("The end is not after the start.", field.endTime), null;
    Object.assign(body, {
      startTime: `${field.startDate.value}T${field.startTime.value}:00`,
      endTime: `${field.endDate.value}T${field.endTime.value}:00`,
      timeZone: zone,
    });
  }
  formError("");
  return body;
}

// Only what differs between two readings of the form (times travel together).
export function changedFields(before, after) {
  const changes = {};
  const timeKeys = ["startTime", "endTime", "allDay", "timeZone"];
  if (timeKeys.some((k) => before[k] !== after[k])) {
    for (const k of timeKeys) if (after[k] !== undefined) changes[k] = after[k];
  }
  for (const [key, value] of Object.entries(after)) {
    if (timeKeys.includes(key)) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(value)) changes[key] = value;
  }
  return changes;
}

// Start and end of the form's fields as Dates (for showing the change at once).
export function formDates(body) {
  if (body.allDay) return { start: body.startTime, end: body.endTime, allDay: true };
  const [sd, st] = body.startTime.split("T");
  const [ed, et] = body.endTime.split("T");
  return {
    start: instantIn(sd, st.slice(0, 5), body.timeZone),
    end: instantIn(ed, et.slice(0, 5), body.timeZone),
    allDay: false,
  };
}

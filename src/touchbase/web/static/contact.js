// One contact: details, next touchpoint, cadence, and the timeline of meetings and notes.

import { api, callName, formatWhen, oneAtATime, outsideLink, showError, toast, useShownZone } from "./app.js";
import { cadenceText, el, fillContactForm, readContactForm, showFieldError, touchpointItem } from "./crm.js";
import { instantIn, isZone, shownZone } from "./times.js";

const $ = (id) => document.getElementById(id);
const contactId = decodeURIComponent(location.pathname.split("/").pop());
const path = `/api/contacts/${encodeURIComponent(contactId)}`;
let etag = null;

function meetingItem(entry, upcoming = false) {
  const item = el("li", null, "meeting");
  if (entry.kind === "interaction") {
    item.append(el("strong", formatWhen(entry.at)), ` · ${entry.outcome.replace("_", "-")}`);
    if (entry.notes) item.append(" — ", el("span", entry.notes));
    return item;
  }
  const link = el("a", entry.event.title);
  link.href = `/calendar?event=${encodeURIComponent(entry.event.id)}`;
  item.append(el("strong", formatWhen(entry.at)), " ", link);
  const call = upcoming ? entry.event.conference : null; // a meeting to come: join from here
  if (call) item.append(" · ", outsideLink(call.url, `Join ${callName(call)}`));
  for (const logged of entry.logged) {
    item.append(" · ", el("span", logged.outcome.replace("_", "-"), "badge"));
    if (logged.notes) item.append(" ", el("span", logged.notes, "hint"));
  }
  return item;
}

async function showTimeline() {
  const timeline = await api("GET", `${path}/timeline`);
  $("last-contacted").textContent = timeline.lastContacted ? formatWhen(timeline.lastContacted) : "never";
  $("timeline-upcoming").replaceChildren(...timeline.upcoming.map((m) => meetingItem(m, true)));
  $("timeline-past").replaceChildren(...timeline.past.map(meetingItem));
  if (!timeline.upcoming.length) $("timeline-upcoming").append(el("li", "No meetings planned.", "hint"));
  if (!timeline.past.length) $("timeline-past").append(el("li", "No meetings yet: meetings with any of their emails appear here.", "hint"));
  const meetings = timeline.past.filter((e) => e.kind === "meeting");
  $("log-meeting").replaceChildren(el("option", "No meeting"), ...meetings.map((m) => {
    const option = el("option", `${formatWhen(m.at)} ${m.event.title}`);
    option.value = m.event.id;
    return option;
  }));
  $("log-meeting").firstChild.value = "";
}

async function show() {
  const contact = await api("GET", path);
  etag = contact.etag;
  document.title = `${contact.name} · touchbase`;
  $("contact-name").textContent = contact.name;
  $("contact-company").textContent = [contact.title, contact.company].filter(Boolean).join(", ");
  $("cadence").textContent = cadenceText(contact.cadence);
  showTheirClock(contact.timeZone);
  fillContactForm(contact);
  const next = $("next-touchpoint");
  next.replaceChildren();
  if (contact.nextTouchpoint) {
    const list = el("ul", null, "due-list");
    list.append(touchpointItem(contact.nextTouchpoint, refresh, { withContact: false }));
    next.append(list);
  } else {
    next.append(el("p", "None planned.", "hint"));
  }
  $("plan-form").hidden = Boolean(contact.nextTouchpoint);
  $("archive-contact").textContent = contact.archived ? "Bring back" : "Archive";
  $("archive-contact").dataset.archived = contact.archived ? "1" : "";
}

// The contact's own time now, when their zone is known (a day-only touchpoint then goes
// where their working day meets the user's).
function showTheirClock(zone) {
  const known = Boolean(zone) && isZone(zone);
  $("contact-clock").hidden = !known;
  $("plan-their-hours").hidden = !known;
  if (!known) return;
  const now = new Date().toLocaleTimeString([], { timeZone: zone, hour: "numeric", minute: "2-digit" });
  $("contact-clock").textContent = `${now} their time (${zone})`;
}

async function refresh() {
  await Promise.all([show(), showTimeline()]);
}

async function save(event) {
  event.preventDefault();
  try {
    await api("PATCH", path, readContactForm(), { "If-Match": etag });
    $("contact-form-error").hidden = true;
    toast("Saved.", { kind: "success", timeout: 3000 });
    await refresh();
  } catch (error) {
    showFieldError(error, $("contact-form"), $("contact-form-error"));
  }
}

async function plan(event) {
  event.preventDefault();
  const day = $("plan-date").value;
  const time = $("plan-time").value;
  const body = { contactId, message: $("plan-message").value };
  if (time) body.dueAt = instantIn(day, time, shownZone).toISOString();
  else body.dueDate = day;
  try {
    await api("POST", "/api/touchpoints", body, { "Idempotency-Key": crypto.randomUUID() });
    toast("Touchpoint planned; its event is in your calendar.", { kind: "success", timeout: 4000 });
    await refresh();
  } catch (error) {
    showError(error, "The touchpoint was not planned");
  }
}

async function log(event) {
  event.preventDefault();
  const body = { outcome: $("log-outcome").value, notes: $("log-notes").value };
  if ($("log-meeting").value) body.eventId = $("log-meeting").value;
  try {
    await api("POST", `${path}/interactions`, body);
    $("log-notes").value = "";
    await refresh();
  } catch (error) {
    showError(error, "It was not logged");
  }
}

async function archive() {
  const archived = !$("archive-contact").dataset.archived;
  try {
    await api("PATCH", path, { archived }, { "If-Match": etag });
    await refresh();
  } catch (error) {
    showError(error, "The contact was not changed");
  }
}

$("contact-form").addEventListener("submit", oneAtATime(save));
$("plan-form").addEventListener("submit", oneAtATime(plan));
$("log-form").addEventListener("submit", oneAtATime(log));
$("archive-contact").addEventListener("click", archive);
await useShownZone();
refresh().catch((error) => showError(error, "The contact could not be loaded"));

// The event card: what a click on an event shows before any editing. Its time (and the
// event's own zone's time when that differs), the pattern of a series, where (a link), the join
// link, the description as the formatted text it is, the files attached in Google, the guests
// and their answers, the contact, the sync state (and why Google refused a change); Edit, Delete, Open contact, and
// for a change Google refused, going back to Google's version.

import { api, ApiError, colorSwatch, describe, outsideLink as link, showError } from "./app.js";
import { calendarOf, isReadOnly, keptByGoogle, STATUS_TEXT } from "./calendar-events.js";
import { formatted } from "./rich-text.js";
import { askScope } from "./scope.js";
import { shownZone } from "./times.js";

const $ = (id) => document.getElementById(id);
const RSVP = {
  accepted: "Going", declined: "Not going", tentative: "Maybe", needsAction: "Not answered yet",
};
// Meeting services whose links are offered as "Join".
const MEETING = /^https:\/\/([a-z0-9-]+\.)*(meet\.google\.com|zoom\.us|teams\.microsoft\.com|webex\.com|whereby\.com)\//i;
const LINK = /https?:\/\/[^\s<>"']+/gi;

let actions = { edit: null, remove: null, answered: null, discard: null };
let shown = null;
let opener = null; // the element focused before the card: focused again when it closes

export function setUpCard(handlers) {
  actions = handlers;
  const card = $("event-card");
  $("card-edit").addEventListener("click", () => shown && (card.close(), actions.edit(shown.id)));
  $("card-delete").addEventListener("click", () => shown && (card.close(), actions.remove(shown)));
  $("card-discard").addEventListener("click", () => shown && (card.close(), actions.discard(shown)));
  $("card-close").addEventListener("click", () => card.close());
  card.addEventListener("close", () => {
    const back = stillShown(opener);
    if (back && (!document.activeElement || card.contains(document.activeElement) || document.activeElement === document.body)) back.focus();
  });
  // A popover, not a modal: Escape, or a click elsewhere, closes it.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && card.open && !document.querySelector("dialog[open]:modal")) card.close();
  });
  document.addEventListener("mousedown", (event) => {
    if (card.open && !card.contains(event.target) && !event.target.closest?.("dialog")) card.close();
  });
}

// The element focused before the card, or, when a live update drew the calendar again
// meanwhile, the same event's new tile.
function stillShown(element) {
  if (!element || element.isConnected) return element;
  const id = element.dataset?.eventId;
  return id ? document.querySelector(`#calendar [data-event-id="${CSS.escape(id)}"]`) : null;
}

// The event whose card is open (null when none is).
export function cardEvent() {
  return $("event-card").open ? shown : null;
}

export function closeCard() {
  $("event-card").close();
}

// Times of an event as a person reads them, in `zone`.
export function whenInWords(event, zone) {
  if (event.allDay) {
    const day = (iso) => new Date(`${iso}T12:00:00Z`).toLocaleDateString(undefined, {
      weekday: "short", month: "short", day: "numeric", timeZone: "UTC",
    });
    const last = new Date(Date.parse(`${event.endTime}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    return last === event.startTime ? `${day(event.startTime)}, all day` : `${day(event.startTime)} – ${day(last)}`;
  }
  const start = new Date(event.startTime);
  const end = new Date(event.endTime);
  const date = start.toLocaleDateString(undefined, { weekday: "short", month: "short", day: "numeric", timeZone: zone });
  const time = (d) => d.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit", timeZone: zone });
  return `${date} · ${time(start)} – ${time(end)}`;
}

// The event's video call: Google's (a Meet, or one an add-on made), else a meeting service's
// link written in its place or description. {url, name}, or null.
function joinLink(event) {
  if (event.conference) return event.conference;
  const candidates = [event.location ?? "", event.description ?? ""].flatMap((t) => t.match(LINK) ?? []);
  const url = candidates.find((found) => MEETING.test(found));
  return url ? { url, name: "" } : null;
}

function row(label, ...content) {
  const item = document.createElement("div");
  item.className = "card-row";
  const name = document.createElement("dt");
  name.textContent = label;
  const value = document.createElement("dd");
  value.append(...content);
  item.append(name, value);
  return item;
}

function guests(event) {
  const list = document.createElement("ul");
  list.className = "guests";
  for (const email of event.attendees) {
    const item = document.createElement("li");
    const answer = event.attendeeResponses?.[email] ?? "needsAction";
    item.dataset.rsvp = answer;
    const who = email === event.myEmail ? `You (${email})` : email;
    item.textContent = `${who} — ${RSVP[answer] ?? answer}`;
    list.append(item);
  }
  return list;
}

async function contactRow(event) {
  if (!event.contactId) return null;
  try {
    const contact = await api("GET", `/api/contacts/${encodeURIComponent(event.contactId)}`);
    const name = link(`/contacts/${encodeURIComponent(contact.id)}`, contact.name);
    name.removeAttribute("target");
    return row("Contact", name, contact.company ? ` (${contact.company})` : "");
  } catch {
    return null;
  }
}

// An invitation's answer: Yes, Maybe, No (the one given pressed).
function answerRow(event) {
  let current = event;
  const box = document.createElement("span");
  box.className = "answers";
  const press = (answer) => {
    for (const [button, value] of buttons) button.setAttribute("aria-pressed", String(value === answer));
  };
  const buttons = [["Yes", "accepted"], ["Maybe", "tentative"], ["No", "declined"]].map(([label, value]) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", async () => {
      // An occurrence's answer is for it alone, or for the whole series, as Google asks.
      const scope = current.seriesId ? await askScope("Answer recurring event", { following: false }) : "instance";
      if (!scope) return;
      const path = `/api/calendar/events/${encodeURIComponent(current.id)}`;
      try {
        const answered = await api("PATCH", `${path}?scope=${scope}`, { myResponse: value }, { "If-Match": current.etag });
        // The series answers for all events: the card shows its occurrence, as now.
        current = scope === "all" ? await api("GET", path) : answered;
      } catch (error) {
        return showError(error, "Your answer was not sent");
      }
      press(current.myResponse);
      showAnswered(current);
    });
    box.append(button, " ");
    return [button, value];
  });
  press(event.myResponse);
  return row("Going?", box);
}

// The card after the user answered: its version (what Delete sends as If-Match), the
// guests' answers and the sync state are the new ones.
function showAnswered(event) {
  if (shown?.id !== event.id) return;
  shown = event;
  document.querySelector("#card-details .guests")?.replaceWith(guests(event));
  const sync = document.querySelector("#card-details .card-sync dd");
  if (sync) sync.textContent = syncInWords(event);
  actions.answered?.(event);
}

// The sync state, and why Google refused the change when it did.
function syncInWords(event) {
  const state = STATUS_TEXT[event.syncStatus] ?? event.syncStatus;
  if (event.syncStatus !== "error" || !event.lastError) return state;
  return `${state}: ${describe(new ApiError(502, { error: event.lastError })).message}`;
}

// Whether Google has a version of the event to go back to, from a change it refused.
function refusedChange(event) {
  return event.syncStatus === "error" && event.pendingOperation !== "create";
}

// The files attached in Google, each a link opening in a new tab.
function files(attachments) {
  const list = document.createElement("ul");
  list.className = "files";
  for (const file of attachments) {
    const item = document.createElement("li");
    item.append(link(file.url, file.title || new URL(file.url).host));
    list.append(item);
  }
  return list;
}

async function rows(event, repeats, viewOnly) {
  const found = [row("When", whenInWords(event, shownZone))];
  if (!event.allDay && event.timeZone && event.timeZone !== shownZone) {
    found.push(row("Their time", `${whenInWords(event, event.timeZone)} (${event.timeZone})`));
  }
  if (repeats) found.push(row("Repeats", repeats));
  const join = joinLink(event);
  if (join) {
    const host = new URL(join.url).host;
    found.push(row("Join", link(join.url, join.name ? `${join.name} (${host})` : host)));
  }
  if (event.location) {
    const where = /^https?:\/\//i.test(event.location)
      ? link(event.location, event.location)
      : link(`https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(event.location)}`, event.location);
    found.push(row("Where", where));
  }
  if (event.attendees.length) found.push(row("Guests", guests(event)));
  const contact = await contactRow(event);
  if (contact) found.push(contact);
  if (event.description) {
    const text = document.createElement("div");
    text.className = "description";
    text.append(formatted(event.description));
    found.push(row("Description", text));
  }
  if (event.attachments?.length) found.push(row("Files", files(event.attachments)));
  if (event.myResponse && !viewOnly) found.push(answerRow(event));
  const calendar = await calendarOf(event.calendarId);
  const sharedToView = viewOnly ? "Shared with you to view only" : "";
  if (calendar) {
    const name = [calendar.summary, sharedToView].filter(Boolean).join(" · ");
    found.push(row("Calendar", colorSwatch(calendar.color), name));
  } else if (viewOnly) found.push(row("Calendar", sharedToView));
  if (event.keptByGoogle) found.push(row("Changes", keptByGoogle(event)));
  if (event.organizerOnly) {
    found.push(row("Organizer", `${event.organizer ?? "Someone else"} (only they can change it)`));
  }
  const sync = row("Sync", syncInWords(event));
  sync.classList.add("card-sync");
  found.push(sync);
  return found;
}

// Show the card of event `id` beside `anchor` (the clicked tile).
export async function showCard(id, anchor, repeatsOf) {
  let event;
  try {
    event = await api("GET", `/api/calendar/events/${encodeURIComponent(id)}`);
  } catch (error) {
    return showError(error, "The event could not be opened");
  }
  const viewOnly = await isReadOnly(event.calendarId);
  shown = event;
  const card = $("event-card");
  $("card-title").textContent = event.title;
  $("card-details").replaceChildren(...(await rows(event, repeatsOf(event), viewOnly)));
  $("card-delete").hidden = viewOnly || event.keptByGoogle;
  $("card-discard").hidden = viewOnly || !refusedChange(event);
  const contact = $("card-contact");
  contact.hidden = !event.contactId;
  contact.href = event.contactId ? `/contacts/${encodeURIComponent(event.contactId)}` : "#";
  if (!card.open) opener = document.activeElement;
  if (!card.open) card.show();
  place(card, anchor);
  $("card-edit").focus();
}

function place(card, anchor) {
  const box = anchor?.getBoundingClientRect();
  if (!box || window.innerWidth < 640) {
    card.style.left = card.style.top = "";
    card.classList.add("centred");
    return;
  }
  card.classList.remove("centred");
  const width = card.offsetWidth;
  const height = card.offsetHeight;
  const right = box.right + 8 + width <= window.innerWidth;
  const left = right ? box.right + 8 : Math.max(8, box.left - 8 - width);
  const top = Math.min(Math.max(8, box.top), window.innerHeight - height - 8);
  card.style.left = `${left}px`;
  card.style.top = `${Math.max(8, top)}px`;
}

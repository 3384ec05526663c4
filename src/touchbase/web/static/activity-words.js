// An activity entry in words: "You moved “Intro call” from Tue 10:00 AM to Wed 2:00 PM",
// "Google Calendar changed the title of …", "Google refused …". Names, never ids.

import { cadenceText } from "./crm.js";
import { plainText } from "./rich-text.js";
import { shownZone } from "./times.js";

const FIELD = {
  title: "title", description: "description", location: "location", startTime: "time",
  endTime: "time", attendees: "guests", recurrence: "repeat rule", contactId: "contact",
  status: "status", touchpointId: "touchpoint", conferenceRequest: "video call",
  conference: "video call",
};
const OUTCOME = { held: "a meeting held", no_show: "a no-show", rescheduled: "a reschedule", note: "a note" };

export function who(entry, me) {
  if (entry.source === "sync" && entry.action.startsWith("sync_")) return "Google Calendar";
  if (entry.source === "sync" || entry.source === "system") return "touchbase";
  return entry.actor === me ? "You" : entry.actor;
}

// A stored time ({dateTime} or {date}) as a person reads it ("Tue 10:00 AM", "Tue, Dec 3").
export function timeOf(value) {
  if (!value) return "—";
  if (value.date) {
    return new Date(`${value.date}T12:00:00Z`).toLocaleDateString(undefined, {
      weekday: "short", month: "short", day: "numeric", timeZone: "UTC",
    });
  }
  const moment = new Date(value.dateTime ?? value);
  if (Number.isNaN(moment.getTime())) return String(value.dateTime ?? value);
  return moment.toLocaleString(undefined, {
    weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    timeZone: shownZone,
  });
}

// One field's value in words.
export function valueOf(field, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return "none";
  if (field === "startTime" || field === "endTime") return timeOf(value);
  if (field === "attendees") return value.map((a) => a.email ?? a).join(", ");
  if (field === "description") return plainText(String(value)).slice(0, 120);
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

function listed(words) {
  if (words.length < 2) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function quoted(title) {
  return `“${title || "(no title)"}”`;
}

const ANSWER = { accepted: "going", tentative: "maybe", declined: "not going", needsAction: "not answered" };

// The guests whose answer a change of the guest list is (the same guests, answers changed),
// or null when the guests themselves changed.
function answered(change) {
  const before = change?.before ?? [];
  const after = change?.after ?? [];
  if (before.length !== after.length || before.some((guest, i) => guest.email !== after[i].email)) return null;
  return after.filter((guest, i) => guest.responseStatus !== before[i].responseStatus);
}

function answerSentence(by, title, guests) {
  const [self] = guests.filter((guest) => guest.isSelf);
  if (self && guests.length === 1) return `${by} answered ${quoted(title)}: ${ANSWER[self.responseStatus] ?? self.responseStatus}`;
  const said = guests.map((guest) => `${guest.email} ${ANSWER[guest.responseStatus] ?? guest.responseStatus}`);
  return `Answers to ${quoted(title)}: ${listed(said)}`;
}

function changeSentence(by, title, changes) {
  const keys = Object.keys(changes ?? {});
  const guests = keys.length === 1 && keys[0] === "attendees" ? answered(changes.attendees) : null;
  if (guests?.length) return answerSentence(by, title, guests);
  const moved = keys.filter((k) => k === "startTime" || k === "endTime");
  const others = keys.filter((k) => !moved.includes(k));
  if (!keys.length) return `${by} saved ${quoted(title)} unchanged`;
  if (!others.length && changes.startTime) {
    return `${by} moved ${quoted(title)} from ${timeOf(changes.startTime.before)} to ${timeOf(changes.startTime.after)}`;
  }
  if (!others.length) {
    return `${by} changed the end of ${quoted(title)} from ${timeOf(changes.endTime.before)} to ${timeOf(changes.endTime.after)}`;
  }
  if (keys.length === 1 && others[0] === "title") {
    return `${by} renamed ${quoted(changes.title.before)} to ${quoted(changes.title.after)}`;
  }
  const names = [...new Set(keys.map((k) => FIELD[k] ?? k))];
  return `${by} changed the ${listed(names)} of ${quoted(title)}`;
}

const CONTACT_FIELD = {
  name: "name", emails: "emails", company: "company", title: "job title", phone: "phone",
  time_zone: "time zone", notes: "notes", cadence: "cadence",
};
const MARKED = {
  done: (contact) => `marked the touchpoint with ${contact} done`,
  skipped: (contact) => `skipped the touchpoint with ${contact}`,
  missed: (contact) => `marked the touchpoint with ${contact} missed`,
  planned: (contact) => `planned the touchpoint with ${contact} again`,
};

function contactSentence(by, contact, c) {
  const keys = Object.keys(c);
  if (keys.length === 1 && c.name) return `${by} renamed the contact ${quoted(c.name.before)} to ${quoted(c.name.after)}`;
  if (keys.length === 1 && c.cadence) {
    return c.cadence.after
      ? `${by} set ${contact}'s cadence to ${cadenceText(c.cadence.after)}`
      : `${by} stopped ${contact}'s cadence`;
  }
  return `${by} changed ${contact}'s ${listed(keys.map((k) => CONTACT_FIELD[k] ?? k))}`;
}

function touchpointSentence(by, contact, c) {
  const marked = MARKED[c.status?.after];
  if (marked) return `${by} ${marked(contact)}`;
  const cadence = c.by === "cadence" ? ", by the cadence" : "";
  if (c.due) return `${by} moved the touchpoint with ${contact} to ${timeOf({ date: c.due })}${cadence}`;
  return `${by} updated a touchpoint with ${contact}`;
}

// The sentence of an entry; `names`: {title(eventId), contact(contactId)}.
export function sentence(entry, me, names) {
  const by = who(entry, me);
  const title = names.title(entry) ?? entry.changes?.title?.after ?? entry.changes?.title?.before ?? "";
  const contact = names.contact(entry.contactId) ?? "a contact";
  const c = entry.changes ?? {};
  switch (entry.action) {
    case "create": return `${by} created ${quoted(title)} for ${timeOf(c.startTime?.after)}`;
    case "sync_create": return `Google Calendar added ${quoted(title)} (${timeOf(c.startTime?.after)})`;
    case "update": case "sync_update": return changeSentence(by, title, c);
    case "delete": return `${by} deleted ${quoted(title)}`;
    case "sync_delete": return `Google Calendar deleted ${quoted(title)}${c.reason ? ` (${c.reason})` : ""}`;
    case "sync_import": return `Google Calendar: ${c.events ?? "some"} events brought in from ${c.calendar ?? "a calendar"}`;
    case "merge": return `touchbase merged the changes made here and in Google Calendar to ${quoted(title)}`;
    case "conflict": return `${quoted(title)} was changed here and in Google Calendar${c.fields?.length ? ` (${listed(c.fields.map((f) => FIELD[f] ?? f))})` : ""}: choose what to keep`;
    case "resolve_conflict": return `${by} resolved the conflict on ${quoted(title)}`;
    case "push_refused": return `Google refused the change to ${quoted(title)}: ${c.error?.message ?? "no reason given"}`;
    case "discard_refused": return `${by} went back to Google Calendar's version of ${quoted(title)}`;
    case "contact_create": return `${by} added the contact ${contact}`;
    case "contact_update": return contactSentence(by, contact, c);
    case "contact_archive": return `${by} archived the contact ${contact}`;
    case "contact_restore": return `${by} brought back the contact ${contact}`;
    case "move_to_google": return `${by} moved ${quoted(title)} to ${c.calendar?.after ?? "Google Calendar"}`;
    case "interaction_log": return `${by} logged ${OUTCOME[c.outcome] ?? "an interaction"} with ${contact}`;
    case "interaction_delete": return `${by} removed a logged interaction with ${contact}`;
    case "touchpoint_plan": return `${by} planned a touchpoint with ${contact}${c.due ? ` for ${timeOf({ date: c.due })}` : ""}`;
    case "touchpoint_update": return touchpointSentence(by, contact, c);
    case "touchpoint_delete": return `${by} deleted a touchpoint with ${contact}`;
    case "settings_update": return `${by} changed the settings (${listed(Object.keys(c))})`;
    default: return `${by}: ${entry.action.replaceAll("_", " ")} ${title ? quoted(title) : ""}`.trim();
  }
}

// The field-by-field detail of a change ("title: A → B"), for the changes worth showing.
export function details(entry) {
  if (!["update", "sync_update", "merge"].includes(entry.action)) return [];
  return Object.entries(entry.changes ?? {})
    .filter(([, change]) => change && typeof change === "object" && "after" in change)
    .filter(([field, change]) => !(field === "attendees" && answered(change)?.length))
    .map(([field, change]) => `${FIELD[field] ?? field}: ${valueOf(field, change.before)} → ${valueOf(field, change.after)}`);
}

// "just now", "5 min ago", "3 h ago", "yesterday", else the date.
export function ago(iso, now = Date.now()) {
  const seconds = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 2 * 86_400) return "yesterday";
  return new Date(iso).toLocaleDateString(undefined, { month: "short", day: "numeric", year: "numeric", timeZone: shownZone });
}

// The event dialog's "After the meeting": log an outcome and notes against one of the meeting's
// contacts (the linked one, or a guest who is a contact); it appears on their timeline.

import { api, oneAtATime, showError, toast } from "./app.js";

const $ = (id) => document.getElementById(id);
let eventId = null;

async function contactsOf(event) {
  const found = new Map();
  if (event.contactId) {
    try {
      const contact = await api("GET", `/api/contacts/${encodeURIComponent(event.contactId)}`);
      found.set(contact.id, contact);
    } catch {
      // the linked contact is gone: its guests may still be contacts
    }
  }
  const guests = (event.attendees ?? []).slice(0, 10).map((email) => email.toLowerCase());
  const answers = await Promise.all(guests.map((email) =>
    api("GET", `/api/contacts?q=${encodeURIComponent(email)}`).catch(() => ({ items: [] }))));
  answers.forEach((answer, n) => {
    for (const contact of answer.items) {
      if (contact.emails.includes(guests[n])) found.set(contact.id, contact);
    }
  });
  return [...found.values()];
}

// Show the section for a meeting that has begun and has contacts; hide it otherwise.
export async function showLog(event) {
  const box = $("ev-log");
  box.hidden = true;
  eventId = event?.id ?? null;
  if (!event || new Date(event.startTime) > new Date()) return;
  const contacts = await contactsOf(event);
  if (!contacts.length || eventId !== event.id) return;
  $("ev-log-contact").replaceChildren(...contacts.map((contact) => {
    const option = document.createElement("option");
    option.value = contact.id;
    option.textContent = contact.name;
    return option;
  }));
  $("ev-log-notes").value = "";
  box.hidden = false;
}

async function save() {
  const contactId = $("ev-log-contact").value;
  const body = { outcome: $("ev-log-outcome").value, notes: $("ev-log-notes").value, eventId };
  try {
    await api("POST", `/api/contacts/${encodeURIComponent(contactId)}/interactions`, body);
    const name = $("ev-log-contact").selectedOptions[0]?.textContent ?? "the contact";
    toast(`Logged on ${name}'s timeline.`, { kind: "success", timeout: 4000 });
    $("ev-log-notes").value = "";
  } catch (error) {
    showError(error, "It was not logged");
  }
}

export function setUpLog() {
  $("ev-log-save").addEventListener("click", oneAtATime(save));
}

// Shared by the contacts, contact and due pages: a contact's form fields, and one touchpoint
// with its buttons (done, skip, reschedule).

import { api, formatWhen, oneAtATime, showError, toast } from "./app.js";
import { localDate, zoneNames } from "./times.js";

const $ = (id) => document.getElementById(id);

// The contact form's zone suggests IANA's names; "Berlin", "EST" or "Eastern Time" typed
// are read as their zone when saved.
$("c-zone-names")?.replaceChildren(...zoneNames().map((name) => new Option(name, name)));

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// The contact form's fields as the API takes them.
export function readContactForm() {
  const every = $("c-cadence-every").value;
  return {
    name: $("c-name").value,
    emails: $("c-emails").value.split(",").map((e) => e.trim()).filter(Boolean),
    company: $("c-company").value,
    title: $("c-title").value,
    phone: $("c-phone").value,
    timeZone: $("c-timeZone").value.trim() || null,
    notes: $("c-notes").value,
    cadence: every ? { every: Number(every), unit: $("c-cadence-unit").value } : null,
  };
}

export function fillContactForm(contact) {
  $("c-name").value = contact.name ?? "";
  $("c-emails").value = (contact.emails ?? []).join(", ");
  $("c-company").value = contact.company ?? "";
  $("c-title").value = contact.title ?? "";
  $("c-phone").value = contact.phone ?? "";
  $("c-timeZone").value = contact.timeZone ?? "";
  $("c-notes").value = contact.notes ?? "";
  $("c-cadence-every").value = contact.cadence?.every ?? "";
  $("c-cadence-unit").value = contact.cadence?.unit ?? "week";
}

// Show an invalid field the way the API named it (emails[1] -> the emails box).
export function showFieldError(error, form, box) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const field = String(error.details?.field ?? "").replace(/\[\d+\]$/, "");
  const input = form.querySelector(`[name="${field}"]`);
  if (input) input.setAttribute("aria-invalid", "true");
  box.textContent = error.message;
  box.hidden = false;
}

// "every 2 weeks", "every month" (as the import reads it, and the export writes it).
export function cadenceText(cadence) {
  if (!cadence) return "none";
  return cadence.every === 1 ? `every ${cadence.unit}` : `every ${cadence.every} ${cadence.unit}s`;
}

function today() {
  return localDate(new Date());
}

export function dueText(tp) {
  if (tp.needsDate) return "needs a new date";
  return tp.dueAt ? formatWhen(tp.dueAt) : `${formatWhen(tp.dueDate)} (any time)`;
}

export function dueClass(tp) {
  if (tp.needsDate) return "badge conflict";
  if (tp.overdue) return "badge error";
  if (tp.dueDate === today()) return "badge pending";
  return "badge";
}

async function change(tp, body, done) {
  try {
    const changed = await api("PATCH", `/api/touchpoints/${encodeURIComponent(tp.id)}`, body);
    const said = body.status ? `Marked ${body.status}.` : "Rescheduled.";
    if (changed.eventSyncStatus === "conflict") {
      // Made here; its event was changed in Google Calendar too and waits for the user.
      toast(`${said} Its event was changed in Google Calendar too: choose what to keep.`, {
        link: { href: `/calendar?event=${encodeURIComponent(changed.eventId)}`, text: "Open the event" },
        timeout: 20000,
      });
    } else if (body.status === "done" && changed.eventId && new Date(changed.dueAt) > new Date()) {
      // Done before its event: the time it holds is the user's to free, in one click.
      toast(`${said} Its event, ${formatWhen(changed.dueAt)}, is still in your calendar.`, {
        button: { label: "Remove the event", act: () => removeEvent(changed, done) },
        timeout: 20000,
      });
    } else {
      toast(said, { kind: "success", timeout: 4000 });
    }
    await done();
  } catch (error) {
    showError(error, "The touchpoint was not changed");
  }
}

async function removeEvent(tp, done) {
  try {
    await api("PATCH", `/api/touchpoints/${encodeURIComponent(tp.id)}`, { deleteEvent: true });
    toast("Its event was removed from your calendar.", { kind: "success", timeout: 4000 });
    await done();
  } catch (error) {
    showError(error, "The event was not removed");
  }
}

// One touchpoint as a list item: who, when, what, and its buttons.
export function touchpointItem(tp, done, { withContact = true } = {}) {
  const item = el("li", null, "touchpoint");
  item.dataset.touchpoint = tp.id;
  if (withContact) {
    const link = el("a", tp.contactName);
    link.href = `/contacts/${encodeURIComponent(tp.contactId)}`;
    item.append(link, " ");
  }
  item.append(el("span", dueText(tp), dueClass(tp)));
  if (tp.message) item.append(" ", el("span", tp.message, "hint"));
  const buttons = el("span", null, "row actions");
  // One change of the touchpoint at a time: a double click on Done marks it done once.
  const act = oneAtATime((body) => change(tp, body, done));
  if (tp.status === "planned") {
    for (const [label, status] of [["Done", "done"], ["Skip", "skipped"]]) {
      const button = el("button", label);
      button.type = "button";
      button.addEventListener("click", () => act({ status }));
      buttons.append(button);
    }
  }
  const day = el("input");
  day.type = "date";
  day.setAttribute("aria-label", `New day for ${tp.contactName}`);
  day.value = tp.dueDate;
  const move = el("button", "Reschedule");
  move.type = "button";
  move.addEventListener("click", () => act({ dueDate: day.value }));
  buttons.append(day, move);
  item.append(buttons);
  return item;
}
